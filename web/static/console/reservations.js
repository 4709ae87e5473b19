// Reservations: search and filter, a paginated list, and a details panel with contact,
// money, payments (refunds for managers), the delivery log and the audit history.

import { money } from "../api.js";
import { staffMessage } from "./http.js";
import {
  busy, button, channelName, clearErrors, el, errorBox, facts, field, majorToMinor, setError,
  showErrors, statusName, statusPill, toast, when,
} from "./ui.js";
import { t } from "../i18n.js";

const STATUSES = ["confirmed", "seated", "pending_payment", "hold", "completed", "no_show", "cancelled", "expired"];
const PER_PAGE = 25;
const s = { ctx: null, slug: null, built: false, filters: { page: 1 }, openId: null, searches: 0 };

export async function show(ctx, [id] = []) {
  if (s.slug !== ctx.slug) s.built = false;
  s.ctx = ctx;
  s.slug = ctx.slug;
  if (!s.built) build();
  await search();
  if (id) openDetails(id);
}

function build() {
  s.built = true;
  const root = document.getElementById("res-root");
  const day = el("input", { type: "date", id: "rf-date", name: "date" });
  const q = el("input", { type: "search", id: "rf-q", name: "q", placeholder: t("Name, email or phone"), maxlength: 100 });
  const host = el("select", { id: "rf-host", name: "host_id" }, new Option(t("Any host"), ""));
  s.ctx.api.hosts().then((hs) => host.append(...hs.map((h) => new Option(h.name, h.id))), () => {});
  const boxes = STATUSES.map((st) =>
    el("label", { class: "chip-check" }, el("input", { type: "checkbox", name: "status", value: st }), el("span", { text: statusName(st) })),
  );
  const form = el(
    "form",
    { class: "filters panel", id: "res-filters" },
    el(
      "div",
      { class: "filter-row" },
      field(t("Night"), day),
      field(t("Guest"), q),
      field(t("Host"), host),
      el("div", { class: "filter-go" }, el("button", { type: "submit", class: "btn btn-primary", text: t("Search") }), button(t("Clear"), "btn-ghost", () => {
        form.reset();
        s.filters = { page: 1 };
        search();
      })),
    ),
    el("fieldset", { class: "status-filter" }, el("legend", { class: "sr-only", text: t("Status") }), ...boxes),
  );
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    s.filters = {
      date: day.value || undefined,
      q: q.value.trim() || undefined,
      host_id: host.value || undefined,
      status: [...form.querySelectorAll("input[name=status]:checked")].map((b) => b.value),
      page: 1,
    };
    search();
  });
  root.replaceChildren(
    form,
    el(
      "div",
      { class: "res-grid" },
      el("div", { class: "panel res-list-wrap" }, el("div", { id: "res-list", class: "res-list", "aria-live": "polite" }), el("nav", { class: "pager", id: "res-pager", "aria-label": t("Pages") })),
      el("aside", { class: "panel side res-details", id: "res-details", hidden: true, "aria-labelledby": "rd-title" }),
    ),
  );
}

async function search() {
  const list = document.getElementById("res-list");
  list.setAttribute("aria-busy", "true");
  // Only the latest search may draw: the list as the view opened, answering after the
  // filters were submitted, must not replace what they found.
  const mine = ++s.searches;
  let data;
  try {
    data = await s.ctx.api.reservations({ ...s.filters, per_page: PER_PAGE });
  } catch (p) {
    if (mine === s.searches) list.replaceChildren(el("p", { class: "error-box", text: staffMessage(p) }));
    return;
  } finally {
    if (mine === s.searches) list.removeAttribute("aria-busy");
  }
  if (mine !== s.searches) return;
  if (!data.items.length) {
    list.replaceChildren(el("p", { class: "muted empty", text: t("No reservations match.") }));
  } else {
    list.replaceChildren(
      el(
        "table",
        { class: "data-table" },
        el("thead", {}, el("tr", {}, ...[t("Night"), t("Guest"), t("Party"), t("Tables"), t("Status"), t("Channel"), t("Host"), t("Minimum")].map((h) => el("th", { scope: "col", text: h })))),
        el("tbody", {}, ...data.items.map(row)),
      ),
    );
  }
  const pages = Math.max(1, Math.ceil(data.total / data.per_page));
  const go = (p) => {
    s.filters.page = p;
    search();
  };
  document.getElementById("res-pager").replaceChildren(
    button(t("‹ Previous"), "btn-ghost btn-compact", () => go(data.page - 1), { disabled: data.page <= 1 }),
    el("span", { class: "muted", text: t("Page {page} of {pages} · {total} reservations", { page: data.page, pages, total: data.total }) }),
    button(t("Next ›"), "btn-ghost btn-compact", () => go(data.page + 1), { disabled: data.page >= pages }),
  );
}

function row(r) {
  const tr = el(
    "tr",
    { tabindex: "0", "data-res-id": r.id, class: r.id === s.openId ? "selected" : "" },
    el("td", { text: r.date }),
    el("td", {}, el("strong", { text: r.guest_name || "—" }), r.guest_phone || r.guest_email ? el("span", { class: "muted block small", text: r.guest_phone || r.guest_email }) : null),
    el("td", { text: String(r.party_size) }),
    el("td", { text: r.tables.join(" + ") }),
    el("td", {}, statusPill(r.status)),
    el("td", { text: channelName(r.channel) }),
    el("td", { text: r.host_name || "—" }),
    el("td", { class: "num", text: money(r.minimum, r.currency) }),
  );
  const open = () => {
    history.replaceState(null, "", `#/reservations/${r.id}`);
    openDetails(r.id);
  };
  tr.addEventListener("click", open);
  tr.addEventListener("keydown", (ev) => ev.key === "Enter" && open());
  return tr;
}

async function openDetails(id) {
  s.openId = id;
  document.querySelectorAll("#res-list tr[data-res-id]").forEach((tr) => tr.classList.toggle("selected", tr.dataset.resId === id));
  const box = document.getElementById("res-details");
  box.hidden = false;
  box.replaceChildren(el("p", { class: "muted", text: t("Loading…") }));
  const api = s.ctx.api;
  let r;
  try {
    r = await api.reservation(id);
  } catch (p) {
    box.replaceChildren(el("p", { class: "error-box", text: staffMessage(p) }));
    return;
  }
  const [payments, deliveries] = await Promise.all([
    api.payments(id).catch((p) => p),
    api.deliveries(id).catch((p) => p),
  ]);
  if (s.openId !== id) return;
  box.replaceChildren(...details(r, payments, deliveries));
  box.scrollIntoView({ block: "nearest" });
}

function details(r, payments, deliveries) {
  const cur = r.currency;
  const err = errorBox("rd-error");
  const out = [
    el(
      "header",
      { class: "side-head" },
      el("h2", { id: "rd-title", text: r.guest?.name || r.guest_name || t("Reservation") }),
      statusPill(r.status),
      el("button", { type: "button", class: "icon-btn", "aria-label": t("Close details"), text: "✕", onclick: () => {
        s.openId = null;
        document.getElementById("res-details").hidden = true;
        history.replaceState(null, "", "#/reservations");
      } }),
    ),
    facts([
      [t("Night"), `${r.date} · ${r.starts_at.slice(11, 16)}–${r.ends_at.slice(11, 16)} UTC`],
      [t("Tables"), r.tables.map((tb) => tb.label).join(" + ")],
      [t("Party"), String(r.party_size)],
      [t("Phone"), r.guest_phone],
      [t("Email"), r.guest_email],
      [t("Channel"), channelName(r.channel)],
      [t("Host"), r.host_name],
      [t("Minimum"), money(r.minimum, cur)],
      [t("Deposit"), r.deposit ? money(r.deposit, cur) : t("none")],
      r.notes ? [t("Requests"), r.notes] : null,
      r.cancel_reason ? [t("Cancelled because"), r.cancel_reason] : null,
      r.series_id ? [t("Standing"), t("Part of a standing reservation (its {date} date)", { date: r.series_date })] : null,
      [t("Booked"), `${when(r.created_at)} by ${s.ctx.actorName(r.created_by)}`],
    ]),
    err,
  ];
  if (s.ctx.floor) out.push(actions(r, err));
  out.push(el("p", { class: "small" }, el("a", { href: `#/tonight/${r.date}`, text: t("Show on the floor map →") })));
  if (r.series_id) out.push(el("p", { class: "small" }, el("a", { href: `#/series/${r.series_id}`, text: t("The standing reservation →") })));
  if (r.quote?.tables?.length) {
    out.push(el("h3", { text: t("How the minimum was set") }));
    for (const q of r.quote.tables) {
      out.push(el("table", { class: "data-table compact" }, el("caption", { text: q.label }), el("tbody", {}, ...q.lines.map((l) => el("tr", {}, el("td", { text: l.label }), el("td", { class: "num", text: money(l.delta, cur) }), el("td", { class: "num muted", text: money(l.total_after, cur) }))))));
    }
  }
  out.push(el("h3", { text: t("Payments") }), paymentsBlock(r, payments));
  out.push(el("h3", { text: t("Messages") }), deliveryBlock(deliveries));
  out.push(el("h3", { text: t("History") }), historyBlock(r.history || []));
  return out;
}

function actions(r, err) {
  const row = el("div", { class: "side-actions" });
  const act = (label, action, cls, extra = {}) =>
    button(label, cls, (ev) => busy(ev.currentTarget, async () => {
      setError(err, "");
      try {
        await s.ctx.api.act(r.id, action, { version: r.version, ...extra });
        toast(`${label}: done`);
      } catch (p) {
        setError(err, staffMessage(p));
        if (p.code !== "reservation_changed") return;
      }
      await openDetails(r.id);
      search();
    }), { "data-action": action });
  if (r.status === "confirmed") row.append(act(t("Seat"), "seat", "btn-primary"), act(t("No-show"), "no-show", "btn-ghost"));
  if (r.status === "seated") row.append(act(t("Complete"), "complete", "btn-primary"));
  if (["confirmed", "pending_payment", "hold"].includes(r.status)) {
    row.append(button(t("Cancel booking"), "btn-danger-ghost", () => {
      const reason = el("input", { type: "text", name: "reason", id: "rd-reason", maxlength: 300 });
      const box = el("form", { class: "confirm-box", novalidate: true },
        el("p", { text: t("Cancel this booking? The guest is told and refunded by the venue's policy.") }),
        field(t("Reason"), reason),
        el("div", { class: "row" },
          el("button", { type: "submit", class: "btn btn-danger", text: t("Yes, cancel") }),
          button(t("Keep"), "btn-ghost", () => box.replaceWith(row))));
      box.addEventListener("submit", (ev) => {
        ev.preventDefault();
        clearErrors(box);
        if (!reason.value.trim()) return showErrors(box, [{ field: "reason", message: t("Give a reason.") }]);
        return busy(ev.submitter, async () => {
          try {
            await s.ctx.api.act(r.id, "cancel", { reason: reason.value.trim(), version: r.version });
            toast(t("Booking cancelled"));
          } catch (p) {
            setError(err, staffMessage(p));
          }
          await openDetails(r.id);
          search();
        });
      });
      row.replaceWith(box);
      reason.focus();
    }));
  }
  return row;
}

function paymentsBlock(r, payments) {
  if (payments instanceof Error) return el("p", { class: "muted small", text: staffMessage(payments) });
  const wrap = el("div", {});
  if (!payments.length) wrap.append(el("p", { class: "muted small", text: t("No payments.") }));
  for (const p of payments) {
    const refunded = (p.refunds || []).reduce((a, x) => a + (x.amount || 0), 0);
    wrap.append(facts([
      [t("Deposit"), `${money(p.amount, p.currency)} · ${p.outcome}`],
      [t("Paid"), when(p.created_at)],
      refunded ? [t("Refunded"), money(refunded, p.currency)] : null,
    ]));
    for (const x of p.refunds || []) wrap.append(el("p", { class: "muted small", text: `${t("Refund {amount} · {status}", { amount: money(x.amount, p.currency), status: x.status })}${x.reason ? ` · ${x.reason}` : ""}` }));
  }
  if (s.ctx.manager && payments.length) wrap.append(refundForm(r));
  return wrap;
}

function refundForm(r) {
  const amount = el("input", { type: "number", name: "amount", id: "rf-amount", min: "0.01", step: "0.01", inputmode: "decimal" });
  const reason = el("input", { type: "text", name: "reason", id: "rf-reason", maxlength: 300 });
  const err = errorBox("refund-error");
  const key = crypto.randomUUID();
  const form = el("details", { class: "block-box" }, el("summary", { text: t("Refund…") }),
    el("div", { class: "two" }, field(t("Amount ({currency})", { currency: r.currency }), amount), field(t("Reason"), reason)), err);
  const go = button(t("Refund"), "btn-ghost", (ev) => busy(ev.currentTarget, async () => {
    clearErrors(form);
    const value = majorToMinor(amount.value);
    if (!(value > 0) || !reason.value.trim()) return setError(err, t("Enter an amount and a reason."));
    try {
      await s.ctx.api.refund(r.id, { amount: value, reason: reason.value.trim() }, key);
      toast(t("Refund issued"));
      return openDetails(r.id);
    } catch (p) {
      if (p.errors.length) showErrors(form, p.errors);
      return setError(err, staffMessage(p));
    }
  }));
  form.append(go);
  return form;
}

function deliveryBlock(rows) {
  if (rows instanceof Error) return el("p", { class: "muted small", text: staffMessage(rows) });
  if (!rows.length) return el("p", { class: "muted small", text: t("No messages.") });
  return el("table", { class: "data-table compact" }, el("tbody", {}, ...rows.map((n) =>
    el("tr", {}, el("td", { text: n.kind.replace(/_/g, " ") }), el("td", { text: n.to }), el("td", { class: `dl-${n.status}`, text: n.status }), el("td", { class: "muted", text: when(n.sent_at || n.due_at) }),
      n.last_error ? el("td", { class: "muted small", text: n.last_error }) : null))));
}

function historyBlock(rows) {
  if (!rows.length) return el("p", { class: "muted small", text: t("No history.") });
  return el("ol", { class: "history" }, ...rows.map((h) =>
    el("li", {}, el("span", { class: "h-when", text: when(h.at) }), el("span", { class: "h-what", text: h.action.replace(/^reservation\./, "") }), el("span", { class: "h-who muted", text: s.ctx.actorName(h.actor) }))));
}
