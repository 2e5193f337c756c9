package web

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/ringlens/ringlens/graph/findings"
	"github.com/ringlens/ringlens/graph/vocab"
	"github.com/ringlens/ringlens/graph/workspace"
)

// TestPageStaffAlert serves the Huli fixture with a workspace and posts,
// while the page is open, a claim whose attending doctor the workspace's
// points ledger has terminated: the page's alert area shows it at once in
// Chinese (the vocabulary's sentence, the visit, the site, the doctor's
// role, masked name and code, the date and the fund), then in English
// after the language switch, without words of the other language and
// without the person; dismissed, it comes back with the next alert and
// the count of both. Screenshots in both languages are saved.
func TestPageStaffAlert(t *testing.T) {
	ctx, cancel := browser(t)
	defer cancel()
	dir := screenshotDir(t)
	ws, err := workspace.Open(context.Background(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ws.Close() })
	base := fixtureServer(t, ws)

	run(ctx, t, "load",
		chromedp.EmulateViewport(1280, 800),
		chromedp.Navigate(base+"/"),
		chromedp.WaitVisible(chromedp.CSS(`#ring-list li[data-ring="R001"]`)),
		waitJS(`document.getElementById("progress").classList.contains("done")`),
		clickCSS(`#ring-list li[data-ring="R001"]`),
		waitJS(`window.__ringlens.graph.order > 0 && !window.__ringlens.view.layout`),
	)
	if !eval[bool](ctx, t, `document.getElementById("alerts").hidden`) {
		t.Fatal("the alert area shows before any alert")
	}
	var ring findings.Ring
	getJSON(t, base+"/api/v1/rings/R001", &ring)
	var patient, clinic findings.Member
	var doctor findings.Member
	for _, m := range ring.Members {
		switch {
		case m.Kind == findings.KindPatient && patient.ID == "":
			patient = m
		case m.Kind == findings.KindClinic && clinic.ID == "":
			clinic = m
		case m.Kind == findings.KindDoctor && doctor.ID == "":
			doctor = m
		}
	}
	// Twelve points in December 2025: terminated from 2025-12-01 on.
	if _, err := ws.ImportLedger(context.Background(), workspace.Ledger{Format: workspace.LedgerFormat, Origin: "o1",
		Entries: []workspace.LedgerEntry{{UID: "o1/PT-1", Origin: "o1", Staff: doctor.ID, Sanction: vocab.SanctionPenalty,
			Responsibility: vocab.RespMain, Kind: vocab.PointsScored, Points: 12, EventDate: "2025-12-01", Revision: 1}}}, "test"); err != nil {
		t.Fatal(err)
	}
	post := func(id string) {
		t.Helper()
		row := fmt.Sprintf(`{"mdtrt_id":%q,"psn_no":%q,"fixmedins_code":%q,"med_type":"11","begntime":"2025-12-31 10:00:00",`+
			`"atddr_no":%q,"dise_codg":"J20.900","medfee_sumamt":"480.00","fund_pay_sumamt":"420.00","mdtrt_cert_type":"03"}`,
			id, patient.ID, clinic.ID, doctor.ID)
		res, err := http.Post(base+"/api/v1/claims", "application/x-ndjson", strings.NewReader(row))
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		if res.StatusCode != http.StatusAccepted || !strings.Contains(string(b), `"staff_alerts":1`) {
			t.Fatalf("POST claims: %d %s", res.StatusCode, b)
		}
	}
	post("WEBSA1")
	run(ctx, t, "alert", waitJS(`!!document.querySelector('#alert-list li[data-alert="WEBSA1"]') && !document.getElementById("alerts").hidden`))
	zh := text(ctx, t, "#alerts")
	for _, want := range []string{"实时预警", "医师 " + doctor.ID + " 已被暂停或终止医保支付资格（终止）", "就诊 WEBSA1", clinic.ID,
		"接诊医师", doctor.Label, "日期 2025-12-31", "基金 ¥420.00", "共 1 条"} {
		if !strings.Contains(zh, want) {
			t.Errorf("alert area lacks %q:\n%s", want, zh)
		}
	}
	if strings.Contains(zh, patient.ID) || !strings.Contains(doctor.Label, "*") {
		t.Errorf("personal data in the alert area (or an unmasked doctor %q):\n%s", doctor.Label, zh)
	}
	if bad := eval[string](ctx, t, langCheckJS); bad != "" {
		t.Errorf("zh page with an alert shows words of the other language:\n%s", bad)
	}
	shot(ctx, t, dir, "staff-alert-zh.png")

	run(ctx, t, "english", chromedp.Click(chromedp.CSS(`#lang`)), waitJS(`document.getElementById("alerts-h").textContent.startsWith("Live alerts")`))
	en := text(ctx, t, "#alerts")
	for _, want := range []string{"Doctor " + doctor.ID + " is suspended or terminated (terminated)", "visit WEBSA1",
		"attending doctor", "date 2025-12-31", "fund ¥420.00", "1 in all"} {
		if !strings.Contains(en, want) {
			t.Errorf("English alert area lacks %q:\n%s", want, en)
		}
	}
	if bad := eval[string](ctx, t, langCheckJS); bad != "" {
		t.Errorf("en page with an alert shows words of the other language:\n%s", bad)
	}
	shot(ctx, t, dir, "staff-alert-en.png")

	run(ctx, t, "dismiss", chromedp.Click(chromedp.CSS(`#alerts-close`)), waitJS(`document.getElementById("alerts").hidden`))
	post("WEBSA2")
	run(ctx, t, "second alert", waitJS(`!!document.querySelector('#alert-list li[data-alert="WEBSA2"]') && !document.getElementById("alerts").hidden`))
	if first := eval[string](ctx, t, `document.querySelector("#alert-list li").dataset.alert`); first != "WEBSA2" {
		t.Errorf("newest alert listed first: %s", first)
	}
	if n := eval[int](ctx, t, `document.querySelectorAll("#alert-list li").length`); n != 2 {
		t.Errorf("%d alerts listed, want 2", n)
	}
	run(ctx, t, "count", waitJS(`document.getElementById("alerts-count").textContent === "2 in all"`))
}
