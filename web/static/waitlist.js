// The waitlist's two guest pages, by token: the place in the queue (leave), and an offer
// from the email link (accept, then pay a deposit through Checkout if one is due; decline).

import { Problem, api, applyBrand, dayLabel, el, fillFacts, humanMessage, localTime, money } from "./api.js";
import { t } from "./i18n.js";

const $ = (id) => document.getElementById(id);
const { slug, token, brand, page } = document.body.dataset;
const client = api(slug);
applyBrand(brand);

const ENTRY = {
  waiting: [t("Waiting"), t("We'll email you the moment a table that fits comes free.")],
  offered: [t("Table offered"), t("A table is held for you: open the link in the email we sent to take it.")],
  booked: [t("Booked"), t("You took the table: the booking is in your email.")],
  declined: [t("Declined"), t("You turned the offer down, so you're off the waitlist.")],
  lapsed: [t("Offer ran out"), t("The offer ran out and the table went to the next party.")],
  left: [t("Left"), t("You've left the waitlist.")],
  skipped: [t("Closed"), t("The venue has closed this place on the waitlist.")],
};

function shown() {
  $("wl-loading").hidden = true;
  $("wl-body").hidden = false;
  $("wl").setAttribute("aria-busy", "false");
}

function fail(err) {
  $("wl-loading").hidden = true;
  $("wl").setAttribute("aria-busy", "false");
  const box = $("wl-error");
  box.textContent = err instanceof Problem && err.status === 404
    ? t("We couldn't find this. Check the link in your email.")
    : err instanceof Problem ? humanMessage(err) : t("Something went wrong. Please try again.");
  box.hidden = false;
}

function button(text, cls, onclick) {
  return el("button", { type: "button", class: `btn ${cls} btn-block`, text, onclick });
}

function pill(status, label) {
  const p = $("wl-status");
  p.textContent = label;
  p.className = `status-pill st-${status}`;
}

// ---------- the place in the queue -------------------------------------------------------

function renderEntry(entry) {
  shown();
  const [label, note] = ENTRY[entry.status] || [entry.status, ""];
  pill(entry.status, label);
  const place = $("wl-place");
  place.hidden = entry.position == null;
  place.textContent = entry.position == null ? "" : `#${entry.position}`;
  $("wl-lead").textContent = entry.position == null ? note : t("You're number {n} in the queue for that night.", { n: entry.position }) + " " + note;
  fillFacts($("wl-facts"), [
    [t("Name"), entry.name],
    [t("Night"), dayLabel(entry.date, "long")],
    [t("Guests"), String(entry.party_size)],
    [t("Latest start"), entry.latest_time || t("Any time")],
  ]);
  const actions = $("wl-actions");
  actions.replaceChildren();
  if (entry.status === "waiting" || entry.status === "offered") {
    const leave = button(t("Leave the waitlist"), "btn-danger-ghost", async () => {
      leave.disabled = true;
      try {
        renderEntry(await client.leaveWaitlist(token));
        $("wl-title").focus();
      } catch (err) { fail(err); leave.disabled = false; }
    });
    actions.append(leave);
  }
}

// ---------- an offer ---------------------------------------------------------------------

function renderOffer(offer) {
  shown();
  const open = offer.status === "open";
  const booked = offer.status === "accepted";
  pill(booked ? offer.reservation_status : offer.status, booked
    ? offer.reservation_status === "pending_payment" ? t("Deposit pending") : t("Booked")
    : open ? t("Held for you") : offer.status === "lapsed" ? t("Offer ran out") : offer.status === "declined" ? t("Declined") : t("Closed"));
  $("wl-place").hidden = true;
  $("wl-title").textContent = booked ? t("You're booked") : t("A table for you");
  $("wl-lead").textContent = open
    ? t("{name}, a table for {n} is held for you until {time}.", { name: offer.name, n: offer.party_size, time: localTime(offer.expires_local) })
    : booked ? t("The table is yours.") : t("This offer is closed.");
  fillFacts($("wl-facts"), [
    [t("Night"), dayLabel(offer.date, "long")],
    [t("From"), localTime(offer.starts_local)],
    [offer.tables.length > 1 ? t("Tables") : t("Table"), offer.tables.join(" + "), "strong"],
    [t("Guests"), String(offer.party_size)],
    [t("Minimum spend"), money(offer.minimum, offer.currency)],
    [t("Deposit"), offer.deposit > 0 ? money(offer.deposit, offer.currency) : t("No deposit")],
  ]);
  const note = $("wl-note");
  note.hidden = !open;
  note.textContent = open ? t("Take it by {time}, or it goes to the next party on the waitlist.", { time: localTime(offer.expires_local) }) : "";
  const actions = $("wl-actions");
  actions.replaceChildren();
  if (open) {
    const accept = button(offer.deposit > 0 ? t("Take the table and pay the deposit") : t("Take the table"), "btn-primary", async () => {
      accept.disabled = true;
      decline.disabled = true;
      accept.textContent = t("Booking…");
      try {
        const done = await client.acceptOffer(token);
        if (done.needs_payment) {
          location.assign((await client.checkout(token)).checkout_url);
          return;
        }
        renderOffer(done);
        $("wl-title").focus();
      } catch (err) { fail(err); accept.disabled = false; decline.disabled = false; accept.textContent = t("Take the table"); }
    });
    const decline = button(t("No thanks, give it to someone else"), "btn-ghost", async () => {
      accept.disabled = true;
      decline.disabled = true;
      try {
        renderOffer(await client.declineOffer(token));
        $("wl-title").focus();
      } catch (err) { fail(err); accept.disabled = false; decline.disabled = false; }
    });
    actions.append(accept, decline);
  } else if (booked) {
    actions.append(el("a", { class: "btn btn-primary btn-block", href: `/v/${encodeURIComponent(slug)}/r/${encodeURIComponent(token)}`, text: t("See or manage the booking") }));
  }
}

(page === "offer" ? client.offer(token).then(renderOffer) : client.waitlist(token).then(renderEntry)).catch(fail);
