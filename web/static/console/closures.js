// Closures: close or reopen nights (managers), and block or unblock a whole area for a
// night (private hire; floor staff too). Single tables are blocked from the floor map.

import { dayLabel } from "../api.js";
import { staffMessage } from "./http.js";
import { $, busy, button, el, errorBox, field, setError, toast } from "./ui.js";
import { t } from "../i18n.js";

const s = { ctx: null, nights: [], areas: [], tables: new Map(), day: null };

export async function show(ctx) {
  s.ctx = ctx;
  const root = $("closures-root");
  root.replaceChildren(el("p", { class: "muted", text: t("Loading…") }));
  try {
    const [nights, plan] = await Promise.all([ctx.api.nights({ days: 42 }), ctx.api.plan()]);
    s.nights = nights;
    s.areas = plan.areas;
    s.tables = new Map(plan.tables.map((tb) => [tb.id, tb]));
  } catch (p) {
    root.replaceChildren(el("p", { class: "error-box", text: staffMessage(p) }));
    return;
  }
  if (!s.nights.some((n) => n.date === s.day)) s.day = s.nights[0]?.date;
  root.replaceChildren(
    el("div", { class: "clo-grid" },
      el("div", { class: "panel" }, el("h2", { class: "panel-title", text: t("Nights") }), nightsTable()),
      el("div", { class: "panel", id: "area-panel" })),
  );
  await renderArea();
}

function nightsTable() {
  const rows = s.nights.map((n) => {
    const err = errorBox(`clo-err-${n.date}`);
    const cell = el("td", { class: "clo-act" });
    if (s.ctx.manager) cell.append(n.closed ? reopenBtn(n, err) : closeBtn(n, cell, err));
    cell.append(err);
    return el("tr", { "data-date": n.date, class: n.closed ? "closed" : "" },
      el("th", { scope: "row" }, el("span", { text: dayLabel(n.date) }), n.title ? el("span", { class: "muted block small", text: n.title }) : null),
      el("td", {}, n.closed ? el("span", { class: "status-pill st-cancelled", text: t("Closed") }) : el("span", { class: "status-pill st-confirmed", text: t("Open") }),
        n.closed_reason ? el("span", { class: "muted block small", text: n.closed_reason }) : null),
      el("td", { class: "num", text: n.closed ? "—" : `${n.tables_free} free` }),
      cell);
  });
  return el("table", { class: "data-table" },
    el("thead", {}, el("tr", {}, ...[t("Night"), t("Status"), t("Tables"), ""].map((h) => el("th", { scope: "col", text: h })))),
    el("tbody", {}, ...rows));
}

function reopenBtn(n, err) {
  return button(t("Reopen"), "btn-ghost btn-compact", (ev) => busy(ev.currentTarget, async () => {
    try {
      await s.ctx.api.reopen(n.date);
      toast(t("{day} is open for bookings", { day: dayLabel(n.date) }));
      await show(s.ctx);
    } catch (p) {
      setError(err, staffMessage(p));
    }
  }), { "data-action": "reopen" });
}

function closeBtn(n, cell, err) {
  return button(t("Close night…"), "btn-ghost btn-compact", () => {
    const reason = el("input", { type: "text", name: "reason", maxlength: 300, placeholder: t("Reason (shown to guests)"), "aria-label": t("Reason to close {day}", { day: dayLabel(n.date) }) });
    const form = el("form", { class: "inline-form", novalidate: true }, reason,
      el("button", { type: "submit", class: "btn btn-danger btn-compact", text: t("Close") }),
      button(t("Keep open"), "btn-ghost btn-compact", () => show(s.ctx)));
    form.addEventListener("submit", (ev) => {
      ev.preventDefault();
      if (!reason.value.trim()) return setError(err, t("Give a reason for closing."));
      return busy(ev.submitter, async () => {
        try {
          const out = await s.ctx.api.close(n.date, reason.value.trim());
          toast(out.live_reservations ? t("Closed. {n} live booking(s) stay: contact those guests.", { n: out.live_reservations }) : t("Night closed"));
          await show(s.ctx);
        } catch (p) {
          setError(err, staffMessage(p));
        }
      });
    });
    cell.replaceChildren(form, err);
    reason.focus();
  }, { "data-action": "close" });
}

async function renderArea() {
  const box = $("area-panel");
  const night = el("select", { id: "ab-night", name: "night" }, ...s.nights.map((n) => new Option(dayLabel(n.date), n.date, false, n.date === s.day)));
  night.addEventListener("change", () => {
    s.day = night.value;
    renderArea();
  });
  let blocks = [];
  try {
    blocks = await s.ctx.api.blocks(s.day);
  } catch (p) {
    box.replaceChildren(el("p", { class: "error-box", text: staffMessage(p) }));
    return;
  }
  const err = errorBox("ab-error");
  const parts = [el("h2", { class: "panel-title", text: t("Blocked tables") }), field(t("Night"), night)];
  if (s.ctx.floor) {
    const area = el("select", { id: "ab-area", name: "area_id" }, ...s.areas.map((a) => new Option(a.name, a.id)));
    const reason = el("input", { id: "ab-reason", name: "reason", type: "text", maxlength: 300, placeholder: t("e.g. private hire") });
    const go = (fn, msg) => (ev) => busy(ev.currentTarget, async () => {
      setError(err, "");
      try {
        await fn();
        toast(msg);
        await renderArea();
      } catch (p) {
        setError(err, staffMessage(p));
      }
    });
    parts.push(
      el("div", { class: "two" }, field(t("Area"), area), field(t("Reason"), reason)),
      err,
      el("div", { class: "row" },
        button(t("Block area"), "btn-primary", go(() => {
          if (!reason.value.trim()) throw Object.assign(new Error(t("Give a reason for the block.")), { errors: [] });
          return s.ctx.api.block(s.day, { area_id: area.value, reason: reason.value.trim() });
        }, t("Area blocked")), { id: "ab-block" }),
        button(t("Unblock area"), "btn-ghost", go(() => s.ctx.api.unblock(s.day, { area_id: area.value }), t("Area back on sale")), { id: "ab-unblock" })),
    );
  }
  parts.push(blocks.length
    ? el("ul", { class: "block-list" }, ...blocks.map((b) => el("li", {}, el("strong", { text: s.tables.get(b.table_id)?.label || "?" }), el("span", { class: "muted", text: ` ${b.reason}` }))))
    : el("p", { class: "muted", text: t("No tables blocked that night.") }));
  box.replaceChildren(...parts);
}
