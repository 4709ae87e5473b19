// The 30-night forecast chart, drawn as SVG by hand (no library, no CDN, CSP-clean).
// One column per night: a ghost bar to the expected final minimums, a solid bar for the
// minimums booked so far, a dashed line for the same weekdays' pace at this lead time,
// and a strip below for the parties turned away. Closed nights are hatched gaps where the
// lines break. Every column is focusable and explains itself in the tooltip.

import { dayPieces } from "../api.js";
import { svg } from "../floor.js";
import { money } from "./common.js";
import { t } from "../i18n.js";

/** Forecasts are estimates: whole pounds (or the currency's major unit), no pence. */
export const whole = (minor, cur) => money(Math.round(minor / 100) * 100, cur);

const series = (data, key) => {
  const s = data.series.find((x) => x.key === key);
  return new Map((s?.points || []).map((p) => [p.date, p.value]));
};

function niceStep(raw) {
  const p = 10 ** Math.floor(Math.log10(raw || 1));
  const f = raw / p;
  return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 2.5 ? 2.5 : f <= 5 ? 5 : 10) * p;
}

/** Draw (or redraw) the chart into `el`; returns the per-night rows it drew. */
export function drawForecast(el, data, { onPoint } = {}) {
  const cur = data.currency;
  const booked = series(data, "booked_minimums");
  const pace = series(data, "pace_minimums");
  const expected = series(data, "expected_final_minimums");
  const count = series(data, "booked_reservations");
  const turn = series(data, "turnaways");
  const rows = data.nights.map((n) => ({
    ...n,
    booked: booked.get(n.date) ?? null,
    pace: pace.get(n.date) ?? null,
    expected: expected.get(n.date) ?? null,
    count: count.get(n.date) ?? null,
    turn: turn.get(n.date) ?? null,
  }));

  const W = Math.max(320, Math.round(el.clientWidth || 800));
  const phone = W < 560;
  const H = phone ? 300 : 380;
  const m = { l: phone ? 44 : 62, r: 10, tb: 14, b: 34 };
  const stripH = phone ? 44 : 58;
  const gap = 18;
  const plotH = H - m.t - m.b - stripH - gap;
  const plotW = W - m.l - m.r;
  const n = rows.length || 1;
  const band = plotW / n;
  const barW = Math.max(3, Math.min(26, band * 0.62));
  const x = (i) => m.l + band * i + band / 2;

  const maxMoney = Math.max(1, ...rows.flatMap((r) => [r.booked, r.pace, r.expected].filter((v) => v != null)));
  const step = niceStep(maxMoney / 4);
  const top = Math.ceil(maxMoney / step) * step;
  const y = (v) => m.t + plotH - (v / top) * plotH;
  const maxTurn = Math.max(1, ...rows.map((r) => r.turn || 0));
  const stripTop = m.t + plotH + gap;
  const ty = (v) => stripTop + stripH - (v / maxTurn) * (stripH - 4);

  el.setAttribute("viewBox", `0 0 ${W} ${H}`);
  el.setAttribute("width", W);
  el.setAttribute("height", H);
  const defs = svg(
    "defs",
    {},
    svg(
      "pattern",
      { id: "fc-hatch", width: 7, height: 7, patternUnits: "userSpaceOnUse", patternTransform: "rotate(45)" },
      svg("rect", { width: 2.5, height: 7, class: "fc-hatch-line" }),
    ),
  );
  const grid = svg("g", { class: "fc-grid", "aria-hidden": "true" });
  for (let v = 0; v <= top + 1; v += step) {
    grid.append(
      svg("line", { x1: m.l, x2: W - m.r, y1: y(v), y2: y(v), class: v === 0 ? "fc-axis" : "fc-gridline" }),
      svg("text", { x: m.l - 6, y: y(v) + 4, class: "fc-tick", "text-anchor": "end" }, money(v, cur, { compact: true })),
    );
  }
  grid.append(
    svg("line", { x1: m.l, x2: W - m.r, y1: stripTop + stripH, y2: stripTop + stripH, class: "fc-axis" }),
    svg("text", { x: m.l - 6, y: stripTop + 10, class: "fc-tick", "text-anchor": "end" }, String(maxTurn)),
    svg("text", { x: m.l - 6, y: stripTop + stripH, class: "fc-tick", "text-anchor": "end" }, "0"),
    svg("text", { x: m.l + 4, y: stripTop - 4, class: "fc-strip-label" }, t("Turned away")),
  );

  const cols = svg("g", { class: "fc-nights" });
  const labelEvery = band >= 26 ? 1 : band >= 14 ? 2 : 7;
  rows.forEach((r, i) => {
    const g = svg("g", {
      class: `fc-night${r.is_closed ? " closed" : ""}${i === 0 ? " first" : ""}`,
      "data-date": r.date,
      "data-closed": String(r.is_closed),
      tabindex: "0",
      role: "img",
      "aria-label": describe(r, cur),
    });
    const cx = x(i);
    if (r.is_closed) {
      g.append(svg("rect", { class: "fc-closed", x: cx - band / 2 + 1, y: m.t, width: band - 2, height: plotH }));
    } else {
      if (r.expected != null) {
        g.append(svg("rect", { class: "fc-expected", x: cx - barW / 2, y: y(r.expected), width: barW, height: Math.max(0, y(0) - y(r.expected)), rx: 2 }));
      }
      g.append(svg("rect", { class: "fc-booked", x: cx - barW / 2, y: y(r.booked || 0), width: barW, height: Math.max(r.booked ? 1.5 : 0, y(0) - y(r.booked || 0)), rx: 2 }));
    }
    if (r.turn) {
      g.append(svg("rect", { class: "fc-turn", x: cx - barW / 2, y: ty(r.turn), width: barW, height: stripTop + stripH - ty(r.turn), rx: 2 }));
    }
    const d = dayPieces(r.date);
    const weekend = ["Fri", "Sat"].includes(r.weekday);
    if (i % labelEvery === 0 || (labelEvery > 1 && i === 0)) {
      g.append(
        svg("text", { x: cx, y: H - m.b + 16, class: `fc-xlab${weekend ? " wk" : ""}`, "text-anchor": "middle" }, d.day),
        svg("text", { x: cx, y: H - m.b + 29, class: "fc-xwd", "text-anchor": "middle" }, phone ? r.weekday.slice(0, 1) : r.weekday),
      );
    }
    g.append(svg("rect", { class: "fc-hit", x: cx - band / 2, y: m.t, width: band, height: H - m.t - m.b + 30 }));
    const show = () => onPoint?.(r, { x: cx / W, y: y(Math.max(r.booked || 0, r.expected || 0, r.pace || 0)) / H });
    g.addEventListener("pointerenter", show);
    g.addEventListener("focus", show);
    g.addEventListener("click", show);
    cols.append(g);
  });

  // The pace line: one path, broken (a gap) wherever a night is closed or has no history.
  let d = "";
  let pen = false;
  rows.forEach((r, i) => {
    if (r.pace == null || r.is_closed) {
      pen = false;
      return;
    }
    d += `${pen ? "L" : "M"}${x(i).toFixed(1)},${y(r.pace).toFixed(1)}`;
    pen = true;
  });
  const line = svg("g", { class: "fc-pace-layer", "aria-hidden": "true" }, svg("path", { class: "fc-pace", d }));
  rows.forEach((r, i) => {
    if (r.pace != null && !r.is_closed) line.append(svg("circle", { class: "fc-pace-dot", cx: x(i), cy: y(r.pace), r: phone ? 2.5 : 3.5 }));
  });
  const today = rows.length
    ? svg("text", { x: x(0), y: m.t + 10, class: "fc-today", "text-anchor": "start" }, "")
    : null;
  el.replaceChildren(defs, grid, cols, line, ...(today ? [today] : []));
  return rows;
}

export function describe(r, cur) {
  const d = dayPieces(r.date);
  const head = `${r.weekday} ${d.day} ${d.month}${r.title ? `, ${r.title}` : ""}`;
  if (r.is_closed) return `${head}: ${t("closed")}`;
  const bits = [t("booked {amount} ({n} reservations)", { amount: money(r.booked || 0, cur), n: r.count || 0 })];
  if (r.expected != null) bits.push(t("expected final {amount}", { amount: whole(r.expected, cur) }));
  if (r.pace != null) bits.push(t("same weekdays at this point {amount}", { amount: whole(r.pace, cur) }));
  bits.push(t("{n} turned away", { n: r.turn || 0 }));
  return `${head}: ${bits.join(", ")}`;
}
