// Timeline of a ring's visits on a canvas: bars per day (visits, shaded by
// amount) above a day × hour-of-day heat strip, so daily rhythms and
// same-morning admissions (many visits in one morning hour) stand out.

import { t } from "./i18n.js";

/**
 * Collects per-day counts and per-day-and-hour counts. Uses the ring's
 * timeline for days; hours come from timeline points with an "hours" array
 * (24 counts) when the server sends them, else from visit timestamps given
 * in times (strings "YYYY-MM-DD HH:MM:SS").
 */
export function timelineData(ring, times) {
  const days = new Map();
  for (const p of ring?.timeline ?? []) {
    if (!p?.day) continue;
    days.set(p.day, { visits: +p.visits || 0, amount: +p.amount || 0, hours: Array.isArray(p.hours) ? p.hours.map(Number) : null });
  }
  const hasHours = [...days.values()].some((d) => d.hours);
  if (!hasHours) {
    for (const ts of times) {
      if (typeof ts !== "string" || ts.length < 13) continue;
      const day = ts.slice(0, 10), h = parseInt(ts.slice(11, 13), 10);
      if (!(h >= 0 && h < 24)) continue;
      let d = days.get(day);
      if (!d) { d = { visits: 0, amount: 0, hours: null, derived: true }; days.set(day, d); }
      if (!d.hours) d.hours = new Array(24).fill(0);
      d.hours[h]++;
    }
  }
  const fromRing = days.size > 0 && [...days.values()].some((d) => !d.derived);
  for (const d of days.values()) d.bar = fromRing ? d.visits : d.hours ? d.hours.reduce((a, b) => a + b, 0) : 0;
  const list = [...days.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1)).map(([day, d]) => ({ day, ...d }));
  return list;
}

/** Draws the timeline into canvas. */
export function drawTimeline(canvas, data) {
  const dpr = window.devicePixelRatio || 1;
  const w = canvas.clientWidth, h = canvas.clientHeight;
  if (!w || !h) return;
  canvas.width = Math.round(w * dpr);
  canvas.height = Math.round(h * dpr);
  const ctx = canvas.getContext("2d");
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.clearRect(0, 0, w, h);
  ctx.font = "11px system-ui, 'PingFang SC', 'Microsoft YaHei', sans-serif";
  ctx.fillStyle = "#6b7280";
  if (!data.length) {
    ctx.fillText(t("noTimeline"), 10, 20);
    return;
  }
  const left = 34, right = 8, top = 14;
  const barsH = Math.max(40, Math.floor((h - 40) * 0.42));
  const stripTop = top + barsH + 16;
  const stripH = h - stripTop - 16;
  const n = data.length;
  const cw = (w - left - right) / n;
  const maxV = Math.max(1, ...data.map((d) => d.bar));
  const maxA = Math.max(1, ...data.map((d) => d.amount));
  let maxH = 1;
  for (const d of data) if (d.hours) for (const v of d.hours) maxH = Math.max(maxH, v);

  ctx.fillText(t("perDay") + " (max " + maxV + ")", left, top - 3);
  ctx.fillText(t("perHour"), left, stripTop - 4);
  // Morning band (06–12) behind the strip.
  const rowH = stripH / 24;
  ctx.fillStyle = "#fff7ed";
  ctx.fillRect(left, stripTop + 6 * rowH, w - left - right, 6 * rowH);
  ctx.fillStyle = "#6b7280";
  for (const hr of [0, 6, 12, 18]) ctx.fillText(String(hr).padStart(2, "0") + t("hour"), 2, stripTop + hr * rowH + 9);

  data.forEach((d, i) => {
    const x = left + i * cw;
    const v = d.bar;
    const bh = (v / maxV) * barsH;
    const shade = 0.35 + 0.65 * (d.amount / maxA);
    ctx.fillStyle = `rgba(192,57,43,${shade.toFixed(3)})`;
    ctx.fillRect(x + (cw > 3 ? 0.5 : 0), top + barsH - bh, Math.max(1, cw - (cw > 3 ? 1 : 0)), bh);
    if (d.hours) {
      d.hours.forEach((c, hr) => {
        if (!c) return;
        const a = 0.3 + 0.7 * Math.sqrt(c / maxH);
        ctx.fillStyle = `rgba(37,99,235,${a.toFixed(3)})`;
        ctx.fillRect(x, stripTop + hr * rowH, Math.max(1, cw - (cw > 3 ? 1 : 0)), Math.max(1, rowH - 0.5));
      });
    }
  });
  ctx.strokeStyle = "#d1d5db";
  ctx.strokeRect(left, stripTop, w - left - right, stripH);
  ctx.beginPath(); ctx.moveTo(left, top + barsH + 0.5); ctx.lineTo(w - right, top + barsH + 0.5); ctx.stroke();
  // Day ticks: about one label per 70 px.
  ctx.fillStyle = "#6b7280";
  const step = Math.max(1, Math.ceil(70 / cw));
  for (let i = 0; i < n; i += step) ctx.fillText(data[i].day.slice(5), left + i * cw, h - 3);
}
