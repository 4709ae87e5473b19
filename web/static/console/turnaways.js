// The turn-away report: the parties the venue could not seat over a period, the sentence
// an owner wants to read, a chart of them by weekday and reason, and the breakdowns.

import { staffMessage } from "./http.js";
import { $, el, field } from "./ui.js";
import { t } from "../i18n.js";

const SVG = "http://www.w3.org/2000/svg";
const REASON_COLOURS = {
  sitting_full_covers: t("#e5484d"),
  sitting_full_tables: t("#f0b95a"),
  sitting_full_pacing: t("#8e7cc3"),
  party_too_large: t("#4fa3d0"),
  table_unavailable: t("#f0b95a"),
  sold_out: t("#e5484d"),
};
const colour = (r) => REASON_COLOURS[r] || "#8a8f98";
const iso = (d) => d.toISOString().slice(0, 10);

function svgEl(tag, attrs = {}, ...children) {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  for (const c of children) node.append(c);
  return node;
}

/** Stacked bars: one per weekday, one segment per reason. */
function chart(report) {
  const days = report.by_weekday;
  const max = Math.max(1, ...days.map((d) => d.total));
  const w = 640, h = 220, pad = 28, bw = (w - pad * 2) / days.length;
  const svg = svgEl("svg", { viewBox: `0 0 ${w} ${h}`, class: "ta-chart", role: "img", "aria-labelledby": "ta-chart-title" },
    svgEl("title", { id: "ta-chart-title" }, t("Parties turned away by weekday: {days}", { days: days.map((d) => `${d.weekday} ${d.total}`).join(", ") })));
  days.forEach((d, i) => {
    let y = h - pad;
    for (const [reason, n] of Object.entries(d.by_reason)) {
      const bh = ((h - pad * 2) * n) / max;
      y -= bh;
      svg.append(svgEl("rect", { x: pad + i * bw + 6, y, width: bw - 12, height: bh, fill: colour(reason), "data-reason": reason }));
    }
    svg.append(svgEl("text", { x: pad + i * bw + bw / 2, y: h - 8, "text-anchor": "middle", class: "ta-axis" }, d.weekday.slice(0, 3)));
    if (d.total) svg.append(svgEl("text", { x: pad + i * bw + bw / 2, y: y - 4, "text-anchor": "middle", class: "ta-value" }, String(d.total)));
  });
  return svg;
}

function table(caption, head, rows) {
  return el("table", { class: "data-table" },
    el("caption", { text: caption }),
    el("thead", {}, el("tr", {}, ...head.map((x) => el("th", { scope: "col", text: x })))),
    el("tbody", {}, ...rows.map((r) => el("tr", {}, ...r.map((c) => el("td", { text: String(c) }))))));
}

export async function show(ctx) {
  const root = $("turnaways-root");
  const today = new Date();
  const from = el("input", { type: "date", id: "ta-from", name: "from", value: iso(new Date(today - 41 * 864e5)) });
  const to = el("input", { type: "date", id: "ta-to", name: "to", value: iso(today) });
  const out = el("div", { "aria-live": "polite" });
  const form = el("form", { class: "filters panel" },
    el("div", { class: "filter-row" }, field(t("From"), from), field(t("To"), to),
      el("div", { class: "filter-go" }, el("button", { type: "submit", class: "btn btn-primary", text: t("Show") }))));
  const load = async () => {
    out.replaceChildren(el("p", { class: "muted", text: t("Loading…") }));
    let r;
    try {
      r = await ctx.api.turnaways(from.value, to.value);
    } catch (p) {
      out.replaceChildren(el("p", { class: "error-box", text: staffMessage(p) }));
      return;
    }
    out.replaceChildren(
      el("div", { class: "panel" },
        el("p", { class: "ta-sentence", id: "ta-sentence", text: r.sentence }),
        r.total ? chart(r) : null,
        r.total
          ? el("ul", { class: "ta-legend", "aria-label": t("Reasons") },
            ...r.by_reason.map((x) => el("li", {}, el("span", { class: "swatch", "data-reason": x.reason }), `${x.label}: ${x.count}`)))
          : null),
      r.total
        ? el("div", { class: "ta-tables" },
          table(t("By time"), [t("Time"), t("Parties")], r.by_time.map((x) => [x.time, x.count])),
          table(t("By party size"), [t("Guests"), t("Parties")], r.by_party_size.map((x) => [x.party_size, x.count])),
          table(t("By reason"), [t("Reason"), t("Parties")], r.by_reason.map((x) => [x.label, x.count])))
        : null,
    );
    out.querySelectorAll(".swatch").forEach((s) => s.style.setProperty("--swatch", colour(s.dataset.reason)));
  };
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    load();
  });
  root.replaceChildren(form, out);
  await load();
}
