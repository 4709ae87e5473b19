// Manage one booking by its token: show it, and let the guest cancel it.

import { Problem, api, applyBrand, dayLabel, fillFacts, goToCheckout, humanMessage, localTime, money } from "./api.js";
import { t } from "./i18n.js";
import { offerAppointmentMove } from "./appointments-manage.js";
import { offerReschedule as offerTableReschedule } from "./reschedule.js";

// An appointment moves to another time (appointments-manage.js); a table booking to
// another night or table (reschedule.js).
const offerReschedule = (res, moved) =>
  res.quote && res.quote.appointment ? offerAppointmentMove(res, moved) : offerTableReschedule(res, moved);

const $ = (id) => document.getElementById(id);
const { slug, token, brand } = document.body.dataset;
const client = api(slug);
applyBrand(brand);

const STATUS = {
  hold: [t("On hold"), t("Not booked yet: this table is only held for a few minutes.")],
  pending_payment: [t("Deposit pending"), t("Your table is reserved; the deposit is still to pay.")],
  confirmed: [t("Confirmed"), t("See you there.")],
  seated: [t("Seated"), t("Enjoy your night.")],
  completed: [t("Completed"), t("Thanks for coming.")],
  cancelled: [t("Cancelled"), t("This booking is cancelled. The table has gone back to other guests.")],
  expired: [t("Expired"), t("This hold ran out before it was booked.")],
  no_show: [t("No-show"), t("This booking was marked as a no-show.")],
};
const depositText = (res) =>
  res.deposit_paid > 0
    ? t("{amount} received", { amount: money(res.deposit_paid, res.currency) })
    : res.deposit > 0 ? money(res.deposit, res.currency) : t("No deposit");

const CANCELLABLE = new Set(["hold", "pending_payment", "confirmed"]);

function render(res) {
  const [label, note] = STATUS[res.status] || [res.status, ""];
  $("manage-loading").hidden = true;
  $("manage-body").hidden = false;
  $("manage").setAttribute("aria-busy", "false");
  $("manage-title").textContent = res.status === "cancelled" ? t("Booking cancelled") : t("Your booking");
  const pill = $("manage-status");
  pill.textContent = label;
  pill.className = `status-pill st-${res.status}`;
  const appt = res.quote && res.quote.appointment; // an appointment: a service with someone
  fillFacts($("manage-facts"), appt ? [
    [t("Name"), res.guest_name || "—"],
    [t("Service"), appt.service, "strong"],
    [t("With"), appt.staff],
    [t("Date"), dayLabel(res.date, "long")],
    [t("Time"), `${localTime(res.starts_local)}–${localTime(res.ends_local)}`],
    [t("Price"), money(res.minimum, res.currency)],
    [t("Deposit"), depositText(res)],
  ] : [
    [t("Name"), res.guest_name || "—"],
    [t("Night"), dayLabel(res.date, "long")],
    [t("Time"), `${localTime(res.starts_local)}–${localTime(res.ends_local)}`],
    [res.tables.length > 1 ? t("Tables") : t("Table"), res.tables.join(" + "), "strong"],
    [t("Guests"), String(res.party_size)],
    [t("Minimum spend"), money(res.minimum, res.currency)],
    [t("Deposit"), depositText(res)],
  ]);
  const noteEl = $("manage-note");
  const paying = new URLSearchParams(location.search).get("payment") === "done";
  noteEl.textContent = res.status === "pending_payment"
    ? paying
      ? t("Payment received by the payment page; confirming your booking…")
      : t("A deposit of {amount} is due. Pay it to secure the table.", { amount: money(res.deposit, res.currency) })
    : res.status === "confirmed" && res.deposit_paid > 0
      ? t("We've received your deposit of {amount}: your table is booked.", { amount: money(res.deposit_paid, res.currency) }) + " " + note
      : note;
  if (res.refund && res.refund.amount > 0) {
    noteEl.textContent += " " + t("A refund of {amount} is on its way to your card.", { amount: money(res.refund.amount, res.refund.currency) });
  }
  $("manage-pay-row").hidden = res.status !== "pending_payment" || paying;
  noteEl.hidden = !noteEl.textContent;
  $("manage-actions").hidden = !CANCELLABLE.has(res.status);
  $("cancel-confirm").hidden = true;
  $("cancel-start").hidden = false;
}

function fail(err) {
  $("manage-loading").hidden = true;
  $("manage").setAttribute("aria-busy", "false");
  const box = $("manage-error");
  box.textContent = err instanceof Problem && err.status === 404
    ? t("We couldn't find this booking. Check the link in your confirmation.")
    : err instanceof Problem ? humanMessage(err) : t("Something went wrong. Please try again.");
  box.hidden = false;
}

// Two steps, so a stray tap on a phone never cancels a night out.
$("cancel-start").addEventListener("click", () => {
  $("cancel-start").hidden = true;
  $("cancel-confirm").hidden = false;
  $("cancel-no").focus();
});
$("cancel-no").addEventListener("click", () => {
  $("cancel-confirm").hidden = true;
  $("cancel-start").hidden = false;
  $("cancel-start").focus();
});
$("cancel-yes").addEventListener("click", async () => {
  const btn = $("cancel-yes");
  btn.disabled = true;
  btn.textContent = t("Cancelling…");
  try {
    render(await client.cancel(token));
    $("manage-title").focus?.();
  } catch (err) {
    fail(err);
  } finally {
    btn.disabled = false;
    btn.textContent = t("Yes, cancel it");
  }
});

$("manage-pay").addEventListener("click", async () => {
  const btn = $("manage-pay");
  btn.disabled = true;
  try {
    goToCheckout((await client.checkout(token)).checkout_url);
  } catch (err) {
    fail(err);
    btn.disabled = false;
  }
});

// Back from the payment page: the webhook confirms the booking moments later, so look
// again for a minute rather than showing a stale "deposit pending".
async function load(attempt = 0) {
  const res = await client.reservation(token);
  render(res);
  offerReschedule(res, (moved) => { render(moved); offerReschedule(moved); });
  const paying = new URLSearchParams(location.search).get("payment") === "done";
  if (paying && res.status === "pending_payment" && attempt < 30) {
    setTimeout(() => load(attempt + 1).catch(fail), 2000);
  }
}

load().catch(fail);
