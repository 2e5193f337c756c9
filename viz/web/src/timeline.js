// Timeline of a ring's visits on canvases: one bar per calendar day (empty
// days included, so gaps and rhythms show), shaded by amount, with the year
// on the axis; hovering shows the day's visits and fund; dragging brushes a
// date range that filters the page. Beside it, visits by hour of day (all
// days of the range together), where same-morning synchrony stands out.

import { t, tf, lang } from "./i18n.js";

const DAY_MS = 86400000;

function dayNum(s) {
  const ms = Date.UTC(+s.slice(0, 4), +s.slice(5, 7) - 1, +s.slice(8, 10));
  return Number.isFinite(ms) ? Math.round(ms / DAY_MS) : NaN;
}

function dayStr(n) {
  return new Date(n * DAY_MS).toISOString().slice(0, 10);
}

/**
 * Collects per-day counts over every calendar day from the first to the
 * last (empty days with zero). Uses the ring's timeline for days; hours come
 * from timeline points with an "hours" array (24 counts) when the server
 * sends them, else from visit timestamps given in times (strings
 * "YYYY-MM-DD HH:MM:SS").
 */
export function timelineData(ring, times) {
  const days = new Map();
  for (const p of ring?.timeline ?? []) {
    if (!p?.day || !/^\d{4}-\d{2}-\d{2}/.test(p.day)) continue;
    days.set(p.day.slice(0, 10), { visits: +p.visits || 0, amount: +p.amount || 0, hours: Array.isArray(p.hours) ? p.hours.map(Number) : null });
  }
  const fromRing = days.size > 0;
  const hasHours = [...days.values()].some((d) => d.hours);
  if (!hasHours) {
    for (const ts of times) {
      if (typeof ts !== "string" || ts.length < 13) continue;
      const day = ts.slice(0, 10), h = parseInt(ts.slice(11, 13), 10);
      if (!(h >= 0 && h < 24) || !/^\d{4}-\d{2}-\d{2}$/.test(day)) continue;
      let d = days.get(day);
      if (!d) { d = { visits: 0, amount: 0, hours: null, derived: true }; days.set(day, d); }
      if (!d.hours) d.hours = new Array(24).fill(0);
      d.hours[h]++;
    }
  }
  for (const d of days.values()) d.bar = fromRing ? d.visits : d.hours ? d.hours.reduce((a, b) => a + b, 0) : 0;
  const nums = [...days.keys()].map(dayNum).filter(Number.isFinite);
  if (!nums.length) return [];
  const lo = Math.min(...nums), hi = Math.max(...nums);
  const out = [];
  // At most ten years of days; beyond that only the days with visits.
  if (hi - lo <= 3660) {
    for (let n = lo; n <= hi; n++) {
      const day = dayStr(n);
      const d = days.get(day);
      out.push(d ? { day, ...d } : { day, visits: 0, amount: 0, hours: null, bar: 0, empty: true });
    }
  } else {
    for (const [day, d] of [...days.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1))) out.push({ day, ...d });
  }
  return out;
}

function money(v) {
  return "¥" + (+v || 0).toLocaleString(lang() === "zh" ? "zh-CN" : "en-US", { maximumFractionDigits: 0 });
}

/** Timeline draws the day bars and the hour histogram and handles brushing. */
/**
 * Sizes canvas for the device pixel ratio, clears it and sets the chart
 * font; returns its 2D context and CSS size, or null when it is not laid
 * out yet.
 */
function prepareCanvas(canvas) {
  const dpr = window.devicePixelRatio || 1;
  const w = canvas.clientWidth, h = canvas.clientHeight;
  if (!w || !h) return null;
  canvas.width = Math.round(w * dpr);
  canvas.height = Math.round(h * dpr);
  const ctx = canvas.getContext("2d");
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.clearRect(0, 0, w, h);
  ctx.font = "11px system-ui, 'Noto Sans CJK SC', 'PingFang SC', 'Microsoft YaHei', sans-serif";
  ctx.fillStyle = "#6b7280";
  return { ctx, w, h };
}

export class Timeline {
  constructor(canvas, hoursCanvas, tip, onRange) {
    this.canvas = canvas;
    this.hoursCanvas = hoursCanvas;
    this.tip = tip;
    this.onRange = onRange;
    this.data = [];
    this.range = null; // {from, to} days, inclusive
    this.drag = null;
    this.geom = null;
    canvas.addEventListener("mousedown", (e) => {
      const i = this.indexAt(e);
      if (i < 0) return;
      this.drag = { a: i, b: i };
      e.preventDefault();
    });
    canvas.addEventListener("mousemove", (e) => {
      const i = this.indexAt(e);
      if (this.drag && i >= 0) { this.drag.b = i; this.draw(); }
      this.hover(e, i);
    });
    canvas.addEventListener("mouseleave", () => { this.tip.hidden = true; });
    hoursCanvas.addEventListener("mousemove", (e) => {
      const g = this.hoursGeom, hrs = this.hoursTotal;
      if (!g || !hrs) { this.tip.hidden = true; return; }
      const r = hoursCanvas.getBoundingClientRect(), wrap = this.tip.parentElement.getBoundingClientRect();
      const i = Math.floor((e.clientX - r.left - g.left) / g.cw);
      if (i < 0 || i > 23) { this.tip.hidden = true; return; }
      this.tip.textContent = `${String(i).padStart(2, "0")}${t("hour")} · ${tf("tipHour", { v: hrs[i] })}`;
      this.tip.hidden = false;
      this.tip.style.left = Math.max(0, Math.min(e.clientX - wrap.left + 10, wrap.width - this.tip.offsetWidth - 4)) + "px";
      this.tip.style.top = Math.max(0, e.clientY - wrap.top - 28) + "px";
    });
    hoursCanvas.addEventListener("mouseleave", () => { this.tip.hidden = true; });
    window.addEventListener("mouseup", () => {
      if (!this.drag) return;
      const { a, b } = this.drag;
      this.drag = null;
      const lo = Math.min(a, b), hi = Math.max(a, b);
      this.onRange({ from: this.data[lo].day, to: this.data[hi].day });
    });
  }

  indexAt(e) {
    const g = this.geom;
    if (!g || !this.data.length) return -1;
    const r = this.canvas.getBoundingClientRect();
    const x = e.clientX - r.left;
    const i = Math.floor((x - g.left) / g.cw);
    return Math.max(0, Math.min(this.data.length - 1, i));
  }

  hover(e, i) {
    if (i < 0) { this.tip.hidden = true; return; }
    const d = this.data[i];
    const r = this.canvas.getBoundingClientRect();
    const wrap = this.tip.parentElement.getBoundingClientRect();
    this.tip.textContent = `${d.day} · ${tf("tipVisits", { v: d.bar, f: money(d.amount) })}`;
    this.tip.hidden = false;
    const x = Math.min(e.clientX - wrap.left + 10, r.width - this.tip.offsetWidth - 4);
    this.tip.style.left = Math.max(0, x) + "px";
    this.tip.style.top = Math.max(0, e.clientY - wrap.top - 28) + "px";
  }

  set(data) {
    this.data = data;
    this.draw();
  }

  setRange(range) {
    this.range = range && (range.from || range.to) ? range : null;
    this.draw();
  }

  inRange(day) {
    const r = this.range;
    return !r || ((!r.from || day >= r.from) && (!r.to || day <= r.to));
  }

  draw() {
    this.drawDays();
    this.drawHours();
  }

  drawDays() {
    const canvas = this.canvas, data = this.data;
    const prep = prepareCanvas(canvas);
    if (!prep) return;
    const { ctx, w, h } = prep;
    if (!data.length) {
      this.geom = null;
      ctx.fillText(t("noTimeline"), 10, 20);
      return;
    }
    const left = 34, right = 8, top = 16, bottom = 30;
    const barsH = Math.max(20, h - top - bottom);
    const n = data.length;
    const cw = (w - left - right) / n;
    this.geom = { left, cw };
    const maxV = Math.max(1, ...data.map((d) => d.bar));
    const maxA = Math.max(1, ...data.map((d) => d.amount));
    ctx.fillText(`${t("perDay")} (${t("max")} ${maxV})`, left, top - 4);
    ctx.fillText(String(maxV), 2, top + 9);
    ctx.fillText("0", 2, top + barsH);
    const drag = this.drag;
    const dlo = drag ? Math.min(drag.a, drag.b) : -1, dhi = drag ? Math.max(drag.a, drag.b) : -1;
    data.forEach((d, i) => {
      const x = left + i * cw;
      const inR = drag ? i >= dlo && i <= dhi : this.inRange(d.day);
      if (drag && inR) { ctx.fillStyle = "#dbeafe"; ctx.fillRect(x, top, Math.max(1, cw), barsH); }
      if (!d.bar) return;
      const bh = Math.max(1, (d.bar / maxV) * barsH);
      const shade = 0.35 + 0.65 * (d.amount / maxA);
      ctx.fillStyle = inR ? `rgba(192,57,43,${shade.toFixed(3)})` : "rgba(156,163,175,0.45)";
      ctx.fillRect(x + (cw > 3 ? 0.5 : 0), top + barsH - bh, Math.max(1, cw - (cw > 3 ? 1 : 0)), bh);
    });
    ctx.strokeStyle = "#d1d5db";
    ctx.beginPath(); ctx.moveTo(left, top + barsH + 0.5); ctx.lineTo(w - right, top + barsH + 0.5); ctx.stroke();
    // Ticks: about one per 80 px; the year on the first tick and where it changes.
    ctx.fillStyle = "#6b7280";
    const step = Math.max(1, Math.ceil(80 / cw));
    let year = "";
    for (let i = 0; i < n; i += step) {
      const d = data[i].day, x = left + i * cw;
      ctx.fillRect(x, top + barsH, 1, 4);
      const y = d.slice(0, 4);
      const label = y !== year ? d : d.slice(5);
      if (x + ctx.measureText(label).width > w) break;
      ctx.fillText(label, x, top + barsH + 15);
      year = y;
    }
    if (this.range) {
      ctx.fillStyle = "#2563eb";
      ctx.fillText(`${this.range.from || "…"} – ${this.range.to || "…"}`, left, h - 2);
    }
  }

  drawHours() {
    const canvas = this.hoursCanvas;
    const prep = prepareCanvas(canvas);
    if (!prep) return;
    const { ctx, w, h } = prep;
    const hours = new Array(24).fill(0);
    let any = false;
    for (const d of this.data) {
      if (!d.hours || !this.inRange(d.day)) continue;
      any = true;
      d.hours.forEach((c, i) => { hours[i] += +c || 0; });
    }
    this.hoursTotal = hours;
    this.hoursGeom = null;
    ctx.fillText(this.range ? t("byHourRange") : t("byHour"), 4, 12);
    if (!any) { ctx.fillText(t("noTimeline"), 4, 30); return; }
    const left = 4, top = 20, bottom = 16;
    const bh = h - top - bottom, cw = (w - left - 4) / 24;
    this.hoursGeom = { left, cw };
    const max = Math.max(1, ...hours);
    ctx.fillStyle = "#fff7ed";
    ctx.fillRect(left + 6 * cw, top, 6 * cw, bh);
    hours.forEach((c, i) => {
      const y = (c / max) * bh;
      ctx.fillStyle = "#2563eb";
      ctx.fillRect(left + i * cw + 0.5, top + bh - y, Math.max(1, cw - 1), y);
    });
    ctx.fillStyle = "#6b7280";
    for (const hr of [0, 6, 12, 18]) ctx.fillText(String(hr).padStart(2, "0") + t("hour"), left + hr * cw, h - 3);
  }
}
