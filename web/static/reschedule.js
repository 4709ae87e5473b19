// "Change date or table" on the manage page: pick a night (and sitting), pick a free
// table that seats the party, see the price difference, confirm. The server moves the
// booking in one step (POST .../reschedule); a higher deposit leaves it waiting for the
// top-up, which the page's "Pay" button takes through Checkout.

import { Problem, api, dayPieces, el, fillFacts, humanMessage, localTime, money, seats, tierName } from "./api.js";
import { plural, t } from "./i18n.js";

const $ = (id) => document.getElementById(id);
const { slug, token } = document.body.dataset;
const client = api(slug);

let current = null; // the reservation as the server last showed it
let onMoved = () => {};
let pick = { date: null, sittingId: null, tableId: null };
let wired = false;

export function offerReschedule(res, moved) {
  current = res;
  if (moved) onMoved = moved;
  wire();
  const open = res.status === "confirmed";
  $("resched-row").hidden = !open;
  if (!open) close();
  dueNote(res);
}

// A booking waiting for a reschedule's top-up owes the difference, not the whole deposit.
function dueNote(res) {
  const topUp = res.quote?.rescheduled?.top_up || 0;
  if (res.status !== "pending_payment" || topUp <= 0) return;
  const note = $("manage-note");
  note.textContent = t("Your booking moved to a table with a higher deposit: {amount} is still to pay. Pay it to keep the new table.", { amount: money(topUp, res.currency) });
  note.hidden = false;
  $("manage-pay").textContent = t("Pay {amount}", { amount: money(topUp, res.currency) });
}

function wire() {
  if (wired) return;
  wired = true;
  $("resched-start").addEventListener("click", () => ($("resched").hidden ? openPanel() : close()));
  $("resched-no").addEventListener("click", () => {
    $("resched-confirm").hidden = true;
    pick.tableId = null;
    markTables();
  });
  $("resched-yes").addEventListener("click", confirmMove);
  $("cancel-yes").addEventListener("click", () => {
    close();
    $("resched-row").hidden = true;
  });
}

async function openPanel() {
  $("resched").hidden = false;
  $("resched-start").setAttribute("aria-expanded", "true");
  $("resched-party").textContent = String(current.party_size);
  $("resched-title").focus();
  try {
    renderNights(await client.nights(28));
  } catch (err) {
    showError(err);
  }
}

function close() {
  $("resched").hidden = true;
  $("resched-start").setAttribute("aria-expanded", "false");
  $("resched-confirm").hidden = true;
  $("resched-error").hidden = true;
  pick = { date: null, sittingId: null, tableId: null };
}

function renderNights(nights) {
  const items = nights.filter((n) => !n.closed).map((n) => {
    const d = dayPieces(n.date);
    const usable = n.bookable || n.date === current.date;
    const btn = el(
      "button",
      {
        type: "button",
        class: `night${usable ? "" : " unavailable"}`,
        "data-date": n.date,
        "aria-pressed": "false",
        disabled: !usable,
        onclick: () => chooseNight(n),
      },
      el("span", { class: "n-wd", text: d.weekday }),
      el("span", { class: "n-day", text: d.day }),
      el("span", { class: "n-mon", text: d.month }),
      el("span", { class: "n-title", text: n.title || "" }),
      el("span", { class: "n-time", text: `${localTime(n.opens_local)}` }),
      el("span", { class: "n-status", text: n.date === current.date ? t("Your night") : usable ? t("{n} free", { n: n.tables_free }) : t("Full") }),
    );
    return el("li", {}, btn);
  });
  $("resched-nights").replaceChildren(...items);
}

function chooseNight(night) {
  pick = { date: night.date, sittingId: null, tableId: null };
  for (const b of $("resched-nights").querySelectorAll(".night")) {
    b.setAttribute("aria-pressed", String(b.dataset.date === night.date));
  }
  const box = $("resched-sittings");
  box.hidden = night.sittings.length < 2;
  $("resched-sitting-list").replaceChildren(
    ...night.sittings.map((s, i) =>
      el(
        "label",
        { class: "seg" },
        el("input", {
          type: "radio",
          name: "resched-sitting",
          value: s.id,
          checked: i === 0,
          onchange: () => loadTables(night.date, s.id),
        }),
        el("span", { text: `${s.name} ${localTime(s.starts_local)}` }),
      ),
    ),
  );
  loadTables(night.date, night.sittings[0]?.id || null);
}

async function loadTables(date, sittingId) {
  pick = { date, sittingId, tableId: null };
  $("resched-confirm").hidden = true;
  $("resched-error").hidden = true;
  const note = $("resched-tables-note");
  note.textContent = t("Looking for tables…");
  try {
    const floor = await client.floor(date, sittingId);
    const mine = new Set(current.table_ids.map(String));
    const fits = floor.tables.filter(
      (tb) => tb.min_party <= current.party_size && current.party_size <= tb.max_party &&
        (tb.state === "free" || (mine.has(String(tb.id)) && date === current.date)),
    );
    note.textContent = fits.length
      ? plural(fits.length,
        t("{n} table for {party} on this night.", { n: fits.length, party: current.party_size }),
        t("{n} tables for {party} on this night.", { n: fits.length, party: current.party_size }))
      : t("No table for your party is free that night. Try another night.");
    fits.sort((a, b) => a.label.localeCompare(b.label, undefined, { numeric: true }));
    $("resched-tables").replaceChildren(
      ...fits.map((tb) => {
        const yours = mine.has(String(tb.id)) && date === current.date;
        return el(
          "li",
          {},
          el(
            "button",
            {
              type: "button",
              class: "alt",
              "data-table-id": tb.id,
              "aria-pressed": "false",
              onclick: () => chooseTable(tb),
            },
            el("span", { class: "alt-label", text: tb.label }),
            el("span", { class: "alt-meta", text: [tierName(tb.tier), t("seats {n}", { n: seats(tb) }), yours ? t("yours now") : ""].filter(Boolean).join(" · ") }),
            el("span", { class: "alt-meta", text: t("min {amount}", { amount: money(tb.minimum, floor.currency) }) }),
            el("span", { class: "alt-meta", text: tb.deposit ? t("dep. {amount}", { amount: money(tb.deposit, floor.currency) }) : "" }),
          ),
        );
      }),
    );
  } catch (err) {
    note.textContent = "";
    showError(err);
  }
}

function markTables() {
  for (const b of $("resched-tables").querySelectorAll(".alt")) {
    b.setAttribute("aria-pressed", String(b.dataset.tableId === pick.tableId));
  }
}

async function chooseTable(table) {
  pick.tableId = String(table.id);
  markTables();
  $("resched-error").hidden = true;
  try {
    const seen = await client.reschedulePreview(token, body());
    showDifference(seen);
  } catch (err) {
    $("resched-confirm").hidden = true;
    showError(err);
  }
}

function body() {
  const out = { date: pick.date, table_ids: [pick.tableId] };
  if (pick.sittingId) out.sitting_id = pick.sittingId;
  return out;
}

function signed(minor, currency) {
  if (minor === 0) return t("no change");
  return `${minor > 0 ? "+" : "−"}${money(Math.abs(minor), currency)}`;
}

function showDifference(seen) {
  const s = seen.settlement;
  const c = s.currency;
  const [wd, day, mon] = Object.values(dayPieces(seen.date));
  fillFacts($("resched-diff"), [
    [t("New night"), `${wd} ${day} ${mon}, ${localTime(seen.starts_local)}`],
    [seen.tables.length > 1 ? t("New tables") : t("New table"), seen.tables.join(" + "), "strong"],
    [t("Minimum spend"), `${money(s.minimum_after, c)} (${signed(s.minimum_difference, c)})`],
    [t("Deposit"), s.deposit_after || s.deposit_before ? `${money(s.deposit_after, c)} (${signed(s.deposit_difference, c)})` : t("None")],
  ]);
  let text = s.deposit_before > 0 ? t("Your deposit carries over.") : t("No deposit to pay.");
  if (s.top_up > 0) {
    text = t("The new table takes a higher deposit: you pay the difference of {amount} next, by card.", { amount: money(s.top_up, c) });
  } else if (s.refund_due > 0) {
    const back = seen.refund ? seen.refund.amount : 0;
    text = back > 0
      ? t("The new table takes a lower deposit: {amount} goes back to your card, by the venue's refund policy.", { amount: money(back, c) })
      : t("The new table takes a lower deposit; by the venue's refund policy nothing is refunded now.");
  }
  $("resched-money").textContent = text;
  $("resched-confirm").hidden = false;
  $("resched-yes").focus();
}

async function confirmMove() {
  const btn = $("resched-yes");
  btn.disabled = true;
  btn.textContent = t("Changing…");
  try {
    const moved = await client.reschedule(token, body());
    close();
    onMoved(moved);
    const note = $("manage-note");
    if (moved.status === "confirmed") {
      let text = t("Done: your booking has moved. We've emailed you the new details.");
      if (moved.refund && moved.refund.amount > 0) {
        text += " " + t("{amount} is on its way back to your card.", { amount: money(moved.refund.amount, moved.refund.currency) });
      }
      note.textContent = text;
      note.hidden = false;
    }
    $("manage-title").focus();
  } catch (err) {
    showError(err);
  } finally {
    btn.disabled = false;
    btn.textContent = t("Confirm change");
  }
}

function showError(err) {
  const box = $("resched-error");
  box.textContent = !(err instanceof Problem)
    ? t("Something went wrong. Please try again.")
    : err.code === "invalid" && err.errors.length
      ? err.errors[0].message.charAt(0).toUpperCase() + err.errors[0].message.slice(1) + "."
      : humanMessage(err);
  box.hidden = false;
}
