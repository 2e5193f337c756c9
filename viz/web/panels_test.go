package web

import (
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// langCheckJS walks the visible text of the page (text nodes, placeholders,
// the shown option of each select) and returns what does not belong to the
// page's language: on the zh page Latin words other than codes, ids,
// numbers, units and the few names whitelisted below; on the en page CJK
// characters. Data values (names, marked data-v) and the graph canvas are
// not checked; the language button names the other language.
const langCheckJS = `(() => {
	const zh = document.documentElement.lang.startsWith("zh");
	const texts = [];
	const walk = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
	for (let n; (n = walk.nextNode()); ) {
		const p = n.parentElement;
		if (!p || p.closest("script,style,textarea,option,[data-v],#lang")) continue;
		if (!p.checkVisibility({ visibilityProperty: true })) continue;
		if (n.textContent.trim()) texts.push(n.textContent.trim());
	}
	for (const e of document.querySelectorAll("input[placeholder]")) if (e.checkVisibility()) texts.push(e.placeholder);
	for (const s of document.querySelectorAll("select")) if (s.checkVisibility() && s.selectedOptions[0]) texts.push(s.selectedOptions[0].textContent);
	const allowed = new Set(["RingLens", "Neo4j", "Browser", "Cypher", "CSV", "JSON", "z", "km"]);
	const bad = [];
	for (const s of texts) {
		if (zh) {
			for (const w of s.match(/[A-Za-z0-9][A-Za-z0-9_\-\/.:]*/g) || []) {
				if (!/[A-Za-z]/.test(w) || /[0-9]/.test(w) || allowed.has(w) || /^[A-Z][A-Z0-9_]*(-[A-Z0-9_]+)+$/.test(w)) continue;
				bad.push(w + "  ⟵  " + s.slice(0, 80));
			}
		} else if (/[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]/.test(s)) {
			bad.push(s.slice(0, 80));
		}
	}
	return [...new Set(bad)].join("\n");
})()`

// TestPageInvestigator walks the ring panel as an investigator would, in
// Chinese and English at 1366×768 and 1920×1080: the top ring is selected on
// load; its why sentences lead and cite evidence rows; the member table
// sorts, selects graph nodes and exports; the graph is laid out by role
// with labelled institutions and doctors; the timeline brushes a date range
// that filters the views; counts say "shown / total"; a notice shows as a
// banner; and no panel shows words of the other language.
func TestPageInvestigator(t *testing.T) {
	srv := newMockServer(t)
	defer srv.Close()
	ctx, cancel := browser(t)
	defer cancel()
	dir := screenshotDir(t)

	checkLang := func(where string) {
		t.Helper()
		if bad := eval[string](ctx, t, langCheckJS); bad != "" {
			t.Errorf("%s shows words of the other language:\n%s", where, bad)
		}
	}
	click := func(sel string) chromedp.Action[chromedp.Void] { return chromedp.Click(chromedp.CSS(sel)) }

	for _, lg := range []string{"zh", "en"} {
		for _, vp := range [][2]int{{1366, 768}, {1920, 1080}} {
			name := fmt.Sprintf("%s-%dx%d", lg, vp[0], vp[1])
			run(ctx, t, name+" load",
				chromedp.EmulateViewport(int64(vp[0]), int64(vp[1])),
				chromedp.Navigate(srv.URL+"/?lang="+lg),
				// The top ring is selected without a click.
				waitJS(`window.__ringlens.state.selectedRing === "R001" && window.__ringlens.graph.order === 200`),
				waitJS(`document.querySelectorAll("#why li").length === 3`),
				waitJS(`!document.getElementById("banner").hidden`),
				waitJS(`document.querySelectorAll("#ring-list li[data-ring]").length === 7`),
				waitJS(`document.getElementById("progress").classList.contains("done")`),
			)
			why := text(ctx, t, "#why")
			wantWhy := map[string]string{"zh": "25 名参保人在同一诊所的相同 38 个上午就诊", "en": "25 patients visited the same clinic on the same 38 mornings"}[lg]
			if !strings.HasPrefix(why, wantWhy) {
				t.Errorf("%s: why starts %.80q, want %q", name, why, wantWhy)
			}
			banner := text(ctx, t, "#banner-text")
			// Both notices of the vocabulary's notice category read as sentences.
			if want := map[string]string{"zh": "全量检测修正了增量结果：团伙 R001 由 798 次就诊、137674.03 元变为 790 次、136002.11 元",
				"en": "The full run revised an incremental result: ring R001 went from 798 visits and 137674.03 yuan to 790 visits and 136002.11 yuan"}[lg]; banner != want {
				t.Errorf("%s: banner %q, want %q", name, banner, want)
			}
			dropped := eval[string](ctx, t, `window.__ringlens.noticeText({type: "notice", code: "full_run_dropped", params: {ring: "R002", visits_before: "5", fund_before: "10.00"}})`)
			if want := map[string]string{"zh": "全量检测不再报告团伙 R002（增量评分时 5 次就诊、10.00 元）",
				"en": "The full run no longer reports ring R002 (5 visits and 10.00 yuan after incremental scoring)"}[lg]; dropped != want {
				t.Errorf("%s: full_run_dropped notice %q, want %q", name, dropped, want)
			}
			if c := text(ctx, t, "#changed"); !strings.Contains(c, "12") || !strings.Contains(c, "2024-04-29 10:00:00") {
				t.Errorf("%s: changed marker %q", name, c)
			}
			// Members tab (the first) with the node panel of the organising clinic.
			run(ctx, t, name+" members",
				click(`#tab-members`),
				waitJS(`document.querySelectorAll("#members-body tr").length === 30`),
				click(`#members-body tr[data-key="site:H44010600001"]`),
				waitJS(`window.__ringlens.view.selected === "site:H44010600001"`),
				waitJS(`document.querySelectorAll("#node-hits li").length > 0`),
				chromedp.Sleep(400),
			)
			checkLang(name + " ring panel, members, node panel, filters, banner")
			shot(ctx, t, dir, "investigator-"+name+"-members.png")
			// A why sentence opens the evidence it cites.
			run(ctx, t, name+" why click",
				click(`#why li[data-why="1"]`),
				waitJS(`document.getElementById("tab-evidence").getAttribute("aria-selected") === "true"`),
			)
			if hl := eval[string](ctx, t, `[...document.querySelectorAll("#evidence-body tr.ev-hl")].map(r => r.dataset.ev).join(",")`); hl != "1" {
				t.Errorf("%s: the second why sentence highlights evidence rows %q, want 1", name, hl)
			}
			if c := text(ctx, t, "#evidence-count"); !strings.Contains(c, "3 / 8,398") {
				t.Errorf("%s: evidence count %q", name, c)
			}
			if c := text(ctx, t, `#evidence-body tr[data-ev="0"] .cited`); !strings.Contains(c, "3 / 950") {
				t.Errorf("%s: cited rows %q", name, c)
			}
			checkLang(name + " evidence")
			shot(ctx, t, dir, "investigator-"+name+"-evidence.png")
			run(ctx, t, name+" timeline", click(`#tab-timeline`), chromedp.Sleep(300))
			checkLang(name + " timeline")
			shot(ctx, t, dir, "investigator-"+name+"-timeline.png")
			run(ctx, t, name+" export", click(`#tab-export`), chromedp.Sleep(100))
			// The Cypher query needs the data pushed to Neo4j first.
			if note, want := text(ctx, t, "#cypher-note"), map[string]string{"zh": "须先运行 ringlens neo4j push", "en": "Run ringlens neo4j push first"}[lg]; !strings.HasPrefix(note, want) {
				t.Errorf("%s: Cypher note %q, want it to start %q", name, note, want)
			}
			checkLang(name + " export")
			// Filters that hide every ring say so.
			run(ctx, t, name+" no match",
				chromedp.SetValue(chromedp.CSS(`#f-inst`), "zzzz"),
				chromedp.Evaluate[chromedp.Void](`document.getElementById("f-inst").dispatchEvent(new Event("input")), undefined`, chromedp.EvalIgnoreExceptions),
				waitJS(`!!document.getElementById("no-rings")`),
			)
			if got, want := eval[string](ctx, t, `document.getElementById("no-rings").textContent`), map[string]string{"zh": "没有符合筛选条件的团伙", "en": "No rings match these filters"}[lg]; got != want {
				t.Errorf("%s: empty list reads %q, want %q", name, got, want)
			}
			checkLang(name + " empty list")
			if lg == "zh" {
				if ph := eval[string](ctx, t, `document.getElementById("f-from").placeholder`); strings.Contains(strings.ToLower(ph), "mm") || strings.Contains(strings.ToLower(ph), "yyyy") {
					t.Errorf("zh date input placeholder %q", ph)
				}
			}
		}
	}

	// Details checked once, in Chinese at 1366×768.
	run(ctx, t, "reload",
		chromedp.EmulateViewport(1366, 768),
		chromedp.Navigate(srv.URL+"/?lang=zh"),
		waitJS(`window.__ringlens.state.selectedRing === "R001" && window.__ringlens.graph.order === 200`),
		waitJS(`document.querySelectorAll("#why li").length === 3`),
	)
	// The language check finds an English word on the Chinese page.
	probe := eval[string](ctx, t, `(() => { const p = document.createElement("span"); p.textContent = "features density"; document.getElementById("ring-summary").append(p);
		const r = `+langCheckJS+`; p.remove(); return r; })()`)
	if !strings.Contains(probe, "features") || !strings.Contains(probe, "density") {
		t.Errorf("the language check missed English words: %q", probe)
	}
	run(ctx, t, "members tab",
		click(`#tab-members`),
		waitJS(`document.querySelectorAll("#members-body tr").length === 30`),
	)
	if c := text(ctx, t, "#member-count"); !strings.Contains(c, "30 / 30") {
		t.Errorf("member count %q", c)
	}
	// Sorting: by visits descending (the clinic first), then ascending.
	run(ctx, t, "sort", click(`#members th[data-col="visits"]`))
	if first := eval[string](ctx, t, `document.querySelector("#members-body tr").dataset.key`); first != "site:H44010600001" {
		t.Errorf("by visits, first row %q", first)
	}
	run(ctx, t, "sort asc", click(`#members th[data-col="visits"]`))
	if first := eval[string](ctx, t, `document.querySelector("#members-body tr").dataset.key`); first != "patient:P440000000001" {
		t.Errorf("by visits ascending, first row %q", first)
	}
	run(ctx, t, "select doctor", click(`#members-body tr[data-key="doctor:D4401000002"]`), waitJS(`window.__ringlens.view.selected === "doctor:D4401000002"`))
	if csv := eval[string](ctx, t, `window.__ringlens.exportText("member-table")`); !strings.HasPrefix(csv, "\ufeffring_id,kind,role,id,label,visits,fund,rule_hits,first,last,score\r\n") || !strings.Contains(csv, "R001,clinic,organising_clinic,H44010600001,广州市某某诊所,1460,1284530.5,57,") {
		t.Errorf("member table CSV:\n%.400s", csv)
	}
	if h := eval[string](ctx, t, `document.getElementById("visits-link").getAttribute("href") + " " + document.getElementById("dossier-link").getAttribute("href")`); h != "/api/v1/rings/R001/visits?format=csv /api/v1/rings/R001/dossier?lang=zh" {
		t.Errorf("links %q", h)
	}
	// The graph: the clinic in the centre, doctors around it, patients outside;
	// institutions and doctors labelled; size by fund.
	layout := eval[string](ctx, t, `(() => {
		const g = window.__ringlens.graph, r = (k) => Math.hypot(g.getNodeAttribute(k, "x"), g.getNodeAttribute(k, "y"));
		const c = r("site:H44010600001"), d = r("doctor:D4401000001"), p = r("patient:P440000000001");
		return [c < d && d < p, g.getNodeAttribute("site:H44010600001", "forceLabel"), g.getNodeAttribute("doctor:D4401000001", "forceLabel"),
			!g.getNodeAttribute("patient:P440000000001", "forceLabel"), g.getNodeAttribute("site:H44010600001", "size") > g.getNodeAttribute("patient:P440000000001", "size")].join(",");
	})()`)
	if layout != "true,true,true,true,true" {
		t.Errorf("graph layout by role / labels / size: %s", layout)
	}
	// Timeline: every calendar day, brushing filters graph, members and the date filter.
	run(ctx, t, "timeline", click(`#tab-timeline`), waitJS(`window.__ringlens.timeline.data.length === 60`))
	if h := eval[int](ctx, t, `window.__ringlens.timeline.hoursTotal.reduce((a, b) => a + b, 0)`); h == 0 {
		t.Errorf("no visits by hour")
	}
	run(ctx, t, "brush",
		chromedp.Evaluate[chromedp.Void](`(() => {
			const c = document.getElementById("timeline"), b = c.getBoundingClientRect(), y = b.top + b.height / 2;
			const ev = (type, x, target) => target.dispatchEvent(new MouseEvent(type, { clientX: x, clientY: y, bubbles: true }));
			ev("mousedown", b.left + 40, c); ev("mousemove", b.left + 40 + (b.width - 50) * 0.2, c); ev("mouseup", b.left + 40 + (b.width - 50) * 0.2, window);
		})()`, chromedp.EvalIgnoreExceptions),
		waitJS(`!!window.__ringlens.state.range`),
		chromedp.Sleep(200),
	)
	rng := eval[string](ctx, t, `JSON.stringify(window.__ringlens.state.range) + " " + document.getElementById("f-from").value + " " + document.getElementById("f-to").value`)
	hidden := eval[int](ctx, t, `window.__ringlens.view.hiddenNodes ? window.__ringlens.view.hiddenNodes.size : 0`)
	rows := eval[int](ctx, t, `document.querySelectorAll("#members-body tr").length`)
	t.Logf("brushed %s: %d graph nodes hidden, %d member rows", rng, hidden, rows)
	if !strings.Contains(rng, "2024-03-01") || hidden == 0 || rows >= 30 {
		t.Errorf("brushing: range %s, %d nodes hidden, %d member rows", rng, hidden, rows)
	}
	// The server's visits in the range filter the members and the evidence.
	run(ctx, t, "range visits", waitJS(`document.getElementById("range-text").textContent.includes("¥")`), click(`#tab-members`),
		waitJS(`document.querySelectorAll("#members-body tr").length === 11`))
	if c := text(ctx, t, "#member-count"); !strings.Contains(c, "11 / 30") {
		t.Errorf("member count in range %q", c)
	}
	run(ctx, t, "range evidence", click(`#tab-evidence`))
	if ev := eval[string](ctx, t, `[...document.querySelectorAll("#evidence-body tr[data-ev]")].filter(r => !r.hidden).map(r => r.dataset.ev).join(",")`); ev != "0,1" {
		t.Errorf("evidence rows in range %q, want 0,1", ev)
	}
	if h := eval[string](ctx, t, `document.getElementById("visits-link").getAttribute("href")`); h != "/api/v1/rings/R001/visits?format=csv&from=2024-03-01&to=2024-03-13" {
		t.Errorf("visits link in range %q", h)
	}
	run(ctx, t, "timeline again", click(`#tab-timeline`), chromedp.Sleep(200))
	shot(ctx, t, dir, "investigator-zh-brushed.png")
	run(ctx, t, "clear range", click(`#range-clear`), waitJS(`!window.__ringlens.state.range && document.querySelectorAll("#members-body tr").length === 30`))
	// The page's date filter does the same as brushing.
	run(ctx, t, "date filter",
		chromedp.Evaluate[chromedp.Void](`(() => { const e = document.getElementById("f-from"); e.value = "2024-04-20"; e.dispatchEvent(new Event("input")); })()`, chromedp.EvalIgnoreExceptions),
		waitJS(`window.__ringlens.state.range && window.__ringlens.state.range.from === "2024-04-20" && window.__ringlens.view.hiddenNodes.size > 0`),
		waitJS(`document.querySelectorAll("#members-body tr").length < 30`),
		chromedp.Evaluate[chromedp.Void](`(() => { const e = document.getElementById("f-from"); e.value = ""; e.dispatchEvent(new Event("input")); })()`, chromedp.EvalIgnoreExceptions),
		waitJS(`!window.__ringlens.state.range`),
	)

	// First paint of a 400-member ring.
	run(ctx, t, "R400",
		clickCSS(`#ring-list li[data-ring="R400"]`), // the list may be drawn again under a mouse click
		waitJS(`window.__ringlens.firstPaint && window.__ringlens.firstPaint.ring === "R400"`),
	)
	fp := eval[map[string]float64](ctx, t, `(() => { const f = window.__ringlens.firstPaint; return { totalMs: f.totalMs, drawMs: f.drawMs, nodes: f.nodes }; })()`)
	t.Logf("first paint of the 400-member ring: %.0f ms from the click (fetch included), %.0f ms to lay out and draw (%v nodes)", fp["totalMs"], fp["drawMs"], fp["nodes"])
	if fp["totalMs"] > 1000 {
		t.Errorf("first paint of a 400-member ring took %.0f ms", fp["totalMs"])
	}
	run(ctx, t, "R400 members", click(`#tab-members`), chromedp.Sleep(300))
	if c := text(ctx, t, "#member-count"); !strings.Contains(c, "300 / 400") {
		t.Errorf("capped member table count %q", c)
	}
	shot(ctx, t, dir, "investigator-zh-r400.png")
	run(ctx, t, "R400 1920", chromedp.EmulateViewport(1920, 1080), chromedp.Sleep(400))
	shot(ctx, t, dir, "investigator-zh-r400-1920.png")
}
