package web

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/ringlens/ringlens/graph/findings"
	"github.com/ringlens/ringlens/graph/vocab"
	"github.com/ringlens/ringlens/graph/workspace"
)

// casesPassword is the password of the test users.
const casesPassword = "correct horse battery"

// casesServer serves the Huli fixture with a workspace: ring R001 as case
// CL-000001 (ivan, an investigator, on it), a national clue CL-000002 past
// its deadline, and the users ivan and ada (admin). It returns the URL and
// the workspace.
func casesServer(t *testing.T) (string, *workspace.Workspace) {
	t.Helper()
	ctx := context.Background()
	ws, err := workspace.Open(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ws.Close() }) // after the server has stopped (cleanups run last first)
	base := fixtureServer(t, ws)
	deadline := time.Now().Add(30 * time.Second)
	for {
		var st struct {
			Ready bool `json:"ready"`
		}
		getJSON(t, base+"/api/v1/status", &st)
		if st.Ready {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("server not ready")
		}
		time.Sleep(50 * time.Millisecond)
	}
	var ring findings.Ring
	getJSON(t, base+"/api/v1/rings/R001", &ring)
	if _, err := ws.RecordFindings(ctx, &findings.Findings{Rings: []findings.Ring{ring}}, workspace.RecordOptions{}); err != nil {
		t.Fatal(err)
	}
	b := workspace.Batch{Batch: "NHSA-2026-07", Deadline: "2026-01-31",
		Clues: []workspace.BatchClue{{ID: "1", Title: "pharmacy cash-out", Amount: 5000}}}
	if _, err := ws.Import(ctx, b, "ada"); err != nil {
		t.Fatal(err)
	}
	for name, role := range map[string]string{"ivan": vocab.UserInvestigator, "ada": vocab.UserAdmin} {
		if err := ws.AddUser(ctx, name, role, casesPassword, "test"); err != nil {
			t.Fatal(err)
		}
	}
	if err := ws.Assign(ctx, "CL-000001", "ivan", "ada"); err != nil {
		t.Fatal(err)
	}
	// The page now needs a login.
	res, err := http.Get(base + "/api/v1/rings")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusUnauthorized {
		t.Fatalf("rings without login: %s", res.Status)
	}
	return base, ws
}

// loginAs fills in and sends the login form.
func loginAs(ctx context.Context, t *testing.T, name string) {
	t.Helper()
	run(ctx, t, "login "+name,
		chromedp.WaitVisible(chromedp.CSS(`#login-form`)),
		chromedp.SendKeys(chromedp.CSS(`#login-name`), name),
		chromedp.SendKeys(chromedp.CSS(`#login-password`), casesPassword),
		chromedp.Click(chromedp.CSS(`#login-submit`)),
		chromedp.Sleep(500*time.Millisecond), // the page reloads with the session
		chromedp.WaitReady(chromedp.CSS(`body`)),
	)
}

// TestPageCases logs in as an investigator, works a case on the cases page
// (list with status, due date and overdue; the case's history; a state
// change with note and due date), reveals one member's identity with a
// reason, and, as an admin, reads the audit page, in Chinese.
func TestPageCases(t *testing.T) {
	ctx, cancel := browser(t)
	defer cancel()
	dir := screenshotDir(t)
	base, ws := casesServer(t)

	run(ctx, t, "login form",
		chromedp.EmulateViewport(1366, 768),
		chromedp.Navigate(base+"/?lang=zh"),
		waitJS(`!document.getElementById("login-view").hidden && document.getElementById("rings-view").hidden`),
	)
	shot(ctx, t, dir, "cases-login-zh.png")
	run(ctx, t, "wrong password",
		chromedp.SendKeys(chromedp.CSS(`#login-name`), "ivan"),
		chromedp.SendKeys(chromedp.CSS(`#login-password`), "not the password"),
		chromedp.Click(chromedp.CSS(`#login-submit`)),
		waitJS(`document.getElementById("login-error").textContent === "用户名或密码错误"`),
		chromedp.Navigate(base+"/?lang=zh"),
	)
	loginAs(ctx, t, "ivan")
	run(ctx, t, "cases",
		waitJS(`!document.getElementById("rings-view").hidden && document.getElementById("user-name").textContent === "ivan"`),
		waitJS(`document.querySelector('#ring-list li[data-ring="R001"]') !== null`),
		chromedp.Click(chromedp.CSS(`#nav-cases`)),
		waitJS(`document.querySelectorAll("#case-body tr[data-case]").length === 2`),
	)
	rowText := func(id string) string { return text(ctx, t, `#case-body tr[data-case="`+id+`"]`) }
	if r := rowText("CL-000001"); !strings.Contains(r, "新线索") {
		t.Errorf("CL-000001 row %q lacks its state", r)
	}
	if r := rowText("CL-000002"); !strings.Contains(r, "2026-01-31") || !strings.Contains(r, "逾期") {
		t.Errorf("CL-000002 row %q lacks its due date or overdue mark", r)
	}
	run(ctx, t, "overdue filter",
		chromedp.Click(chromedp.CSS(`#c-overdue`)),
		waitJS(`document.querySelectorAll("#case-body tr[data-case]").length === 1`),
		chromedp.Click(chromedp.CSS(`#c-overdue`)),
		waitJS(`document.querySelectorAll("#case-body tr[data-case]").length === 2`),
	)

	run(ctx, t, "open case",
		chromedp.Click(chromedp.CSS(`#case-body tr[data-case="CL-000001"]`)),
		waitJS(`location.hash === "#cases/CL-000001" && document.querySelector("#case-detail h3")?.textContent.includes("CL-000001")`),
		chromedp.SetValue(chromedp.CSS(`#u-status`), "assigned"),
		chromedp.SendKeys(chromedp.CSS(`#u-note`), "交第二组核查"),
		chromedp.SetValue(chromedp.CSS(`#u-due`), "2099-06-30"),
		chromedp.Click(chromedp.CSS(`#u-submit`)),
		waitJS(`document.querySelectorAll("#case-detail table.history tbody tr").length === 1`),
	)
	if h := text(ctx, t, `#case-detail table.history`); !strings.Contains(h, "ivan") || !strings.Contains(h, "新线索 → 已分派") || !strings.Contains(h, "交第二组核查") || !strings.Contains(h, "2099-06-30") {
		t.Errorf("history after the update: %q", h)
	}
	if m := text(ctx, t, `#case-message`); m != "已保存" {
		t.Errorf("message %q", m)
	}
	run(ctx, t, "list updated", waitJS(`document.querySelector('#case-body tr[data-case="CL-000001"]').textContent.includes("已分派")`))
	// A change the workflow does not allow is refused with the reason.
	run(ctx, t, "refused change",
		chromedp.Evaluate[chromedp.Void](`(() => { const s = document.getElementById("u-status"); s.append(new Option("x", "penalised")); s.value = "penalised"; })()`),
		chromedp.Click(chromedp.CSS(`#u-submit`)),
		waitJS(`document.getElementById("case-message").textContent.startsWith("流程不允许此变更")`),
	)
	c, err := ws.Show(context.Background(), "CL-000001")
	if err != nil || c.Status != vocab.StateAssigned || len(c.Events) != 1 || c.Events[0].By != "ivan" || c.Due != "2099-06-30" {
		t.Fatalf("workspace after the page's update: %+v %v", c, err)
	}
	if bad := eval[string](ctx, t, langCheckJS); bad != "" {
		t.Errorf("the Chinese cases page shows words of the other language:\n%s", bad)
	}
	run(ctx, t, "english", chromedp.Click(chromedp.CSS(`#lang`)),
		waitJS(`document.querySelector('#case-body tr[data-case="CL-000001"]').textContent.includes("assigned")`))
	if bad := eval[string](ctx, t, langCheckJS); bad != "" {
		t.Errorf("the English cases page shows words of the other language:\n%s", bad)
	}
	shot(ctx, t, dir, "cases-case-en.png")
	run(ctx, t, "chinese", chromedp.Click(chromedp.CSS(`#lang`)),
		waitJS(`document.querySelector('#case-body tr[data-case="CL-000001"]').textContent.includes("已分派")`))

	// Reveal one patient with a reason.
	var patient string
	for _, m := range c.Members {
		if k, id, _ := strings.Cut(m, ":"); k == "patient" {
			patient = id
			break
		}
	}
	sel := `#case-detail li[data-member="patient:` + patient + `"]`
	run(ctx, t, "reveal",
		chromedp.Click(chromedp.CSS(sel+` button.reveal`)),
		chromedp.WaitVisible(chromedp.CSS(sel+` input.reveal-reason`)),
		chromedp.SendKeys(chromedp.CSS(sel+` input.reveal-reason`), "询问笔录核对身份"),
		chromedp.Click(chromedp.CSS(sel+` .reveal-form button[type="submit"]`)),
		waitJS(`document.querySelector(`+jsString(sel+` .revealed strong, `+sel+` .error`)+`) !== null`),
	)
	if e := eval[string](ctx, t, `document.querySelector(`+jsString(sel+` .error`)+`)?.textContent || ""`); e != "" {
		t.Fatalf("reveal refused: %s", e)
	}
	name := text(ctx, t, sel+` .revealed strong`)
	if name == "" || strings.Contains(name, "*") {
		t.Errorf("revealed name %q", name)
	}
	shot(ctx, t, dir, "cases-case-zh.png")

	// The admin's audit page lists the reveal, the update and the logins.
	run(ctx, t, "logout", chromedp.Click(chromedp.CSS(`#logout`)), chromedp.Sleep(500*time.Millisecond))
	loginAs(ctx, t, "ada")
	run(ctx, t, "admin audit",
		waitJS(`!document.getElementById("nav-audit").hidden`),
		chromedp.Click(chromedp.CSS(`#nav-audit`)),
		waitJS(`document.querySelectorAll("#audit-body tr").length > 5`),
	)
	audit := text(ctx, t, `#audit-body`)
	for _, want := range []string{"查看真实身份", "询问笔录核对身份", "状态变更", "登录", "登录失败", "查看团伙"} {
		if !strings.Contains(audit, want) {
			t.Errorf("audit page lacks %q", want)
		}
	}
	if strings.Contains(audit, name) {
		t.Error("the audit page shows the revealed name")
	}
	shot(ctx, t, dir, "cases-audit-zh.png")
}
