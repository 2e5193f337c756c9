// The workspace's views beside the rings: the login form (when the
// workspace has users), the cases page (list with status, due date and
// overdue; a case with its history; state changes with note and due date;
// an investigator put on the case; one person's identity revealed with a
// stated reason) and, for admins, the audit trail. Views are chosen by the
// address's hash: "" the rings, #cases, #cases/CL-000001, #audit.

import { api, setCSRF, setUnauthorizedHandler } from "./api.js";
import { t, tf } from "./i18n.js";
import { codes, label } from "./vocab.js";
import { el, money } from "./dom.js";

const $ = (id) => document.getElementById(id);

const view = {
  session: null, // GET /api/v1/session
  cases: [], // the listed cases
  selected: null, // the shown case (GET /api/v1/cases/{id})
  message: "", // the i18n key of the last update's confirmation or error
  detail: "", // the server's message of an error (shown as data)
  revealed: null, // {member, reply} of the one revealed person, or a refusal {member, error}
  revealing: "", // the member whose reveal form is open
  audit: [], // loaded audit entries, newest first
  auditHead: "",
  auditTotal: 0,
};

/** Closed states: their due date no longer runs (docs/workflow.md). */
const CLOSED = new Set(["dismissed", "penalised", "transferred"]);
/** The states a case may go to from each state (docs/workflow.md). */
const NEXT = {
  new: ["assigned", "dismissed"],
  assigned: ["verifying", "new"],
  verifying: ["confirmed", "dismissed"],
  confirmed: ["penalised", "transferred"],
  penalised: ["transferred"],
};

const role = () => view.session?.user?.role || "";
const canWrite = () => !view.session?.login_required || ["admin", "investigator", "reviewer"].includes(role());
const canReveal = () => role() === "reviewer" || role() === "investigator";

/**
 * Reads the session and sets up the views. It resolves to {rings}: whether
 * the rings view (graph, stream) is to be loaded: not before a login, and
 * never for the police, who see only their cases.
 */
export async function initSession() {
  let s;
  try {
    s = await api.session();
  } catch {
    s = { login_required: false };
  }
  view.session = s;
  setCSRF(s.csrf);
  $("login-form").addEventListener("submit", onLogin);
  $("logout").addEventListener("click", async () => {
    try {
      await api.logout();
    } finally {
      location.hash = "";
      location.reload();
    }
  });
  $("case-filters").addEventListener("submit", (ev) => ev.preventDefault());
  for (const id of ["c-status", "c-overdue"]) $(id).addEventListener("change", loadCases);
  $("audit-more").addEventListener("click", () => loadAudit(true));
  window.__ringlensCases = { view, loadCases, showCase };
  if (s.login_required && !s.user) {
    show("login");
    return { rings: false };
  }
  if (s.user) setUnauthorizedHandler(() => { setUnauthorizedHandler(null); location.reload(); });
  const rings = role() !== "police";
  window.addEventListener("hashchange", route);
  if (!rings && !location.hash.startsWith("#cases")) history.replaceState(history.state, "", "#cases");
  route();
  return { rings };
}

/** Shows one of the views: rings, cases, audit or login. */
function show(name) {
  $("rings-view").hidden = name !== "rings";
  $("cases-view").hidden = name !== "cases";
  $("audit-view").hidden = name !== "audit";
  $("login-view").hidden = name !== "login";
  for (const v of ["rings", "cases", "audit"]) $("nav-" + v).classList.toggle("active", v === name);
  renderViews();
}

/** Shows the view of the address's hash. */
function route() {
  const h = decodeURIComponent(location.hash.slice(1));
  const police = role() === "police";
  if (h === "audit" && role() === "admin") {
    show("audit");
    loadAudit(false);
  } else if (h.startsWith("cases") && view.session?.workspace) {
    show("cases");
    loadCases().then(() => {
      const id = h.split("/")[1];
      if (id) showCase(id);
    });
  } else if (police) {
    location.hash = "#cases";
  } else {
    show("rings");
  }
}

/** Renders the views' labels and contents in the current language. */
export function renderViews() {
  const s = view.session;
  if (!s) return;
  const logged = !!s.user;
  $("user").hidden = !logged;
  if (logged) {
    $("user-name").textContent = s.user.name;
    $("user-role").textContent = label("user_role", s.user.role);
  }
  $("views").hidden = !s.workspace || (s.login_required && !logged);
  $("nav-rings").hidden = role() === "police";
  $("nav-audit").hidden = role() !== "admin";
  renderStatusOptions();
  renderCaseList();
  renderCase();
  renderAudit();
}

// ---------- login ----------

async function onLogin(ev) {
  ev.preventDefault();
  $("login-error").textContent = "";
  try {
    await api.login($("login-name").value, $("login-password").value);
    location.reload();
  } catch (err) {
    $("login-error").textContent = err.status === 401 ? t("loginWrong") : err.status === 429 ? t("loginLocked") : err.message;
  }
}

// ---------- cases ----------

function renderStatusOptions() {
  const sel = $("c-status");
  const cur = sel.value;
  sel.replaceChildren(el("option", { value: "", text: t("allStates") }), ...codes("case_state").map((c) => el("option", { value: c, text: label("case_state", c) })));
  sel.value = cur;
}

/** Loads the case list for the filters. */
async function loadCases() {
  try {
    const rep = await api.cases($("c-status").value, $("c-overdue").checked);
    view.cases = Array.isArray(rep?.cases) ? rep.cases : [];
  } catch (err) {
    view.cases = [];
    view.message = "loadFailed";
    view.detail = err.message;
  }
  renderCaseList();
}

function dueCell(c) {
  return el("td", { class: c.overdue ? "overdue" : "" }, c.due || "", c.overdue ? el("span", { class: "badge", text: t("overdue") }) : "");
}

function renderCaseList() {
  const body = $("case-body");
  body.replaceChildren(...view.cases.map((c) => el("tr", {
    "data-case": c.id,
    class: view.selected?.id === c.id ? "selected" : "",
    tabindex: "0",
    onclick: () => { location.hash = "#cases/" + c.id; },
    onkeydown: (ev) => { if (ev.key === "Enter") location.hash = "#cases/" + c.id; },
  },
  el("td", { "data-v": true, text: c.id }),
  el("td", { "data-v": true, text: c.typology ? label("typology", c.typology) : c.title || c.rule || "" }),
  el("td", { class: "num", text: money(c.amount) }),
  el("td", { class: "status", text: label("case_state", c.status) }),
  dueCell(c),
  el("td", { "data-v": true, text: (c.updated_at || "").slice(0, 10) }),
  )));
  $("case-count").textContent = tf("caseCount", { n: view.cases.length });
}

/** Shows one case with its history. */
async function showCase(id) {
  if (view.selected?.id !== id) view.message = view.detail = "";
  try {
    view.selected = await api.case(id);
    if (view.revealed && view.revealed.caseId !== id) view.revealed = null;
  } catch (err) {
    view.selected = null;
    view.message = "loadFailed";
    view.detail = err.message;
  }
  renderCaseList();
  renderCase();
}

function row(k, v) {
  return el("tr", {}, el("th", { text: t(k) }), el("td", {}, v));
}

function renderCase() {
  const box = $("case-detail");
  const c = view.selected;
  if (!c) {
    box.replaceChildren(el("p", { class: "muted" }, t(view.message || "selectCase"), view.detail ? el("span", { "data-v": true, text: " " + view.detail }) : ""));
    return;
  }
  const facts = el("table", { class: "facts" },
    row("caseStatus", label("case_state", c.status) + (c.transfer_to ? " → " + label("transfer_target", c.transfer_to) : "")),
    row("due", el("span", { class: c.overdue ? "overdue" : "" }, c.due || "—", c.overdue ? el("span", { class: "badge", text: t("overdue") }) : "")),
    row("amount", money(c.amount)),
    row("caseSource", c.source === "ring" ? t("sourceRing") : c.source === "rule" ? t("sourceRule") : t("sourceNational")),
    row("investigators", el("span", { "data-v": true, text: (c.investigators || []).join(", ") || "—" })),
  );
  box.replaceChildren(
    el("h3", {}, el("span", { "data-v": true, text: c.id }), " ", el("span", { class: "muted", text: c.typology ? label("typology", c.typology) : "" })),
    facts,
    canWrite() ? updateForm(c) : "",
    el("p", { id: "case-message", class: "message", role: "status" }, view.message ? t(view.message) : "", view.detail ? el("span", { "data-v": true, class: "muted", text: " " + view.detail }) : ""),
    el("h4", { text: t("history") }),
    historyTable(c),
    el("h4", { text: t("caseMembers") }),
    membersList(c),
  );
}

function updateForm(c) {
  const next = NEXT[c.status] || [];
  const status = el("select", { id: "u-status" }, el("option", { value: "", text: "—" }), ...next.map((s) => el("option", { value: s, text: label("case_state", s) })));
  const to = el("select", { id: "u-to" }, ...codes("transfer_target").map((x) => el("option", { value: x, text: label("transfer_target", x) })));
  const toLabel = el("label", { hidden: true }, el("span", { text: t("transferTo") }), to);
  status.addEventListener("change", () => { toLabel.hidden = status.value !== "transferred"; });
  const form = el("form", { id: "case-update", class: "case-update" },
    el("label", {}, el("span", { text: t("newState") }), status),
    toLabel,
    el("label", {}, el("span", { text: t("note") }), el("input", { id: "u-note", type: "text", maxlength: "2000" })),
    el("label", {}, el("span", { text: t("due") }), el("input", { id: "u-due", type: "date" })),
    el("label", {}, el("span", { text: t("assign") }), el("input", { id: "u-assign", type: "text", maxlength: "64", autocomplete: "off" })),
    el("button", { type: "submit", class: "btn", id: "u-submit", text: t("save") }),
  );
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const change = {};
    if (status.value) change.status = status.value;
    if (status.value === "transferred") change.transfer_to = to.value;
    const note = $("u-note").value.trim();
    const due = $("u-due").value;
    const assign = $("u-assign").value.trim();
    if (change.status && note) change.note = note;
    if (change.status && due) change.due = due;
    if (assign) change.assign = assign;
    if (!change.status && !assign) {
      view.message = "chooseChange";
      renderCase();
      return;
    }
    view.detail = "";
    try {
      view.selected = await api.updateCase(c.id, change);
      view.message = "saved";
      await loadCases();
    } catch (err) {
      view.message = err.status === 409 ? "notAllowed" : "updateFailed";
      if (err.status !== 409) view.detail = err.message;
    }
    renderCase();
  });
  return form;
}

function historyTable(c) {
  const events = Array.isArray(c.events) ? c.events : [];
  if (!events.length) return el("p", { class: "muted", text: t("noHistory") });
  return el("table", { class: "evidence history" },
    el("thead", {}, el("tr", {}, ...["when", "who", "caseStatus", "note", "due"].map((k) => el("th", { text: t(k) })))),
    el("tbody", {}, ...events.map((e) => el("tr", {},
      el("td", { "data-v": true, text: (e.at || "").replace("T", " ").replace("Z", "") }),
      el("td", { "data-v": true, text: e.by }),
      el("td", { text: label("case_state", e.from) + " → " + label("case_state", e.to) + (e.transfer_to ? " (" + label("transfer_target", e.transfer_to) + ")" : "") }),
      el("td", { "data-v": true, text: e.note || "" }),
      el("td", { "data-v": true, text: e.due || "" }),
    ))));
}

function membersList(c) {
  const ms = Array.isArray(c.members) ? c.members : [];
  if (!ms.length) return el("p", { class: "muted", text: "—" });
  return el("ul", { class: "case-members" }, ...ms.map((m) => {
    const [kind, ...rest] = m.split(":");
    const id = rest.join(":");
    const person = kind === "patient" || kind === "doctor";
    const li = el("li", { "data-member": m }, el("span", { text: label("kind", kind) + " " }), el("code", { "data-v": true, text: id }));
    if (person && canReveal()) {
      if (view.revealing === m) li.append(revealForm(c, kind, id));
      else li.append(" ", el("button", { type: "button", class: "btn small reveal", text: t("reveal"), onclick: () => { view.revealing = m; renderCase(); } }));
    }
    const r = view.revealed;
    if (r && r.member === m && r.caseId === c.id) {
      li.append(r.error
        ? el("span", { class: "error", role: "alert" }, " " + t("revealRefused") + " ", el("span", { "data-v": true, text: r.detail }))
        : el("span", { class: "revealed" }, " ", el("strong", { "data-v": true, text: r.reply.name || "—" }), " ", el("code", { "data-v": true, text: r.reply.certno || "" }), el("span", { class: "muted", text: " " + tf("revealAudited", { seq: r.reply.audit_seq }) })));
    }
    return li;
  }));
}

function revealForm(c, kind, id) {
  const reason = el("input", { type: "text", class: "reveal-reason", maxlength: "500", placeholder: t("revealReason"), required: true });
  const form = el("form", { class: "reveal-form" }, reason,
    el("button", { type: "submit", class: "btn small", text: t("revealConfirm") }),
    el("button", { type: "button", class: "btn small", text: t("cancel"), onclick: () => { view.revealing = ""; renderCase(); } }));
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const member = kind + ":" + id;
    // One person at a time: a new reveal replaces the one shown.
    try {
      const reply = await api.reveal({ case: c.id, kind, id, reason: reason.value });
      view.revealed = { caseId: c.id, member, reply };
    } catch (err) {
      view.revealed = { caseId: c.id, member, error: true, detail: err.message };
    }
    view.revealing = "";
    renderCase();
  });
  setTimeout(() => reason.focus(), 0);
  return form;
}

// ---------- audit ----------

/** Loads the newest audit entries, or (more) the ones before those shown. */
async function loadAudit(more) {
  try {
    const before = more && view.audit.length ? view.audit[view.audit.length - 1].seq : 0;
    const page = await api.audit(before);
    const entries = Array.isArray(page?.entries) ? page.entries : [];
    view.audit = more ? [...view.audit, ...entries] : entries;
    view.auditHead = page?.head || "";
    view.auditTotal = page?.total || 0;
  } catch (err) {
    view.message = "loadFailed";
    view.detail = err.message;
  }
  renderAudit();
}

function renderAudit() {
  $("audit-head").textContent = view.auditTotal ? tf("auditHead", { n: view.auditTotal, head: view.auditHead.slice(0, 16) }) : "";
  $("audit-body").replaceChildren(...view.audit.map((e) => el("tr", { "data-seq": String(e.seq) },
    el("td", { class: "num", text: String(e.seq) }),
    el("td", { "data-v": true, text: (e.at || "").replace("T", " ").replace("Z", "") }),
    el("td", { "data-v": true, text: e.who }),
    el("td", { text: label("audit_action", e.action) }),
    el("td", { "data-v": true, text: e.subject }),
    el("td", { "data-v": true, text: e.why || "" }),
    el("td", { "data-v": true, class: "detail", text: e.detail && Object.keys(e.detail).length ? JSON.stringify(e.detail) : "" }),
  )));
  $("audit-more").hidden = view.audit.length >= view.auditTotal;
}
