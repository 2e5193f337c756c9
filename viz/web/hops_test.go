package web

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestAggregatedHops checks the scope selector's "+1 hop" and "+2 hops" on
// the mock's 400-member ring: the page asks for the aggregated
// neighbourhood, paints the other sites and doctors as nodes and the other
// people as one group per site or doctor (labelled from the vocabulary, in
// both languages), stays under 500 nodes, and a group expands on click
// into the people of its site.
func TestAggregatedHops(t *testing.T) {
	srv := newMockServer(t)
	defer srv.Close()
	ctx, cancel := browser(t)
	defer cancel()
	dir := screenshotDir(t)
	scope := func(h string) chromedp.Action[chromedp.Void] {
		return chromedp.Evaluate[chromedp.Void](`(() => { const e = document.getElementById("hops"); e.value = "`+h+`"; e.dispatchEvent(new Event("change")); })()`, chromedp.EvalIgnoreExceptions)
	}
	const group = "group:institution:HC000"
	run(ctx, t, "load",
		chromedp.EmulateViewport(1366, 768),
		chromedp.Navigate(srv.URL+"/?lang=en"),
		waitJS(`document.querySelectorAll("#ring-list li[data-ring]").length === 7`),
		clickCSS(`#ring-list li[data-ring="R400"]`),
		waitJS(`window.__ringlens.firstPaint && window.__ringlens.firstPaint.ring === "R400" && window.__ringlens.graph.order === 400`),
		scope("1"),
		waitJS(`window.__ringlens.graph.hasNode("`+group+`")`),
	)
	type counts struct {
		Order, Groups, People, FarPatients int
		Label                              string
	}
	const countJS = `(() => { const g = window.__ringlens.graph; const c = { order: g.order, groups: 0, people: 0, farPatients: 0, label: "" };
		g.forEachNode((n, a) => { if (a.kind === "group") { c.groups++; c.people += a.count; } if (a.kind === "patient" && !a.member) c.farPatients++; });
		if (g.hasNode("` + group + `")) c.label = g.getNodeAttribute("` + group + `", "label");
		return c; })()`
	c := eval[counts](ctx, t, countJS)
	t.Logf("+1 hop: %+v", c)
	if c.Order != 400+8+28 || c.Groups != 28 || c.People != 28*60 || c.FarPatients != 0 || c.Label != "60 more patients" {
		t.Errorf("+1 hop: %+v; want 436 nodes, 28 groups of 60 people, no patient beyond the ring, label \"60 more patients\"", c)
	}
	if l := text(ctx, t, "#legend"); !strings.Contains(l, "N more patients") {
		t.Errorf("legend %q lacks the group", l)
	}
	shot(ctx, t, dir, "hops-en-1.png")
	// A click on a group brings in the people of its clinic (the mock's
	// neighbours: 20) and leaves the rest in the group.
	run(ctx, t, "expand group",
		chromedp.Evaluate[chromedp.Void](`window.__ringlens.selectNode("`+group+`")`, chromedp.EvalIgnoreExceptions),
		waitJS(`window.__ringlens.graph.hasNode("patient:NHC000-19")`),
		waitJS(`window.__ringlens.graph.getNodeAttribute("`+group+`", "count") === 40`),
	)
	c = eval[counts](ctx, t, countJS)
	if c.Order != 436+20 || c.FarPatients != 20 || c.Label != "40 more patients" {
		t.Errorf("after expanding a group: %+v", c)
	}
	run(ctx, t, "zh", chromedp.Click(chromedp.CSS(`#lang`)), waitJS(`document.documentElement.lang === "zh-CN"`))
	if c = eval[counts](ctx, t, countJS); c.Label != "另有 40 名参保人" {
		t.Errorf("zh group label %q", c.Label)
	}
	if opt := eval[string](ctx, t, `document.getElementById("hops").selectedOptions[0].textContent`); !strings.Contains(opt, "1") {
		t.Errorf("scope reads %q", opt)
	}
	shot(ctx, t, dir, "hops-zh-1-expanded.png")
	run(ctx, t, "+2 hops",
		scope("2"),
		waitJS(`window.__ringlens.graph.hasNode("doctor:DH011")`),
	)
	c = eval[counts](ctx, t, countJS)
	t.Logf("+2 hops: %+v", c)
	if c.Order != 400+8+12+40 || c.Groups != 40 || c.FarPatients != 0 || c.Label != "另有 60 名参保人" {
		t.Errorf("+2 hops: %+v; want 460 nodes, 40 groups", c)
	}
	shot(ctx, t, dir, "hops-zh-2.png")
}
