// Waitlist: a night's queue in order with the offers in flight; floor staff add phone and
// walk-in parties, skip a party, offer a table now (the best free one that fits) or book
// the party straight onto a free table. The waitlist offers freed tables by itself; this
// view is for the exceptions.

import { dayLabel } from "../api.js";
import { staffMessage } from "./http.js";
import { $, busy, button, channelName, clearErrors, el, errorBox, field, setError, showErrors, toast, when } from "./ui.js";
import { t } from "../i18n.js";

const s = { ctx: null, nights: [], day: null, free: [] };
const STATUS = {
  waiting: [t("Waiting"), "st-hold"],
  offered: [t("Offered"), "st-pending_payment"],
  booked: [t("Booked"), "st-confirmed"],
  declined: [t("Declined"), "st-cancelled"],
  lapsed: [t("Lapsed"), "st-expired"],
  left: [t("Left"), "st-cancelled"],
  skipped: [t("Skipped"), "st-cancelled"],
};

export async function show(ctx, [day] = []) {
  s.ctx = ctx;
  const root = $("waitlist-root");
  root.replaceChildren(el("p", { class: "muted", text: t("Loading…") }));
  try {
    s.nights = (await ctx.api.nights({ days: 42 })).filter((n) => !n.closed);
  } catch (p) {
    root.replaceChildren(el("p", { class: "error-box", text: staffMessage(p) }));
    return;
  }
  s.day = day && s.nights.some((n) => n.date === day) ? day : s.day && s.nights.some((n) => n.date === s.day) ? s.day : s.nights[0]?.date;
  const pick = el("select", { id: "wl-night", class: "c-select", "aria-label": t("Night") },
    ...s.nights.map((n) => el("option", { value: n.date, selected: n.date === s.day, text: `${dayLabel(n.date)}${n.title ? ` · ${n.title}` : ""}` })));
  pick.addEventListener("change", () => { s.day = pick.value; render(); });
  root.replaceChildren(
    el("div", { class: "t-head" }, pick, el("span", { class: "muted small", id: "wl-count" })),
    el("div", { class: "panel" }, el("div", { class: "scroll-x", tabindex: "0", role: "region", "aria-label": t("Waitlist") }, el("table", { class: "data-table", id: "wl-table" }))),
    ctx.floor ? addForm() : "",
  );
  await render();
}

async function render() {
  const table = $("wl-table");
  if (!s.day) {
    table.replaceChildren(el("caption", { text: t("No open nights.") }));
    return;
  }
  let list;
  try {
    const [got, floor] = await Promise.all([s.ctx.api.waitlist(s.day), s.ctx.api.floor(s.day)]);
    list = got;
    s.free = floor.tables.filter((tb) => tb.state === "free");
  } catch (p) {
    table.replaceChildren(el("caption", { text: staffMessage(p) }));
    return;
  }
  $("wl-count").textContent = `${list.waiting} waiting · ${s.free.length} table${s.free.length === 1 ? "" : "s"} free`;
  const head = el("thead", {}, el("tr", {}, ...["#", t("Party"), t("Takes"), t("Status"), t("Offer"), ""].map((h) => el("th", { scope: "col", text: h }))));
  const rows = list.entries.map((e) => {
    const [label, cls] = STATUS[e.status] || [e.status, ""];
    const err = errorBox(`wl-err-${e.id}`);
    const takes = [e.tiers.length ? e.tiers.join(", ") : t("any table"), e.latest_time ? t("by {time}", { time: e.latest_time }) : ""].filter(Boolean).join(" · ");
    const offer = e.offer ? `${e.offer.tables.join(" + ")} until ${when(e.offer.expires_at)}` : "—";
    return el("tr", { "data-entry": e.id },
      el("td", { class: "num", text: e.position ? String(e.position) : "—" }),
      el("th", { scope: "row" }, el("span", { text: `${e.name} · ${e.party_size}` }),
        el("span", { class: "muted block small", text: [channelName(e.channel), e.email, e.phone].filter(Boolean).join(" · ") })),
      el("td", { text: takes }),
      el("td", {}, el("span", { class: `status-pill ${cls}`, text: label })),
      el("td", { text: offer }),
      el("td", { class: "wl-act" }, ...(s.ctx.floor && (e.status === "waiting" || e.status === "offered") ? actions(e, err) : []), err));
  });
  table.replaceChildren(head, el("tbody", {}, ...rows));
  if (!rows.length) table.append(el("caption", { text: t("Nobody is waiting for this night.") }));
}

function actions(e, err) {
  const run = (fn, done) => (ev) => busy(ev.currentTarget, async () => {
    try {
      await fn();
      toast(done);
      await render();
    } catch (p) {
      setError(err, staffMessage(p));
    }
  });
  const out = [];
  if (e.status === "waiting") {
    out.push(button(t("Offer now"), "btn-ghost btn-compact", run(() => s.ctx.api.waitlistAct(e.id, "offer", {}), t("Offer sent to {name}", { name: e.name }))));
  }
  const fits = s.free.filter((tb) => tb.min_party <= e.party_size && e.party_size <= tb.max_party);
  if (fits.length) {
    const pick = el("select", { class: "c-select", "aria-label": t("Table for {name}", { name: e.name }) }, ...fits.map((tb) => el("option", { value: tb.id, text: tb.label })));
    out.push(pick, button(t("Book"), "btn-ghost btn-compact", run(() => s.ctx.api.waitlistAct(e.id, "book", { table_ids: [pick.value] }), `${e.name} booked`)));
  }
  out.push(button(t("Skip"), "btn-ghost btn-compact", run(() => s.ctx.api.waitlistAct(e.id, "skip"), `${e.name} skipped`)));
  return out;
}

function addForm() {
  const name = el("input", { name: "name", type: "text", maxlength: 200, required: true });
  const phone = el("input", { name: "phone", type: "tel", maxlength: 40 });
  const email = el("input", { name: "email", type: "email", maxlength: 254 });
  const party = el("input", { name: "party_size", type: "number", min: 1, max: 500, value: 2 });
  const latest = el("input", { name: "latest_time", type: "time" });
  const channel = el("select", { name: "channel" }, el("option", { value: "phone", text: t("Phone") }), el("option", { value: "walk_in", text: t("Walk-in") }));
  const err = errorBox("wl-add-err");
  const form = el("form", { class: "panel c-form", novalidate: true, id: "wl-add" },
    el("h2", { class: "panel-title", text: t("Add a party") }),
    field(t("Name"), name), field(t("Party size"), party), field(t("Phone"), phone), field(t("Email"), email),
    field(t("Latest start"), latest), field(t("How they asked"), channel),
    err, el("button", { type: "submit", class: "btn btn-primary", text: t("Add to the waitlist") }));
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    clearErrors(form);
    setError(err, "");
    return busy(ev.submitter, async () => {
      try {
        await s.ctx.api.addWaitlist({
          date: s.day, name: name.value.trim(), party_size: Number(party.value),
          phone: phone.value.trim() || null, email: email.value.trim() || null,
          latest_time: latest.value || null, channel: channel.value,
        });
        toast(t("{name} is on the waitlist", { name: name.value.trim() }));
        form.reset();
        await render();
      } catch (p) {
        const left = showErrors(form, p.errors || []);
        if (left.length || !(p.errors || []).length) setError(err, staffMessage(p));
      }
    });
  });
  return form;
}
