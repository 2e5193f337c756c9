package web

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/ringlens/ringlens/algorithms/rings"
	"github.com/ringlens/ringlens/graph"
	"github.com/ringlens/ringlens/graph/findings"
	"github.com/ringlens/ringlens/graph/workspace"
	"github.com/ringlens/ringlens/ingest"
	"github.com/ringlens/ringlens/viz/server"
)

// chromiumPath is Debian's Chromium, or $RINGLENS_CHROMIUM.
var chromiumPath = cmp.Or(os.Getenv("RINGLENS_CHROMIUM"), "/usr/bin/chromium")

// browser starts headless Chromium at 1280×800, or skips the test when
// Chromium is not installed; in CI (CI=true, as .ci/run sets it) a missing
// Chromium fails the test instead, since .ci/run installs it.
func browser(t *testing.T) (context.Context, context.CancelFunc) {
	t.Helper()
	if _, err := os.Stat(chromiumPath); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("end-to-end test: %s not found; CI=true requires it (.ci/run installs Debian's chromium)", chromiumPath)
		}
		t.Skipf("end-to-end test skipped: %s not found (install Chromium to run it)", chromiumPath)
	}
	if testing.Short() {
		t.Skip("end-to-end test skipped in -short mode")
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromiumPath),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.UserDataDir(t.TempDir()),
		// Chromium keeps its singleton socket in a directory of its own
		// under $TMPDIR and removes it only on a clean exit; the test's
		// cancel kills it, so that directory goes in the test's own.
		chromedp.Env("TMPDIR=" + t.TempDir()),
		chromedp.WindowSize(1280, 800),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		// WebGL through the software rasteriser, since the GPU is disabled.
		chromedp.Flag("use-angle", "swiftshader"),
		chromedp.Flag("enable-unsafe-swiftshader", true),
	}
	actx, acancel := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	ctx, tcancel := context.WithTimeout(ctx, 90*time.Second)
	return ctx, func() { tcancel(); cancel(); acancel() }
}

// screenshotDir is $RINGLENS_SCREENSHOTS when set, else a temporary directory.
func screenshotDir(t *testing.T) string {
	if d := os.Getenv("RINGLENS_SCREENSHOTS"); d != "" {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		return d
	}
	return t.TempDir()
}

// waitJS polls a JavaScript boolean expression until it is true.
func waitJS(expr string) chromedp.Action[chromedp.Void] {
	return chromedp.Poll[chromedp.Void](expr, chromedp.WithPollingInterval(50*time.Millisecond), chromedp.WithPollingTimeout(20*time.Second))
}

// clickCSS clicks the first element matching the CSS selector sel once it
// exists, finding and clicking it in one evaluation: the page may render
// the ring list again between a wait and a separate click, which leaves
// chromedp holding a node that is gone.
func clickCSS(sel string) chromedp.Action[chromedp.Void] {
	return waitJS(fmt.Sprintf("(() => { const e = document.querySelector(%q); if (!e) return false; e.click(); return true; })()", sel))
}

// run runs the steps and fails the test on error.
func run(ctx context.Context, t *testing.T, what string, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(ctx, steps...); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// eval evaluates a JavaScript expression (awaiting promises) and returns its value.
func eval[T any](ctx context.Context, t *testing.T, expr string) T {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("evaluate %.60q: %v", expr, err)
	}
	return v
}

// text returns the visible text of the first element matching the CSS
// selector once it exists, found and read in one evaluation: the page may
// render the panel again between finding a node and reading it, which
// leaves a node id that no longer exists.
func text(ctx context.Context, t *testing.T, sel string) string {
	t.Helper()
	q := strconv.Quote(sel)
	run(ctx, t, "text "+sel, waitJS(`!!document.querySelector(`+q+`)`))
	return eval[string](ctx, t, `(() => { const e = document.querySelector(`+q+`); return e ? e.innerText : ""; })()`)
}

func shot(ctx context.Context, t *testing.T, dir, name string) {
	t.Helper()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot %s", p)
}

// TestPageEndToEnd loads the page against the mock API in headless
// Chromium: the ring list fills in (REST and websocket), the ring's
// subgraph is drawn, a node is selected and its details shown, Expand adds
// neighbours, and the English switch works.
func TestPageEndToEnd(t *testing.T) {
	srv := newMockServer(t)
	defer srv.Close()
	ctx, cancel := browser(t)
	defer cancel()
	dir := screenshotDir(t)

	run(ctx, t, "load",
		chromedp.EmulateViewport(1280, 800),
		chromedp.Navigate(srv.URL+"/"),
		chromedp.WaitVisible(chromedp.CSS(`#ring-list li[data-ring="R001"]`)),
		// Streamed rings arrive over the websocket.
		chromedp.WaitVisible(chromedp.CSS(`#ring-list li[data-ring="R005"]`)),
		waitJS(`document.getElementById("progress").classList.contains("done")`),
		clickCSS(`#ring-list li[data-ring="R001"]`),
		waitJS(`window.__ringlens.graph.order === 200 && !!window.__ringlens.renderer`),
		// The WebGL node program was fed the nodes.
		waitJS(`window.__ringlens.renderer.getNodeDisplayData("site:H44010600001") !== undefined`),
	)
	// The stats say 3 rings lie beyond max_rings: the count says so, and
	// its tooltip why.
	run(ctx, t, "rings not reported", waitJS(`document.getElementById("ring-count").textContent.endsWith(" · +3")`))
	if title := eval[string](ctx, t, `document.getElementById("ring-count").title`); !strings.Contains(title, "另有 3 个团伙") {
		t.Errorf("ring count's title %q", title)
	}
	order := eval[int](ctx, t, `window.__ringlens.graph.order`)
	drawn := eval[int](ctx, t, `(() => { const r = window.__ringlens.renderer; let n = 0; window.__ringlens.graph.forEachNode(k => { if (r.getNodeDisplayData(k)) n++; }); return n; })()`)
	if order != 200 || drawn != 200 {
		t.Fatalf("graph order %d, drawn %d; want 200", order, drawn)
	}
	run(ctx, t, "select node",
		chromedp.Sleep(1500), // let the layout move for the screenshot
		chromedp.Evaluate[chromedp.Void](`window.__ringlens.selectNode("site:H44010600001"), undefined`, chromedp.EvalIgnoreExceptions),
		waitJS(`document.getElementById("node-details").textContent.includes("0.910")`),
		waitJS(`document.querySelectorAll("#node-hits li").length > 0`),
	)
	details := text(ctx, t, "#node-details")
	// The node's own rule hits from GET /api/v1/nodes: 20 of 57 shown,
	// rule, result (the vocabulary's label), Chinese detail, amount and
	// cited rows; its score reasons ({code, params}) in Chinese.
	for _, want := range []string{"广州市某某诊所", "组织诊所", "H44010600001", "规则命中 (20 / 57)",
		"R-OP-REPEAT", "明确违规", "25名参保人在H44010600001相同的38个上午就诊", "¥412,300.00", "M000001", "M000500/F1",
		"团伙 R001 的组织诊所（虚构门诊诊疗，评分 0.93）", "次均基金支付高于同类（稳健z均值 7.9）", "57 条规则命中（首条：R-OP-REPEAT）"} {
		if !strings.Contains(details, want) {
			t.Errorf("details panel lacks %q:\n%s", want, details)
		}
	}
	if n := eval[int](ctx, t, `document.querySelectorAll("#node-hits li.hit").length`); n != 20 {
		t.Errorf("%d rule hits listed, want 20", n)
	}
	if info := text(ctx, t, "#graph-info"); !strings.Contains(info, "200") {
		t.Errorf("graph info %q", info)
	}
	shot(ctx, t, dir, "ring-zh.png")

	// Filters: typology, then minimum score.
	run(ctx, t, "filters",
		chromedp.SetValue(chromedp.CSS(`#f-typology`), "drug_reselling"),
		chromedp.Evaluate[chromedp.Void](`document.getElementById("f-typology").dispatchEvent(new Event("input")), undefined`, chromedp.EvalIgnoreExceptions),
		waitJS(`document.querySelectorAll("#ring-list li[data-ring]").length === 1`),
		chromedp.SetValue(chromedp.CSS(`#f-typology`), ""),
		chromedp.SetValue(chromedp.CSS(`#f-score`), "0.8"),
		chromedp.Evaluate[chromedp.Void](`document.getElementById("f-score").dispatchEvent(new Event("input")), undefined`, chromedp.EvalIgnoreExceptions),
		waitJS(`document.querySelectorAll("#ring-list li[data-ring]").length === 2`),
		chromedp.SetValue(chromedp.CSS(`#f-score`), "0"),
		chromedp.Evaluate[chromedp.Void](`document.getElementById("f-score").dispatchEvent(new Event("input")), undefined`, chromedp.EvalIgnoreExceptions),
		waitJS(`document.querySelectorAll("#ring-list li[data-ring]").length === 7`),
		// Sorting by amount at risk puts the 9.9M-yuan ring ranked 9th first.
		chromedp.SetValue(chromedp.CSS(`#f-sort`), "amount"),
		chromedp.Evaluate[chromedp.Void](`document.getElementById("f-sort").dispatchEvent(new Event("input")), undefined`, chromedp.EvalIgnoreExceptions),
		waitJS(`document.querySelector("#ring-list li[data-ring]").dataset.ring === "RBIG"`),
		chromedp.SetValue(chromedp.CSS(`#f-sort`), "rank"),
		chromedp.Evaluate[chromedp.Void](`document.getElementById("f-sort").dispatchEvent(new Event("input")), undefined`, chromedp.EvalIgnoreExceptions),
		waitJS(`document.querySelector("#ring-list li[data-ring]").dataset.ring === "R001"`),
	)

	csvText := eval[string](ctx, t, `window.__ringlens.exportText("evidence")`)
	if !strings.HasPrefix(csvText, "\ufeffring_id,kind,rule,") || !strings.Contains(csvText, "R001,rule,R-OP-REPEAT,1.2,definite,412300,950,") || !strings.Contains(csvText, ",M000001,F2\r\n") {
		t.Errorf("evidence CSV:\n%.400s", csvText)
	}
	if js := eval[string](ctx, t, `window.__ringlens.exportText("json")`); !strings.Contains(js, `"id": "R001"`) || !strings.Contains(js, `"feedetl_sn": "F7"`) {
		t.Errorf("JSON export:\n%.300s", js)
	}
	run(ctx, t, "cypher", waitJS(`document.getElementById("cypher").value.includes('"latest/R001"')`))
	if cy := eval[string](ctx, t, `document.getElementById("cypher").value`); cy != `MATCH (r:Ring {id: "latest/R001"}) RETURN r` {
		t.Errorf("cypher %q (want the server's query)", cy)
	}

	run(ctx, t, "expand and switch language",
		chromedp.Click(chromedp.CSS(`#expand`)),
		waitJS(`window.__ringlens.graph.order === 220`),
		chromedp.Click(chromedp.CSS(`#lang`)),
		chromedp.Click(chromedp.CSS(`#tab-evidence`)),
		chromedp.Sleep(1500),
	)
	if got := text(ctx, t, "#tab-evidence"); got != "Evidence" {
		t.Errorf("evidence tab reads %q after the English switch", got)
	}
	if d := text(ctx, t, "#node-details"); !strings.Contains(d, "25 patients had outpatient visits") || !strings.Contains(d, "Rule hits (20 / 57)") || !strings.Contains(d, "definite") ||
		!strings.Contains(d, "organising_clinic of ring R001 (fabricated_outpatient, score 0.93)") || !strings.Contains(d, "57 rule hits (first: R-OP-REPEAT)") {
		t.Errorf("English details panel:\n%s", d)
	}
	shot(ctx, t, dir, "ring-en-evidence.png")

	// A node without rule hits says so.
	run(ctx, t, "node without hits",
		chromedp.Evaluate[chromedp.Void](`window.__ringlens.selectNode("patient:P440000000001"), undefined`, chromedp.EvalIgnoreExceptions),
		waitJS(`!!document.getElementById("node-hits-none")`),
	)
	if d := text(ctx, t, "#node-details"); !strings.Contains(d, "Rule hits (0)") {
		t.Errorf("details of a node without hits:\n%s", d)
	}
}

// TestPageLargeRing loads a 10,000-node ring and measures the frame rate
// while the camera zooms and pans.
func TestPageLargeRing(t *testing.T) {
	srv := newMockServer(t)
	defer srv.Close()
	ctx, cancel := browser(t)
	defer cancel()
	dir := screenshotDir(t)

	start := time.Now()
	run(ctx, t, "load",
		chromedp.EmulateViewport(1280, 800),
		chromedp.Navigate(srv.URL+"/?lang=en"),
		chromedp.WaitVisible(chromedp.CSS(`#ring-list li[data-ring="RBIG"]`)),
		clickCSS(`#ring-list li[data-ring="RBIG"]`),
	)
	if err := chromedp.Do(ctx, waitJS(`window.__ringlens.graph.order === 10000 && !!window.__ringlens.renderer`)); err != nil {
		t.Fatalf("graph: %v (order %d, info %q)", err, eval[int](ctx, t, `window.__ringlens.graph.order`), text(ctx, t, "#graph-info"))
	}
	t.Logf("page and graph loaded after %v", time.Since(start).Round(100*time.Millisecond))
	t0 := time.Now()
	run(ctx, t, "layout", waitJS(`!window.__ringlens.view.layout`)) // the layout stops at its time cap
	t.Logf("layout stopped after %v", time.Since(t0).Round(100*time.Millisecond))
	// Main-thread cost of a pan/zoom frame: sigma's render with a moved camera.
	// (Headless Chromium rasterises WebGL in software, so frames per second
	// say little about a real GPU; the JavaScript cost per frame does.)
	frameMS := eval[float64](ctx, t, `(() => {
		const r = window.__ringlens.renderer, cam = r.getCamera();
		const t0 = performance.now();
		for (let i = 0; i < 4; i++) { cam.setState({ ratio: 1 - 0.1 * i, x: 0.5 + 0.02 * i, y: 0.5 }); r.render(); }
		return (performance.now() - t0) / 4;
	})()`)
	// Hovering a node restyles only its neighbourhood.
	hoverMS := eval[float64](ctx, t, `(() => {
		const v = window.__ringlens.view, t0 = performance.now();
		for (const k of ["site:BIG-C0", "site:BIG-C1"]) { v.hovered = k; v.focus(); }
		v.hovered = null; v.focus();
		return (performance.now() - t0) / 3;
	})()`)
	fps := eval[float64](ctx, t, `new Promise((done) => {
		const cam = window.__ringlens.renderer.getCamera();
		let frames = 0; const t0 = performance.now();
		const step = (now) => {
			cam.setState({ ratio: 1 - 0.5 * Math.sin((now - t0) / 600), x: 0.5, y: 0.5 });
			frames++;
			if (now - t0 < 1000) requestAnimationFrame(step); else done(frames * 1000 / (now - t0));
		};
		requestAnimationFrame(step);
	})`)
	t.Logf("measured after %v", time.Since(start).Round(100*time.Millisecond))
	t.Logf("10,000-node ring: %.1f ms of JavaScript per pan/zoom frame, %.1f ms per hover, %.1f frames/s with software WebGL", frameMS, hoverMS, fps)
	if frameMS > 50 {
		t.Errorf("pan/zoom costs %.1f ms of main-thread time per frame", frameMS)
	}
	if hoverMS > 150 {
		t.Errorf("hover costs %.1f ms", hoverMS)
	}
	shot(ctx, t, dir, "ring-10000.png")
}

// TestLiveServer screenshots the page served by a running `ringlens serve`
// at $RINGLENS_LIVE_URL (skipped when unset): the first ring, its graph and
// the details of its top-scored node.
func TestLiveServer(t *testing.T) {
	url := os.Getenv("RINGLENS_LIVE_URL")
	if url == "" {
		t.Skip("set RINGLENS_LIVE_URL to the address of a running ringlens serve")
	}
	ctx, cancel := browser(t)
	defer cancel()
	dir := screenshotDir(t)
	run(ctx, t, "load",
		chromedp.EmulateViewport(1280, 800),
		chromedp.Navigate(url),
		chromedp.WaitVisible(chromedp.CSS(`#ring-list li[data-ring]`)),
		clickCSS(`#ring-list li[data-ring]`),
		waitJS(`window.__ringlens.graph.order > 0 && !!window.__ringlens.renderer`),
		waitJS(`!window.__ringlens.view.layout`),
	)
	t.Logf("graph: %s", text(ctx, t, "#graph-info"))
	run(ctx, t, "select",
		chromedp.Evaluate[chromedp.Void](`(() => { const g = window.__ringlens.graph; let best = null, s = -1; g.forEachNode((k, a) => { if (a.score > s) { s = a.score; best = k; } }); window.__ringlens.selectNode(best); })()`, chromedp.EvalIgnoreExceptions),
		chromedp.Sleep(1500),
	)
	shot(ctx, t, dir, "live.png")
	before := eval[int](ctx, t, `window.__ringlens.graph.order`)
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`#expand`)), waitJS(`/\+\d/.test(document.getElementById("expand-status").textContent)`)); err != nil {
		t.Fatalf("expand: %v (status %q, error %q)", err, eval[string](ctx, t, `document.getElementById("expand-status").textContent`), eval[string](ctx, t, `String(window.__ringlens.lastError)`))
	}
	t.Logf("expand: %d -> %d nodes (%s)", before, eval[int](ctx, t, `window.__ringlens.graph.order`), text(ctx, t, "#expand-status"))
	run(ctx, t, "evidence", chromedp.Click(chromedp.CSS(`#tab-evidence`)), chromedp.Sleep(500))
	shot(ctx, t, dir, "live-evidence.png")
	run(ctx, t, "large screen", chromedp.EmulateViewport(1920, 1080), chromedp.Click(chromedp.CSS(`#lang`)), chromedp.Click(chromedp.CSS(`#tab-timeline`)), chromedp.Sleep(1500))
	shot(ctx, t, dir, "live-1920-en.png")
	run(ctx, t, "one hop",
		chromedp.EmulateViewport(1280, 800),
		chromedp.SetValue(chromedp.CSS(`#hops`), "1"),
		chromedp.Evaluate[chromedp.Void](`document.getElementById("hops").dispatchEvent(new Event("change")), undefined`, chromedp.EvalIgnoreExceptions),
		waitJS(`window.__ringlens.graph.order > 441`),
		waitJS(`!window.__ringlens.view.layout`),
	)
	t.Logf("one hop: %s", text(ctx, t, "#graph-info"))
	shot(ctx, t, dir, "live-hop1.png")
}

// TestPageHuliFixture serves the committed Huli fixture with the real
// server and the embedded page in headless Chromium: the streamed ring
// reaches the list, its subgraph is drawn on the canvas, a click on a node
// that has rule hits (picked through the API) opens its details with those
// hits and their rows, and the screenshot is saved.
func TestPageHuliFixture(t *testing.T) {
	ctx, cancel := browser(t)
	defer cancel()
	dir := screenshotDir(t)
	base := huliServer(t)

	run(ctx, t, "load",
		chromedp.EmulateViewport(1280, 800),
		chromedp.Navigate(base+"/"),
		chromedp.WaitVisible(chromedp.CSS(`#ring-list li[data-ring="R001"]`)),
		waitJS(`document.getElementById("progress").classList.contains("done")`),
		clickCSS(`#ring-list li[data-ring="R001"]`),
		waitJS(`window.__ringlens.graph.order > 0 && !!window.__ringlens.renderer`),
		waitJS(`!window.__ringlens.view.layout`),
	)
	order := eval[int](ctx, t, `window.__ringlens.graph.order`)
	drawn := eval[int](ctx, t, `(() => { const r = window.__ringlens.renderer; let n = 0; window.__ringlens.graph.forEachNode(k => { if (r.getNodeDisplayData(k)) n++; }); return n; })()`)
	if drawn != order {
		t.Fatalf("graph order %d, drawn %d", order, drawn)
	}

	// The real server's why sentences lead the ring panel, in Chinese.
	run(ctx, t, "why", waitJS(`document.querySelectorAll("#why li").length > 0`))
	if why := text(ctx, t, "#why"); strings.Count(why, "\n") < 1 && len(why) < 10 {
		t.Errorf("why %q", why)
	} else {
		t.Logf("why:\n%s", why)
	}
	shot(ctx, t, dir, "huli-ring-zh.png")
	// The ring member with the most rule hits, asked of the API as a tool would.
	key, hits := nodeWithHits(t, base, "R001")
	t.Logf("ring R001: %d nodes; clicking %s (%d rule hits)", order, key, hits.Total)
	// Click the node where the renderer drew it.
	x := eval[float64](ctx, t, `(() => { const r = window.__ringlens.renderer, d = r.getNodeDisplayData(`+jsString(key)+`); const p = r.framedGraphToViewport(d); return p.x + r.getContainer().getBoundingClientRect().left; })()`)
	y := eval[float64](ctx, t, `(() => { const r = window.__ringlens.renderer, d = r.getNodeDisplayData(`+jsString(key)+`); const p = r.framedGraphToViewport(d); return p.y + r.getContainer().getBoundingClientRect().top; })()`)
	run(ctx, t, "click node",
		chromedp.MouseClickXY(x, y),
		waitJS(`document.querySelectorAll("#node-hits li.hit").length > 0`),
	)
	if sel := eval[string](ctx, t, `window.__ringlens.view.selected || ""`); sel != key {
		t.Fatalf("the click selected %q, want %q", sel, key)
	}
	first := hits.Hits[0]
	details := text(ctx, t, "#node-details")
	// The score reasons (codes and parameters from the server) read in Chinese.
	for _, want := range []string{first.Rule, first.DetailZh, first.MdtrtIDs[0], "规则命中", fmt.Sprint(hits.Total), "团伙 R001 的", "条规则命中（首条："} {
		if !strings.Contains(details, want) {
			t.Errorf("details panel lacks %q:\n%s", want, details)
		}
	}
	if strings.Contains(details, "of ring R001") {
		t.Errorf("Chinese details panel shows an English score reason:\n%s", details)
	}
	if n := eval[int](ctx, t, `document.querySelectorAll("#node-hits li.hit").length`); n != min(len(hits.Hits), 20) {
		t.Errorf("%d rule hits listed, want %d", n, min(len(hits.Hits), 20))
	}
	shot(ctx, t, dir, "huli-node-zh.png")
	// Every panel of the real ring in Chinese, then in English, shows no
	// words of the other language (langCheckJS, panels_test.go).
	huliLang := func(lg string) {
		t.Helper()
		for _, tab := range []string{"members", "timeline", "evidence", "export"} {
			run(ctx, t, lg+" "+tab, chromedp.Click(chromedp.CSS(`#tab-`+tab)), chromedp.Sleep(200))
			if bad := eval[string](ctx, t, langCheckJS); bad != "" {
				t.Errorf("Huli ring, %s, tab %s: words of the other language:\n%s", lg, tab, bad)
			}
			if tab == "members" || tab == "evidence" {
				shot(ctx, t, dir, "huli-"+lg+"-"+tab+".png")
			}
		}
	}
	huliLang("zh")
	run(ctx, t, "english", chromedp.Click(chromedp.CSS(`#lang`)), waitJS(`document.getElementById("node-details").textContent.includes("Rule hits")`))
	if d := text(ctx, t, "#node-details"); !strings.Contains(d, first.Detail) || !strings.Contains(d, "of ring R001") {
		t.Errorf("English details panel lacks %q or its ring reason:\n%s", first.Detail, d)
	}
	huliLang("en")
	// Scroll the details panel to the hits for the second screenshot.
	run(ctx, t, "scroll", chromedp.Evaluate[chromedp.Void](`document.getElementById("node-hits-h").scrollIntoView(), undefined`, chromedp.EvalIgnoreExceptions), chromedp.Sleep(200))
	shot(ctx, t, dir, "huli-node-en.png")

	// New claims arriving during the day update what the investigator
	// sees: ten visits of ring members, posted as a tool would, are scored
	// incrementally and the ring's amount at risk in the list grows.
	const row = `document.querySelector('#ring-list li[data-ring="R001"] > span:last-child').textContent`
	amount := eval[string](ctx, t, row)
	postRingVisits(t, base, "R001", 10)
	run(ctx, t, "live update", waitJS(row+` !== `+jsString(amount)))
	t.Logf("ring R001's amount at risk in the list after 10 posted visits: %s -> %s", amount, eval[string](ctx, t, row))
}

// postRingVisits posts n visits of ring id's patients at its first clinic
// with its first doctor to the claims API.
func postRingVisits(t *testing.T, base, id string, n int) {
	t.Helper()
	var ring findings.Ring
	getJSON(t, base+"/api/v1/rings/"+id, &ring)
	var clinic, doctor string
	var patients []string
	for _, m := range ring.Members {
		switch {
		case m.Kind == findings.KindClinic && clinic == "":
			clinic = m.ID
		case m.Kind == findings.KindDoctor && doctor == "":
			doctor = m.ID
		case m.Kind == findings.KindPatient && len(patients) < n:
			patients = append(patients, m.ID)
		}
	}
	var body strings.Builder
	for i, p := range patients {
		fmt.Fprintf(&body, `{"mdtrt_id":"WEB%04d","psn_no":%q,"fixmedins_code":%q,"med_type":"11","begntime":"2025-12-31 09:%02d:00",`+
			`"atddr_no":%q,"dise_codg":"J20.900","medfee_sumamt":"480.00","fund_pay_sumamt":"420.00","mdtrt_cert_type":"03"}`+"\n",
			i, p, clinic, i, doctor)
	}
	res, err := http.Post(base+"/api/v1/claims", "application/x-ndjson", strings.NewReader(body.String()))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusAccepted {
		b, _ := io.ReadAll(res.Body)
		t.Fatalf("POST claims: %d %s", res.StatusCode, b)
	}
}

// huliServer serves the Huli fixture with the real server and the embedded
// page, and returns its URL once the server listens (detection runs on).
func huliServer(t *testing.T) string {
	t.Helper()
	return fixtureServer(t, nil)
}

// fixtureServer serves the Huli fixture with the real server, the embedded
// page and the workspace ws (none when nil), and returns its URL once the
// server listens (detection runs on).
func fixtureServer(t *testing.T, ws *workspace.Workspace) string {
	t.Helper()
	s, _ := startFixture(t, ws)
	ts := httptest.NewServer(s.Handler())
	t.Cleanup(ts.Close)
	return ts.URL
}

// startFixture starts a server of the Huli fixture (Run on), with the
// embedded page and the workspace ws (none when nil); stop ends its Run,
// which closes its websocket streams (also at the test's end).
func startFixture(t *testing.T, ws *workspace.Workspace) (s *server.Server, stop func()) {
	t.Helper()
	load := func(ctx context.Context, workers int, progress func(string, int64, int64)) (*graph.Tables, error) {
		res, err := ingest.Load(ctx, "../../fixtures/testdata/huli-small", ingest.Options{Workers: workers, Progress: func(p ingest.Progress) {
			progress("read "+filepath.Base(p.Path), p.Bytes, p.TotalBytes)
		}}, func(ingest.Reject) error { return nil })
		if err != nil {
			return nil, err
		}
		return res.Tables, nil
	}
	s, err := server.New(server.Config{Load: load, Detect: rings.Options{Seed: 1}, Static: FS(), Workspace: ws})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := s.Run(ctx); err != nil {
			t.Errorf("Run: %v", err)
		}
	}()
	var once sync.Once
	stop = func() { once.Do(func() { cancel(); <-done }) }
	t.Cleanup(stop)
	return s, stop
}

// nodeHitsReply is the rule-hit part of GET /api/v1/nodes/{kind}/{id}.
type nodeHitsReply struct {
	Hits  []findings.Evidence `json:"rule_hits"`
	Total int                 `json:"rule_hits_total"`
}

// nodeWithHits returns the page's graph key of the member of ring id with
// the most rule hits, and its hits, asked of the API.
func nodeWithHits(t *testing.T, base, id string) (string, nodeHitsReply) {
	t.Helper()
	var ring findings.Ring
	getJSON(t, base+"/api/v1/rings/"+id, &ring)
	group := map[string]string{"patient": "patient", "doctor": "doctor", "clinic": "site", "pharmacy": "site"}
	var key string
	var best nodeHitsReply
	for _, m := range ring.Members {
		var rep nodeHitsReply
		getJSON(t, base+"/api/v1/nodes/"+m.Kind+"/"+url.PathEscape(m.ID), &rep)
		if rep.Total > best.Total {
			key, best = group[m.Kind]+":"+m.ID, rep
		}
	}
	if best.Total == 0 || len(best.Hits) == 0 || len(best.Hits[0].MdtrtIDs) == 0 {
		t.Fatalf("no member of ring %s has a rule hit citing a visit", id)
	}
	return key, best
}

// getJSON decodes the JSON reply of GET u into v.
func getJSON(t *testing.T, u string, v any) {
	t.Helper()
	res, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s", u, res.Status)
	}
	if err := json.NewDecoder(res.Body).Decode(v); err != nil {
		t.Fatalf("GET %s: %v", u, err)
	}
}

// jsString quotes s as a JavaScript string literal.
func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
