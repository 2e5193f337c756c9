package web

import (
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestPageAcrossTakeOver serves the page from one server, then hands the
// address to another, as `serve` does when a full-run process takes over,
// and ends the first, which closes the page's stream: the page says it is
// disconnected, reconnects to the new server, says it is connected again
// and lists the ring as before.
func TestPageAcrossTakeOver(t *testing.T) {
	ctx, cancel := browser(t)
	defer cancel()
	first, stopFirst := startFixture(t, nil)
	var current atomic.Pointer[http.Handler]
	h := first.Handler()
	current.Store(&h)
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { (*current.Load()).ServeHTTP(w, r) }))
	defer ts.Close()

	run(ctx, t, "load",
		chromedp.EmulateViewport(1280, 800),
		chromedp.Navigate(ts.URL+"/?lang=en"),
		chromedp.WaitVisible(chromedp.CSS(`#ring-list li[data-ring="R001"]`)),
		waitJS(`document.getElementById("conn").textContent === "Connected"`),
		// Count the drops the page shows from now on.
		chromedp.Evaluate[chromedp.Void](`(() => { window.__drops = 0; const c = document.getElementById("conn");
			new MutationObserver(() => { if (c.textContent.startsWith("Disconnected")) window.__drops++; }).observe(c, {childList: true, characterData: true, subtree: true}); })(), undefined`, chromedp.EvalIgnoreExceptions),
	)
	second, _ := startFixture(t, nil)
	h2 := second.Handler()
	current.Store(&h2)
	stopFirst() // its Run ends: its streams close
	run(ctx, t, "reconnect",
		waitJS(`window.__drops > 0`),
		waitJS(`document.getElementById("conn").textContent === "Connected"`),
		chromedp.WaitVisible(chromedp.CSS(`#ring-list li[data-ring="R001"]`)),
	)
	if n := eval[int](ctx, t, `document.querySelectorAll("#ring-list li[data-ring]").length`); n != 1 {
		t.Errorf("%d rings listed after the take-over, want 1", n)
	}
}
