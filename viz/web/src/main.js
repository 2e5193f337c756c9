// RingLens live web view: ranked ring list (live over the websocket), the
// selected ring's subgraph, node details, timeline, evidence and export.

import { api, openStream } from "./api.js";
import { t, tf, setLang, lang, FEATURES } from "./i18n.js";
import { setVocab, codes, label, describe, kindLabel, reason, notice, checkSignal, groupLabel, stageText } from "./vocab.js";
import { GraphView, KIND_COLORS, LEAD_ROLES, displayKind, kindGroup, normaliseSubgraph } from "./graph.js";
import { timelineData, Timeline } from "./timeline.js";
import { el, num, money } from "./dom.js";
import { initSession, renderViews } from "./cases.js";

const $ = (id) => document.getElementById(id);

const state = {
  rings: new Map(), // id -> ring
  selectedRing: null, // ring id
  ring: null, // full ring of the selection
  sub: null, // normalised subgraph of the selection
  node: null, // selected node attributes
  progress: null,
  conn: "connecting",
  fresh: new Set(),
  range: null, // {from, to}: the brushed or filtered date range
  memberSort: { key: "fund", dir: -1 },
  notice: null,
  alerts: [], // staff alerts of the stream, newest first (at most MAX_ALERTS)
  alertsHidden: false, // dismissed until the next alert
};

/** The staff alerts the page keeps and lists. */
const MAX_ALERTS = 50;

// ---------- helpers ----------

function moneyShort(v) {
  const x = num(v);
  if (lang() === "zh") {
    if (x >= 1e8) return (x / 1e8).toFixed(2) + "亿";
    if (x >= 1e4) return (x / 1e4).toFixed(1) + "万";
  } else {
    if (x >= 1e6) return (x / 1e6).toFixed(2) + "M";
    if (x >= 1e4) return (x / 1e3).toFixed(1) + "k";
  }
  return x.toFixed(0);
}

function scoreColor(s) {
  const x = Math.max(0, Math.min(1, num(s)));
  return `hsl(${Math.round(40 - 40 * x)}, ${Math.round(60 + 30 * x)}%, ${Math.round(50 - 8 * x)}%)`;
}

/** Normalises a ring from the API (defensive about missing fields). */
function normaliseRing(r) {
  if (!r) return r;
  return {
    ...r,
    id: String(r.id ?? r.ring_id ?? ""),
    rank: num(r.rank),
    score: num(r.score),
    members: Array.isArray(r.members) ? r.members : [],
    evidence: Array.isArray(r.evidence) ? r.evidence : [],
    timeline: Array.isArray(r.timeline) ? r.timeline : [],
    amount_at_risk: num(r.amount_at_risk ?? r.amountAtRisk),
    features: r.features || {},
    why: Array.isArray(r.why) ? r.why : [],
  };
}

function download(name, type, text) {
  const blob = new Blob([text], { type });
  const url = URL.createObjectURL(blob);
  const a = el("a", { href: url, download: name });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

function csvCell(v) {
  let s = v === undefined || v === null ? "" : Array.isArray(v) ? v.join(";") : typeof v === "object" ? JSON.stringify(v) : String(v);
  // Text that a spreadsheet would run as a formula gets a leading apostrophe
  // (as the server's CSV files do); numbers stay numbers.
  if (typeof v !== "number" && /^[=+\-@\t\r']/.test(s)) s = "'" + s;
  return /[",\n\r]/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s;
}

function csv(header, rows) {
  return "\ufeff" + [header, ...rows].map((r) => r.map(csvCell).join(",")).join("\r\n") + "\r\n";
}

// ---------- i18n ----------

function applyI18n() {
  document.documentElement.lang = lang() === "zh" ? "zh-CN" : "en";
  document.title = t("title");
  for (const e of document.querySelectorAll("[data-i18n]")) e.textContent = t(e.dataset.i18n);
  for (const e of document.querySelectorAll("[data-i18n-ph]")) e.placeholder = t(e.dataset.i18nPh);
  for (const e of document.querySelectorAll("[data-i18n-aria]")) e.setAttribute("aria-label", t(e.dataset.i18nAria));
  $("lang").textContent = t("lang");
  renderLegend();
  renderConn();
  renderProgress();
  renderTypologyOptions();
  scheduleList();
  renderRingDetails();
  renderNode();
  renderBanner();
  renderAlerts();
  renderViews();
  if (graphView) { graphView.relabelGroups(); renderGraphInfo(); }
}

// ---------- progress and connection ----------

function renderConn() {
  $("conn").textContent = t(state.conn);
}

function renderProgress() {
  const p = state.progress;
  const box = $("progress");
  if (!p) {
    $("progress-bar").style.width = "0";
    $("progress-text").textContent = "";
    return;
  }
  const total = num(p.total), done = num(p.done);
  const pct = total > 0 ? Math.min(100, (100 * done) / total) : 0;
  const finished = p.stage === "done";
  box.classList.toggle("done", finished);
  box.classList.toggle("indeterminate", !finished && !(total > 0));
  if (finished || total > 0) box.setAttribute("aria-valuenow", String(Math.round(finished ? 100 : pct)));
  else box.removeAttribute("aria-valuenow");
  $("progress-bar").style.width = (finished ? 100 : pct) + "%";
  const stage = stageText(p.stage);
  $("progress-text").textContent = finished
    ? t("done")
    : `${t("detecting")} · ${stage}${total > 0 ? " · " + pct.toFixed(0) + "%" : ""}`;
}

// ---------- ring list ----------

function filters() {
  return {
    typology: $("f-typology").value,
    minScore: num($("f-score").value),
    inst: $("f-inst").value.trim().toLowerCase(),
    from: dateValue($("f-from").value),
    to: dateValue($("f-to").value),
  };
}

/** A complete YYYY-MM-DD date, else "" (a date being typed filters nothing). */
function dateValue(v) {
  v = String(v || "").trim();
  return /^\d{4}-\d{2}-\d{2}$/.test(v) ? v : "";
}

function ringMatches(r, f) {
  if (f.typology && r.typology !== f.typology) return false;
  if (r.score < f.minScore) return false;
  if (f.from && r.last && r.last.slice(0, 10) < f.from) return false;
  if (f.to && r.first && r.first.slice(0, 10) > f.to) return false;
  if (f.inst) {
    const ok = r.members.some((m) => kindGroup(m.kind) === "site" &&
      (String(m.id).toLowerCase().includes(f.inst) || String(m.label || "").toLowerCase().includes(f.inst)));
    if (!ok) return false;
  }
  return true;
}

// sortedRings lists the rings in the order the sort selector asks: the
// detection's rank (by score), amount at risk, or members; ties by rank.
function sortedRings() {
  const byRank = (a, b) => (a.rank || 1e9) - (b.rank || 1e9) || b.score - a.score || (a.id < b.id ? -1 : 1);
  const key = { amount: (r) => r.amount_at_risk, members: (r) => r.members.length }[$("f-sort")?.value];
  return [...state.rings.values()].sort(key ? (a, b) => key(b) - key(a) || byRank(a, b) : byRank);
}

let listPending = false;
function scheduleList() {
  if (listPending) return;
  listPending = true;
  requestAnimationFrame(() => {
    listPending = false;
    renderList();
  });
}

const LIST_CAP = 500;

function renderList() {
  const f = filters();
  const all = sortedRings();
  const shown = all.filter((r) => ringMatches(r, f));
  const ol = $("ring-list");
  const items = shown.slice(0, LIST_CAP).map((r) => {
    const li = el("li", {
      role: "option", tabindex: "0", "data-ring": r.id,
      "aria-selected": r.id === state.selectedRing ? "true" : "false",
      class: state.fresh.has(r.id) ? "fresh" : "",
      title: r.id,
      onclick: () => selectRing(r.id),
      onkeydown: (e) => { if (e.key === "Enter" || e.key === " ") { e.preventDefault(); selectRing(r.id); } },
    },
    el("span", { class: "num", text: r.rank ? "#" + r.rank : "–" }),
    el("span", {}, el("span", { class: "score-pill", style: "background:" + scoreColor(r.score), text: r.score.toFixed(2) })),
    el("span", { class: "typ", title: describe("typology", r.typology) || label("typology", r.typology) },
      r.changed ? el("span", { class: "chg", title: t("changed") + ": " + changedText(r.changed), "aria-label": t("changed"), text: "▲" }) : null, label("typology", r.typology)),
    el("span", { class: "num", text: String(r.members.length) }),
    el("span", { class: "num", text: moneyShort(r.amount_at_risk) }));
    return li;
  });
  ol.setAttribute("role", "listbox");
  ol.setAttribute("aria-label", t("rings"));
  ol.replaceChildren(...items);
  if (!items.length) ol.append(el("li", { class: "muted", id: "no-rings", text: all.length ? t("noMatch") : t("noRings") }));
  $("ring-count").textContent = `${Math.min(shown.length, LIST_CAP)} / ${all.length}` + (shown.length > LIST_CAP ? ` (${shown.length})` : "");
  // Rings beyond max_rings are not published: say how many, not silently drop them.
  const notReported = num(state.stats?.rings_not_reported);
  $("ring-count").title = notReported > 0 ? tf("notReported", { n: notReported }) : "";
  if (notReported > 0) $("ring-count").textContent += ` · +${notReported}`;
  state.fresh.clear();
  // The top ring is selected once the first rings arrive.
  if (!state.selectedRing && !state.autoSelected && shown.length) {
    state.autoSelected = true;
    selectRing(shown[0].id);
  }
}

function renderTypologyOptions() {
  const sel = $("f-typology");
  const cur = sel.value;
  // The vocabulary's typologies in its order, then any other a ring has.
  const all = new Set(codes("typology"));
  for (const r of state.rings.values()) if (r.typology) all.add(r.typology);
  sel.replaceChildren(el("option", { value: "", text: t("allTypologies") }),
    ...[...all].map((k) => el("option", { value: k, text: label("typology", k), title: describe("typology", k) || undefined })));
  sel.value = cur;
}

function upsertRing(r, fresh) {
  const ring = normaliseRing(r);
  if (!ring?.id) return;
  const known = state.rings.has(ring.id);
  state.rings.set(ring.id, ring);
  if (fresh) state.fresh.add(ring.id);
  if (!known && ring.typology && !$("f-typology").querySelector(`option[value="${CSS.escape(ring.typology)}"]`)) renderTypologyOptions();
  if (ring.id === state.selectedRing) {
    // Keep the richer copy if the stream sends a summary only.
    state.ring = { ...state.ring, ...ring, evidence: ring.evidence.length ? ring.evidence : state.ring?.evidence ?? [], timeline: ring.timeline.length ? ring.timeline : state.ring?.timeline ?? [] };
    renderRingDetails();
  }
  scheduleList();
}

async function loadRings() {
  try {
    const res = await api.rings();
    const list = Array.isArray(res) ? res : res?.rings ?? [];
    state.rings.clear();
    for (const r of list) upsertRing(r, false);
    scheduleList();
  } catch (err) {
    console.error(err);
  }
}

// ---------- stream ----------

function onMessage(msg) {
  switch (msg?.type) {
    case "progress":
      state.progress = msg;
      renderProgress();
      break;
    case "ring":
    case "ring_update":
      if (msg.ring) upsertRing(msg.ring, true);
      break;
    case "ring_removed":
      state.rings.delete(String(msg.id));
      scheduleList();
      break;
    case "resync":
      loadRings();
      break;
    case "stats":
      onStats(msg);
      break;
    case "notice":
      state.notice = msg;
      renderBanner();
      break;
    case "alert":
      onAlert(msg);
      break;
  }
}

/**
 * Takes a staff alert of the stream: a claim of a doctor suspended or
 * terminated on the claim's date. A reconnection resends the latest
 * alerts, so one already listed (same visit, doctor and time) is not
 * listed twice.
 */
function onAlert(a) {
  const key = (x) => [x.mdtrt_id, x.doctor, x.doctor_role, x.at].join("\u0000");
  if (state.alerts.some((x) => key(x) === key(a))) return;
  state.alerts.unshift({ ...a, fresh: true });
  state.alerts.length = Math.min(state.alerts.length, MAX_ALERTS);
  state.alertsHidden = false;
  renderAlerts();
}

/** A staff alert's sentence in the current language. */
function alertText(a) {
  const s = (lang() === "en" ? a.text_en : a.text_zh) || checkSignal(a) || a.code || "";
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** A time of the server (RFC 3339) as the browser's local time of day. */
function clock(at) {
  const d = new Date(at);
  return Number.isNaN(d.getTime()) ? "" : d.toLocaleTimeString(lang() === "zh" ? "zh-CN" : "en-GB", { hour12: false });
}

/** Draws the alert area: the latest staff alerts, newest first. */
function renderAlerts() {
  const box = $("alerts");
  box.hidden = state.alerts.length === 0 || state.alertsHidden;
  if (box.hidden) return;
  const total = Math.max(num(state.stats?.staff_alerts), state.alerts.length);
  $("alerts-count").textContent = tf("alertsCount", { n: total.toLocaleString() });
  $("alert-list").replaceChildren(...state.alerts.map((a) => {
    const li = el("li", { class: a.fresh ? "fresh" : undefined, "data-alert": a.mdtrt_id, "data-code": a.code },
      el("span", { class: "muted", text: clock(a.at) }),
      el("span", { class: "text", text: alertText(a) }),
      el("span", {}, t("alertVisit") + " ", el("span", { class: "code", text: a.mdtrt_id || "" })),
      a.fixmedins_code ? el("span", {}, a.institution_name ? el("span", { "data-v": "", text: a.institution_name + " " }) : null, "(" + a.fixmedins_code + ")") : null,
      el("span", {}, t(a.doctor_role === "billing" ? "alertBilling" : "alertAttending") + " ", a.doctor_label ? el("span", { "data-v": "", text: a.doctor_label + " " }) : null, el("span", { class: "code", text: a.doctor || "" })),
      el("span", {}, t("alertDate") + " " + (a.date || "")),
      num(a.fund) > 0 ? el("span", {}, t("alertFund") + " " + money(a.fund)) : null,
    );
    a.fresh = false;
    return li;
  }));
}

/** Applies a stats message (or GET /api/v1/status): idle and ready means done. */
function onStats(st) {
  const before = num(state.stats?.rings_not_reported);
  state.stats = st;
  if (num(st.rings_not_reported) !== before) scheduleList();
  if (state.alerts.length) renderAlerts();
  if (st.ready && !st.stage) {
    state.progress = { stage: "done", done: 1, total: 1 };
  } else if (st.stage && (!state.progress || state.progress.stage === "done")) {
    state.progress = { stage: st.stage, done: 0, total: 0 };
  }
  renderProgress();
}

// ---------- selection ----------

let graphView;
let timeline;
let selectSeq = 0;

async function selectRing(id) {
  const seq = ++selectSeq;
  const t0 = performance.now();
  state.selectedRing = id;
  state.ring = state.rings.get(id) || null;
  state.node = null;
  state.sub = null;
  scheduleList();
  renderRingDetails();
  renderNode();
  $("graph-empty").hidden = true;
  $("graph-info").textContent = t("expanding");
  const [ring, sub] = await Promise.allSettled([api.ring(id), api.subgraph(id, num($("hops").value))]);
  if (seq !== selectSeq) return;
  if (ring.status === "fulfilled" && ring.value) {
    state.ring = normaliseRing(ring.value.ring ?? ring.value);
    state.rings.set(id, { ...state.rings.get(id), ...state.ring });
  }
  if (sub.status === "fulfilled") {
    state.sub = normaliseSubgraph(sub.value);
    const members = new Map();
    for (const m of state.ring?.members ?? []) members.set(kindGroup(m.kind) + ":" + m.id, m);
    const t1 = performance.now();
    graphView.load(state.sub, members);
    if (state.range) { graphView.setRange(state.range); loadRangeVisits(); }
    window.__ringlens.graph = graphView.graph;
    window.__ringlens.renderer = graphView.renderer;
    // First paint: from the click to the frame that shows the graph.
    requestAnimationFrame(() => {
      if (seq !== selectSeq) return;
      window.__ringlens.firstPaint = { ring: id, nodes: graphView.graph.order, totalMs: performance.now() - t0, drawMs: performance.now() - t1 };
    });
  } else {
    graphView.clear();
    $("graph-info").textContent = t("loadError") + ": " + sub.reason;
  }
  renderGraphInfo();
  renderRingDetails();
}

function renderGraphInfo() {
  const g = graphView.graph;
  if (!state.selectedRing) { $("graph-info").textContent = ""; return; }
  const total = num(state.sub?.total_nodes);
  $("graph-info").textContent = `${state.selectedRing} · ${g.order}${total > g.order ? " / " + total.toLocaleString() : ""} ${t("nodes")} · ${g.size} ${t("edges")}` +
    (state.sub?.truncated ? ` · ${t("truncated")}` : "") + (graphView.layout ? ` · ${t("layoutRunning")}` : "");
}

function renderBanner() {
  const n = state.notice;
  $("banner").hidden = !n;
  if (!n) return;
  $("banner-text").textContent = noticeText(n);
}

/** A notice of the stream as a sentence of the current language (its vocabulary template). */
function noticeText(n) {
  const s = notice(n);
  if (!s) return t("noticeGeneric");
  return s.charAt(0).toUpperCase() + s.slice(1);
}

function changedText(c) {
  return tf("changedText", { since: c.since || "", visits: num(c.visits), fund: money(c.fund) });
}

function renderLegend() {
  const kinds = ["patient", "doctor", "clinic", "hospital", "pharmacy"];
  $("legend").replaceChildren(...[
    ...kinds.map((k) => el("span", {}, el("i", { style: "background:" + KIND_COLORS[k] }), kindLabel(k) || k)),
    el("span", {}, el("i", { class: "ring" }), t("organiser")),
    // Beyond the members the scope is aggregated: people as groups.
    $("hops").value !== "0" ? el("span", { title: describe("view_node", "group") || undefined }, el("i", { style: "background:" + KIND_COLORS.group }), groupLabel("N")) : null,
    el("span", {}, t("sizeFund") + " · " + t("pale")),
    el("span", {}, t("layoutRoles")),
  ].filter(Boolean));
}

function renderRingDetails() {
  const r = state.ring;
  const box = $("ring-summary");
  if (!r) {
    box.replaceChildren(el("p", { class: "muted", text: t("selectRing") }));
    timeline.set([]);
    $("evidence-body").replaceChildren();
    $("members-body").replaceChildren();
    $("cypher").value = "";
    return;
  }
  const feats = Object.entries(r.features || {}).sort((a, b) => Math.abs(b[1]) - Math.abs(a[1]));
  const featName = (k) => FEATURES[lang()]?.[k] ?? (lang() === "en" ? k.replace(/_/g, " ") : null);
  const shownFeats = feats.filter(([k]) => featName(k));
  box.replaceChildren(...[
    el("h3", { id: "why-h", text: t("why") }),
    r.why.length
      ? el("ol", { class: "why", id: "why", "aria-labelledby": "why-h" }, r.why.map((w, i) => el("li", {
          tabindex: "0", "data-why": String(i), title: t("whyHint"),
          onclick: () => showEvidence(w.evidence),
          onkeydown: (e) => { if (e.key === "Enter" || e.key === " ") { e.preventDefault(); showEvidence(w.evidence); } },
        }, el("span", { class: "strength", title: t("score") + " " + num(w.strength).toFixed(2) }, el("i", { style: `width:${Math.round(100 * Math.min(1, num(w.strength)))}%` })), (lang() === "en" ? w.en || w.zh : w.zh || w.en) || "")))
      : el("p", { class: "muted", text: t("noWhy") }),
    r.changed ? el("p", { class: "changed", id: "changed", text: "▲ " + changedText(r.changed) }) : null,
    el("dl", {},
      el("dt", { text: t("id") }), el("dd", { text: r.id }),
      el("dt", { text: t("rank") }), el("dd", { text: r.rank ? "#" + r.rank : "–" }),
      el("dt", { text: t("score") }), el("dd", {}, el("span", { class: "score-pill", style: "background:" + scoreColor(r.score), text: r.score.toFixed(3) })),
      el("dt", { text: t("typology") }), el("dd", { text: label("typology", r.typology), title: describe("typology", r.typology) || undefined }),
      el("dt", { text: t("members") }), el("dd", { text: String(r.members.length) }),
      el("dt", { text: t("amount") }), el("dd", { text: money(r.amount_at_risk) }),
      el("dt", { text: t("visits") }), el("dd", { text: String(num(r.visits)) }),
      el("dt", { text: t("period") }), el("dd", { text: `${r.first || ""} – ${r.last || ""}` }),
      ...(r.article || r.article_en ? [el("dt", { text: t("article") }), el("dd", { text: (lang() === "en" ? r.article_en : r.article) || r.article || r.article_en })] : []),
    ),
    shownFeats.length ? el("details", { class: "feats" }, el("summary", { text: t("features") }),
      el("dl", {}, shownFeats.flatMap(([k, v]) => [el("dt", { text: featName(k), title: k }), el("dd", { text: Number.isInteger(num(v)) ? String(v) : num(v).toFixed(3) })]))) : null,
  ].filter(Boolean));
  renderTimeline();
  renderEvidence();
  renderMembers();
  renderVisitsLink();
  $("dossier-link").href = "/api/v1/rings/" + encodeURIComponent(r.id) + "/dossier?lang=" + lang();
  const cypherBox = $("cypher");
  cypherBox.value = cypherFor(r.id);
  cypherBox.dataset.ring = r.id;
  // The server's query comes from the same code that pushes to Neo4j.
  api.cypher(r.id).then((c) => {
    if (c && c.cypher && cypherBox.dataset.ring === r.id) cypherBox.value = c.cypher;
  }).catch(() => {});
}

/** Visit times of edges among ring members (first and last visit of each pair). */
function edgeTimes() {
  const g = graphView.graph;
  const times = [];
  g.forEachEdge((e, a, s, tg, sa, ta) => {
    if (!sa.member || !ta.member) return;
    if (a.first) times.push(a.first);
    if (a.last && a.last !== a.first) times.push(a.last);
  });
  if (Array.isArray(state.ring?.visit_times)) times.push(...state.ring.visit_times);
  return times;
}

/**
 * Loads the begin times of every visit of the selected ring (GET
 * /api/v1/rings/{id}/visits) once, for the hour-of-day view; until then (or
 * without the endpoint) the times of the graph's edges stand in.
 */
async function loadRingVisitTimes() {
  const id = state.selectedRing;
  if (!id || state.visitTimes?.ring === id) return;
  state.visitTimes = { ring: id, times: null };
  try {
    const res = await api.visits(id);
    if (state.visitTimes?.ring !== id || !Array.isArray(res?.visits)) return;
    state.visitTimes.times = res.visits.map((v) => v.begin).filter(Boolean);
    renderTimeline();
  } catch (err) {
    console.warn("visits:", err);
  }
}

function renderTimeline() {
  const r = state.range, v = rangeVisits();
  $("range-text").textContent = r ? `${t("range")}: ${r.from || "…"} – ${r.to || "…"}` + (v ? " · " + tf("tipVisits", { v: v.total.toLocaleString(), f: money(v.fund) }) : "") : t("brushHint");
  $("range-clear").hidden = !r;
  if ($("panel-timeline").hidden) return;
  timeline.range = r;
  loadRingVisitTimes();
  const vt = state.visitTimes?.ring === state.selectedRing ? state.visitTimes.times : null;
  timeline.set(timelineData(state.ring, vt?.length ? vt : edgeTimes()));
}

/** Sets the date range (brushed or from the filters) and filters the views. */
function setRange(r) {
  state.range = r && (r.from || r.to) ? r : null;
  state.rangeVisits = null;
  if (graphView) graphView.setRange(state.range);
  renderRangeViews();
  loadRangeVisits();
}

function renderRangeViews() {
  renderTimeline();
  renderMembers();
  renderEvidence();
  renderVisitsLink();
}

let rangeSeq = 0;

/**
 * Asks the server for the ring's visits in the date range (GET
 * /api/v1/rings/{id}/visits?from=&to=): the members who took part and the
 * visits cited by evidence then filter the member table and the evidence.
 * Without the endpoint, members are filtered by their first and last visit.
 */
async function loadRangeVisits() {
  const seq = ++rangeSeq;
  const r = state.range, id = state.selectedRing;
  if (!r || !id) return;
  try {
    const res = await api.visits(id, r.from, r.to);
    if (seq !== rangeSeq || !Array.isArray(res?.visits)) return;
    const ids = new Set(), who = new Set();
    for (const v of res.visits) {
      if (v.mdtrt_id) ids.add(String(v.mdtrt_id));
      for (const k of [v.patient, v.doctor, v.site]) if (k) who.add(String(k));
    }
    state.rangeVisits = { ring: id, total: num(res.total ?? res.visits.length), fund: num(res.fund), ids, who };
    renderRangeViews();
  } catch (err) {
    console.warn("visits in range:", err);
  }
}

function rangeVisits() {
  const v = state.rangeVisits;
  return state.range && v && v.ring === state.selectedRing ? v : null;
}

function renderVisitsLink() {
  if (!state.ring) return;
  const q = new URLSearchParams({ format: "csv" });
  if (state.range?.from) q.set("from", state.range.from);
  if (state.range?.to) q.set("to", state.range.to);
  $("visits-link").href = "/api/v1/rings/" + encodeURIComponent(state.ring.id) + "/visits?" + q;
}

/** Whether evidence cites a visit in the range (true without a range or without cited rows). */
function evidenceInRange(ev) {
  const v = rangeVisits();
  if (!v) return true;
  const cited = [...(Array.isArray(ev.mdtrt_ids) ? ev.mdtrt_ids : []), ...(Array.isArray(ev.fees) ? ev.fees.map((f) => f.mdtrt_id) : [])];
  return !cited.length || cited.some((id) => v.ids.has(String(id)));
}

function inRange(first, last) {
  const r = state.range;
  if (!r) return true;
  if (!first && !last) return true;
  return !((r.from && (last || first).slice(0, 10) < r.from) || (r.to && (first || last).slice(0, 10) > r.to));
}

/** Shows the evidence rows a why sentence cites. */
function showEvidence(idx) {
  $("tab-evidence").click();
  const ids = new Set((Array.isArray(idx) ? idx : []).map(Number));
  let firstRow = null;
  for (const tr of $("evidence-body").querySelectorAll("tr[data-ev]")) {
    const on = ids.has(Number(tr.dataset.ev));
    tr.classList.toggle("ev-hl", on);
    if (on && !firstRow) firstRow = tr;
  }
  firstRow?.scrollIntoView({ block: "nearest" });
}

// ---------- member table ----------

const MEMBER_CAP = 300;
const MEMBER_COLS = [
  ["role", "role", (m) => label("role", m.role)],
  ["id", "code", (m) => m.id],
  ["label", "name", (m) => m.label || ""],
  ["visits", "visits", (m) => num(m.visits)],
  ["fund", "fund", (m) => num(m.fund)],
  ["rule_hits", "ruleHitsShort", (m) => num(m.rule_hits)],
  ["first", "first", (m) => m.first || ""],
  ["last", "last", (m) => m.last || ""],
];

function memberKey(m) {
  return kindGroup(m.kind) + ":" + m.id;
}

function sortedMembers() {
  const r = state.ring;
  if (!r) return [];
  const { key, dir } = state.memberSort;
  const col = MEMBER_COLS.find((c) => c[0] === key) ?? MEMBER_COLS[4];
  const v = rangeVisits();
  const list = r.members.filter((m) => (v ? v.who.has(String(m.id)) : inRange(m.first, m.last)));
  return list.sort((a, b) => {
    const x = col[2](a), y = col[2](b);
    const c = typeof x === "number" ? x - y : String(x).localeCompare(String(y), lang() === "zh" ? "zh-CN" : "en");
    return dir * c || (a.id < b.id ? -1 : 1);
  });
}

function renderMembers() {
  const r = state.ring;
  const head = $("members-head");
  head.replaceChildren(...MEMBER_COLS.map(([key, tk]) => el("th", {
    "data-col": key, tabindex: "0", scope: "col",
    "aria-sort": state.memberSort.key === key ? (state.memberSort.dir > 0 ? "ascending" : "descending") : undefined,
    onclick: () => sortMembers(key),
    onkeydown: (e) => { if (e.key === "Enter") sortMembers(key); },
    text: t(tk),
  })));
  if (!r) { $("members-body").replaceChildren(); $("member-count").textContent = ""; return; }
  const all = sortedMembers();
  const shown = all.slice(0, MEMBER_CAP);
  const sel = state.node?.key;
  $("members-body").replaceChildren(...shown.map((m) => el("tr", {
    "data-key": memberKey(m), class: memberKey(m) === sel ? "sel" : "", tabindex: "0",
    onclick: () => selectMember(m),
    onkeydown: (e) => { if (e.key === "Enter" || e.key === " ") { e.preventDefault(); selectMember(m); } },
  },
    el("td", { class: "nowrap", text: label("role", m.role) + (LEAD_ROLES.has(m.role) ? " ★" : ""), title: describe("role", m.role) || undefined }),
    el("td", { class: "code", text: m.id }),
    el("td", { "data-v": "", text: m.label || "" }),
    el("td", { class: "num", text: m.visits !== undefined ? String(num(m.visits)) : "–" }),
    el("td", { class: "num", text: m.fund !== undefined ? money(m.fund) : "–" }),
    el("td", { class: "num", text: m.rule_hits !== undefined ? String(num(m.rule_hits)) : "–" }),
    el("td", { class: "nowrap", text: m.first || "–" }),
    el("td", { class: "nowrap", text: m.last || "–" }),
  )));
  const n = r.members.length;
  $("member-count").textContent = `${t("members")} ${shown.length} / ${n}` + (state.range && all.length < n ? ` (${t("range")})` : "");
}

function sortMembers(key) {
  const s = state.memberSort;
  state.memberSort = s.key === key ? { key, dir: -s.dir } : { key, dir: ["role", "id", "label", "first"].includes(key) ? 1 : -1 };
  renderMembers();
}

function selectMember(m) {
  const key = memberKey(m);
  graphView.select(key);
  graphView.center(key);
}

function memberTableCSV(r) {
  return {
    name: `ring-${r.id}-member-table.csv`, type: "text/csv;charset=utf-8",
    text: csv(["ring_id", "kind", "role", "id", "label", "visits", "fund", "rule_hits", "first", "last", "score"],
      sortedMembers().map((m) => [r.id, m.kind, m.role, m.id, m.label, m.visits, m.fund, m.rule_hits, m.first, m.last, m.score])),
  };
}

function citedRows(ev) {
  const fees = Array.isArray(ev.fees) ? ev.fees : [];
  const ids = Array.isArray(ev.mdtrt_ids) ? ev.mdtrt_ids : [];
  const parts = fees.length
    ? fees.map((f) => el("code", { text: `${f.mdtrt_id}/${f.feedetl_sn}` }))
    : ids.map((id) => el("code", { text: id }));
  const shown = parts.slice(0, 6);
  const out = [];
  shown.forEach((p, i) => { if (i) out.push(" "); out.push(p); });
  const total = Math.max(num(ev.total), parts.length);
  if (total > shown.length) out.push(el("span", { class: "muted", text: ` ${shown.length} / ${total.toLocaleString()}` }));
  return out;
}

function evDetail(ev) {
  return (lang() === "zh" ? ev.detail_zh || ev.detail : ev.detail || ev.detail_zh) || "";
}

function renderEvidence() {
  const evs = state.ring?.evidence ?? [];
  const body = $("evidence-body");
  const total = Math.max(num(state.ring?.evidence_total), num(state.ring?.evidence_count), evs.length);
  const inR = evs.map(evidenceInRange);
  const nIn = inR.filter(Boolean).length;
  $("evidence-count").textContent = state.ring ? `${t("evidenceCount")} ${nIn.toLocaleString()} / ${total.toLocaleString()}` + (nIn < evs.length ? ` (${t("range")})` : "") : "";
  if (!evs.length) {
    body.replaceChildren(el("tr", {}, el("td", { colspan: "7", class: "muted", text: t("noEvidence") })));
    return;
  }
  body.replaceChildren(...evs.map((ev, i) => el("tr", { "data-ev": String(i), hidden: !inR[i] },
    el("td", {}, el("strong", { text: ev.rule || ev.kind || "" }), ev.version ? el("span", { class: "muted", text: " v" + ev.version }) : null,
      ev.kind === "graph" && label("fact", ev.rule) !== ev.rule ? el("div", { class: "muted", text: label("fact", ev.rule), title: describe("fact", ev.rule) }) : null),
    el("td", { class: "nowrap", text: label("result", ev.result) }),
    el("td", { text: evDetail(ev) }),
    el("td", { class: "num", text: money(ev.amount) }),
    el("td", { class: "num", text: String(num(ev.visits)) }),
    el("td", { text: (lang() === "en" ? ev.article_en : ev.article) || ev.article || "" }),
    el("td", { class: "cited" }, citedRows(ev)),
  )));
}

/**
 * The Cypher query that shows the ring in Neo4j Browser, used until the
 * server's (GET /api/v1/rings/{id}/cypher) arrives. `ringlens neo4j push`
 * keys Ring nodes as run/ring id, with run "latest" by default.
 */
export function cypherFor(id) {
  const q = ("latest/" + String(id)).replace(/\\/g, "\\\\").replace(/'/g, "\\'");
  return `MATCH (r:Ring {id:'${q}'})<-[m:MEMBER_OF]-(n) OPTIONAL MATCH (n)-[v]-(o)<-[:MEMBER_OF]-(r) RETURN r,n,v,o`;
}

// ---------- node details ----------

let nodeSeq = 0;

async function onSelectNode(node) {
  const seq = ++nodeSeq;
  state.node = node;
  state.nodeInfo = null;
  state.nodePending = !!node;
  renderNode();
  for (const tr of $("members-body").querySelectorAll("tr.sel")) tr.classList.remove("sel");
  if (node) $("members-body").querySelector(`tr[data-key="${CSS.escape(node.key)}"]`)?.classList.add("sel");
  if (node) $("node-details").scrollIntoView({ block: "start" });
  if (!node) return;
  if (node.kind === "group") {
    state.nodePending = false;
    await expandGroup(node);
    return;
  }
  let info = null;
  try {
    info = await api.node(node.kind, node.nodeKey);
  } catch (err) {
    console.warn(err);
  }
  if (seq !== nodeSeq) return;
  state.nodeInfo = info;
  state.nodePending = false;
  renderNode();
}

/**
 * The rule hits of a node as the server lists them (GET /api/v1/nodes/...:
 * rule_hits, largest amount first and capped, and rule_hits_total), or
 * null while the node's details are loading or when the server sent none.
 */
function nodeHits(info) {
  if (!Array.isArray(info?.rule_hits)) return null;
  return { hits: info.rule_hits, total: Math.max(num(info.rule_hits_total), info.rule_hits.length) };
}

/** The rows a node's rule hit cites: its mdtrt_ids, else its fee lines. */
function hitRows(ev) {
  const ids = Array.isArray(ev.mdtrt_ids) ? ev.mdtrt_ids : [];
  const fees = Array.isArray(ev.fees) ? ev.fees : [];
  const parts = ids.length ? ids : fees.map((f) => `${f.mdtrt_id}/${f.feedetl_sn}`);
  const shown = parts.slice(0, NODE_HIT_ROWS);
  const out = [el("span", { class: "muted", text: t("cited") + ": " })];
  shown.forEach((p, i) => { if (i) out.push(" "); out.push(el("code", { text: p })); });
  if (!parts.length) out.push("–");
  if (parts.length > shown.length) out.push(el("span", { class: "muted", text: ` … +${parts.length - shown.length}` }));
  return out;
}

const NODE_HITS_SHOWN = 20;
const NODE_HIT_ROWS = 4;

/** The rule-hit section of the details panel. */
function renderNodeHits(info, pending) {
  const list = nodeHits(info);
  if (!list) {
    return [el("h3", { text: t("ruleHits") }), el("p", { class: "muted", text: pending ? t("expanding") : "–" })];
  }
  const { hits, total } = list;
  const shown = hits.slice(0, NODE_HITS_SHOWN);
  const count = shown.length < total ? `${shown.length} / ${total}` : String(total);
  const out = [el("h3", { id: "node-hits-h", text: `${t("ruleHits")} (${count})` })];
  if (!hits.length) {
    out.push(el("p", { class: "muted", id: "node-hits-none", text: t("noRuleHits") }));
    return out;
  }
  out.push(el("ul", { class: "hits", id: "node-hits", "aria-labelledby": "node-hits-h" }, shown.map((ev) => el("li", { class: "hit", "data-rule": ev.rule || "" },
    el("div", { class: "hit-head" },
      el("strong", { text: ev.rule || "" }),
      el("span", { class: "tag " + (ev.result === "definite" ? "definite" : "suspicious"), text: label("result", ev.result) }),
      el("span", { class: "hit-amount", title: t("fund"), text: money(ev.amount) })),
    el("div", { class: "hit-detail", text: evDetail(ev) }),
    el("div", { class: "hit-rows", title: [...(ev.mdtrt_ids ?? [])].join(" ") || undefined }, hitRows(ev)),
  ))));
  return out;
}

function renderNode() {
  const box = $("node-details");
  const n = state.node;
  if (!n) {
    box.replaceChildren(el("p", { class: "muted", text: t("selectNode") }));
    return;
  }
  const info = state.nodeInfo?.entity ?? state.nodeInfo ?? {};
  const score = info.score !== undefined ? num(info.score) : n.score;
  const reasons = Array.isArray(info.reasons) && info.reasons.length ? info.reasons : n.reasons || [];
  const dk = displayKind(n);
  box.replaceChildren(...[
    el("p", { class: "node-title" }, el("span", { style: `color:${KIND_COLORS[dk] || "#999"}`, text: "● " }), el("span", { "data-v": "", text: n.label || n.nodeKey })),
    el("dl", {},
      el("dt", { text: t("kind") }), el("dd", { text: kindLabel(dk) || t("unknownKind") }),
      el("dt", { text: t("id") }), el("dd", { text: n.nodeKey || n.key }),
      el("dt", { text: t("role") }), el("dd", { text: n.role ? label("role", n.role) + (LEAD_ROLES.has(n.role) ? " ★" : "") : "–", title: describe("role", n.role) || undefined }),
      el("dt", { text: t("score") }), el("dd", {}, score.toFixed(3), el("div", { class: "bar-mini" }, el("div", { style: `width:${Math.round(100 * Math.min(1, score))}%` }))),
      el("dt", { text: t("visits") }), el("dd", { text: String(n.visits) }),
      el("dt", { text: t("fund") }), el("dd", { text: money(n.fund) }),
      info.ring_id ? el("dt", { text: t("ring") }) : null, info.ring_id ? el("dd", { text: info.ring_id }) : null,
      info.degree !== undefined ? el("dt", { text: t("degree") }) : null, info.degree !== undefined ? el("dd", { text: String(info.degree) }) : null,
    ),
    el("button", { type: "button", class: "btn", id: "expand", onclick: () => expand(n) }, t("expand")),
    el("span", { id: "expand-status", class: "muted", role: "status" }),
    reasons.length ? el("h3", { text: t("reasons") }) : null,
    reasons.length ? el("ul", {}, reasons.map((r) => el("li", { text: reason(r) }))) : null,
    ...renderNodeHits(state.nodeInfo, state.nodePending),
  ].filter(Boolean));
}

async function expand(n) {
  const status = $("expand-status");
  status.textContent = " " + t("expanding");
  try {
    const added = await mergeNeighbors(n.kind, n.nodeKey, n.key);
    status.textContent = ` +${added} ${t("added")}`;
    graphView.focus(true);
    graphView.runLayout(Math.min(4000, 1200 + graphView.graph.order * 0.2));
    renderGraphInfo();
  } catch (err) {
    status.textContent = " " + t("loadError");
    window.__ringlens.lastError = err;
    console.error(err);
  }
}

/**
 * Merges the neighbours of a node (GET .../neighbors) into the graph
 * around the node at key around; returns the number of nodes added.
 */
async function mergeNeighbors(kind, nodeKey, around) {
  const sub = normaliseSubgraph(await api.neighbors(kind, nodeKey, 200));
  const added = graphView.merge(sub, around);
  if (state.sub) {
    state.sub.nodes.push(...sub.nodes);
    state.sub.edges.push(...sub.edges);
  }
  return added;
}

/**
 * Expands a group node: the people it stands for join the graph as the
 * neighbours of the site or doctor they use (at most 200, the most visits
 * first); the group keeps those left out, or goes when none are.
 */
async function expandGroup(node) {
  try {
    const before = new Set();
    graphView.graph.forEachNeighbor(node.ofKey, (m, a) => { if (a.kind === "patient") before.add(m); });
    await mergeNeighbors(node.ofKind, node.ofNodeKey, node.key);
    let shown = 0;
    graphView.graph.forEachNeighbor(node.ofKey, (m, a) => { if (a.kind === "patient" && !before.has(m)) shown++; });
    const left = node.count - shown;
    graphView.select(null);
    if (left > 0 && shown > 0) graphView.graph.mergeNodeAttributes(node.key, { count: left });
    if (left <= 0 && graphView.graph.hasNode(node.key)) graphView.graph.dropNode(node.key);
    graphView.relabelGroups();
    graphView.runLayout(Math.min(4000, 1200 + graphView.graph.order * 0.2));
    renderGraphInfo();
  } catch (err) {
    window.__ringlens.lastError = err;
    console.error(err);
  }
}

// ---------- tabs and export ----------

function setupTabs() {
  const tabs = [...document.querySelectorAll("[role=tab]")];
  const show = (tab) => {
    for (const x of tabs) {
      const on = x === tab;
      x.setAttribute("aria-selected", on ? "true" : "false");
      x.tabIndex = on ? 0 : -1;
      $(x.getAttribute("aria-controls")).hidden = !on;
    }
    if (tab.id === "tab-timeline") renderTimeline();
  };
  tabs.forEach((tab, i) => {
    tab.addEventListener("click", () => show(tab));
    tab.addEventListener("keydown", (e) => {
      const d = e.key === "ArrowRight" ? 1 : e.key === "ArrowLeft" ? -1 : 0;
      if (d) { const nx = tabs[(i + d + tabs.length) % tabs.length]; nx.focus(); show(nx); }
    });
  });
}

/** The export files of a ring: name, MIME type and text. */
export function exportFile(r, what) {
  switch (what) {
    case "json":
      return { name: `ring-${r.id}.json`, type: "application/json", text: JSON.stringify(r, null, 2) + "\n" };
    case "members":
      return {
        name: `ring-${r.id}-members.csv`, type: "text/csv;charset=utf-8",
        text: csv(["ring_id", "kind", "id", "role", "score", "label"], r.members.map((m) => [r.id, m.kind, m.id, m.role, m.score, m.label])),
      };
    case "evidence": {
      // One row per cited fee line (or visit when no fee lines are cited).
      const rows = [];
      for (const ev of r.evidence) {
        const fees = Array.isArray(ev.fees) && ev.fees.length ? ev.fees : null;
        const base = [r.id, ev.kind, ev.rule, ev.version, ev.result, ev.amount, ev.visits, ev.article, ev.detail_zh, ev.detail];
        if (fees) for (const f of fees) rows.push([...base, f.mdtrt_id, f.feedetl_sn]);
        else if (ev.mdtrt_ids?.length) for (const id of ev.mdtrt_ids) rows.push([...base, id, ""]);
        else rows.push([...base, "", ""]);
      }
      return {
        name: `ring-${r.id}-evidence.csv`, type: "text/csv;charset=utf-8",
        text: csv(["ring_id", "kind", "rule", "version", "result", "amount", "visits", "article", "detail_zh", "detail", "mdtrt_id", "feedetl_sn"], rows),
      };
    }
  }
  return null;
}

function setupExport() {
  $("exp-member-table").addEventListener("click", () => {
    if (!state.ring) return;
    const f = memberTableCSV(state.ring);
    download(f.name, f.type, f.text);
  });
  for (const [id, what] of [["exp-json", "json"], ["exp-csv-m", "members"], ["exp-csv-e", "evidence"]]) {
    $(id).addEventListener("click", () => {
      if (!state.ring) return;
      const f = exportFile(state.ring, what);
      download(f.name, f.type, f.text);
    });
  }
  $("copy-cypher").addEventListener("click", async () => {
    const ta = $("cypher");
    try {
      await navigator.clipboard.writeText(ta.value);
    } catch {
      ta.select();
      document.execCommand("copy");
    }
    $("copy-cypher").textContent = t("copied");
    setTimeout(() => { $("copy-cypher").textContent = t("copy"); }, 1500);
  });
}

// ---------- start ----------

async function start() {
  const params = new URLSearchParams(location.search);
  setLang(params.get("lang") || localStorage.getItem("ringlens.lang") || "zh");
  $("lang").addEventListener("click", () => {
    setLang(lang() === "zh" ? "en" : "zh");
    localStorage.setItem("ringlens.lang", lang());
    applyI18n();
  });
  // The labels of codes: shown as codes until the vocabulary arrives.
  api.vocab().then((doc) => {
    setVocab(doc);
    applyI18n();
  }, (err) => console.warn("vocabulary:", err));
  graphView = new GraphView($("graph"), {
    onSelect: onSelectNode,
    onLayout: () => renderGraphInfo(),
  });
  window.__ringlens = {
    state,
    graph: graphView.graph,
    renderer: null,
    view: graphView,
    selectRing,
    /** Selects a node by graph key, as a click would. */
    selectNode: (key) => graphView.select(String(key)),
    /** The text of an export ("json", "members", "evidence") of the selected ring. */
    exportText: (what) => (state.ring ? (what === "member-table" ? memberTableCSV(state.ring) : exportFile(state.ring, what))?.text : null),
    setRange,
    /** A stream notice {code, params} as the banner shows it. */
    noticeText,
    /** A staff alert of the stream as the alert area shows it. */
    alertText,
    get timeline() { return timeline; },
  };
  // The filters apply as they change; Enter in a field must not submit
  // (and reload) the page.
  $("filters").addEventListener("submit", (ev) => ev.preventDefault());
  for (const id of ["f-sort", "f-typology", "f-score", "f-inst", "f-from", "f-to"]) $(id).addEventListener("input", () => {
    $("f-score-out").textContent = num($("f-score").value).toFixed(2);
    if (id === "f-from" || id === "f-to") {
      const f = filters();
      if (f.from !== (state.range?.from || "") || f.to !== (state.range?.to || "")) setRange({ from: f.from, to: f.to });
    }
    scheduleList();
  });
  timeline = new Timeline($("timeline"), $("hours"), $("tl-tip"), (r) => {
    $("f-from").value = r.from;
    $("f-to").value = r.to;
    setRange(r);
    scheduleList();
  });
  $("range-clear").addEventListener("click", () => {
    $("f-from").value = "";
    $("f-to").value = "";
    setRange(null);
    scheduleList();
  });
  $("banner-close").addEventListener("click", () => { state.notice = null; renderBanner(); });
  $("alerts-close").addEventListener("click", () => { state.alertsHidden = true; renderAlerts(); });
  $("edge-by").addEventListener("change", (e) => graphView.setEdgeBy(e.target.value));
  $("relayout").addEventListener("click", () => graphView.runLayout());
  $("hops").addEventListener("change", () => { renderLegend(); if (state.selectedRing) selectRing(state.selectedRing); });
  setupTabs();
  setupExport();
  window.addEventListener("resize", () => renderTimeline());
  // The login form, the cases and the audit (cases.js); without the
  // rings view (not logged in, or the police) the rings are not loaded.
  const mode = await initSession();
  applyI18n();
  if (!mode.rings) return;
  loadRings();
  api.status().then(onStats, () => {});
  let dropped = false;
  openStream(onMessage, (s) => {
    // After a reconnection the server resends current rings; refetch the list
    // so that rings removed while disconnected disappear.
    if (s === "connected" && dropped) loadRings();
    if (s === "disconnected") dropped = true;
    state.conn = s;
    renderConn();
  });
}

start();
