// The waitlist's two guest pages, by token: the place in the queue (leave), and an offer
// from the email link (accept, then pay a deposit through Checkout if one is due; decline).

import { Problem, api, applyBrand, dayLabel, el, fillFacts, humanMessage, localTime, money } from "./api.js";

const $ = (id) => document.getElementById(id);
const { slug, token, brand, page } = document.body.dataset;
const client = api(slug);
applyBrand(brand);

const ENTRY = {
  waiting: ["Waiting", "We'll email you the moment a table that fits comes free."],
  offered: ["Table offered", "A table is held for you: open the link in the email we sent to take it."],
  booked: ["Booked", "You took the table: the booking is in your email."],
  declined: ["Declined", "You turned the offer down, so you're off the waitlist."],
  lapsed: ["Offer ran out", "The offer ran out and the table went to the next party."],
  left: ["Left", "You've left the waitlist."],
  skipped: ["Closed", "The venue has closed this place on the waitlist."],
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
    ? "We couldn't find this. Check the link in your email."
    : err instanceof Problem ? humanMessage(err) : "Something went wrong. Please try again.";
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
  $("wl-lead").textContent = entry.position == null ? note : `You're number ${entry.position} in the queue for that night. ${note}`;
  fillFacts($("wl-facts"), [
    ["Name", entry.name],
    ["Night", dayLabel(entry.date, "long")],
    ["Guests", String(entry.party_size)],
    ["Latest start", entry.latest_time || "Any time"],
  ]);
  const actions = $("wl-actions");
  actions.replaceChildren();
  if (entry.status === "waiting" || entry.status === "offered") {
    const leave = button("Leave the waitlist", "btn-danger-ghost", async () => {
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
    ? offer.reservation_status === "pending_payment" ? "Deposit pending" : "Booked"
    : open ? "Held for you" : offer.status === "lapsed" ? "Offer ran out" : offer.status === "declined" ? "Declined" : "Closed");
  $("wl-place").hidden = true;
  $("wl-title").textContent = booked ? "You're booked" : "A table for you";
  $("wl-lead").textContent = open
    ? `${offer.name}, a table for ${offer.party_size} is held for you until ${localTime(offer.expires_local)}.`
    : booked ? "The table is yours." : "This offer is closed.";
  fillFacts($("wl-facts"), [
    ["Night", dayLabel(offer.date, "long")],
    ["From", localTime(offer.starts_local)],
    [offer.tables.length > 1 ? "Tables" : "Table", offer.tables.join(" + "), "strong"],
    ["Guests", String(offer.party_size)],
    ["Minimum spend", money(offer.minimum, offer.currency)],
    ["Deposit", offer.deposit > 0 ? money(offer.deposit, offer.currency) : "No deposit"],
  ]);
  const note = $("wl-note");
  note.hidden = !open;
  note.textContent = open ? `Take it by ${localTime(offer.expires_local)}, or it goes to the next party on the waitlist.` : "";
  const actions = $("wl-actions");
  actions.replaceChildren();
  if (open) {
    const accept = button(offer.deposit > 0 ? "Take the table and pay the deposit" : "Take the table", "btn-primary", async () => {
      accept.disabled = true;
      decline.disabled = true;
      accept.textContent = "Booking…";
      try {
        const done = await client.acceptOffer(token);
        if (done.needs_payment) {
          location.assign((await client.checkout(token)).checkout_url);
          return;
        }
        renderOffer(done);
        $("wl-title").focus();
      } catch (err) { fail(err); accept.disabled = false; decline.disabled = false; accept.textContent = "Take the table"; }
    });
    const decline = button("No thanks, give it to someone else", "btn-ghost", async () => {
      accept.disabled = true;
      decline.disabled = true;
      try {
        renderOffer(await client.declineOffer(token));
        $("wl-title").focus();
      } catch (err) { fail(err); accept.disabled = false; decline.disabled = false; }
    });
    actions.append(accept, decline);
  } else if (booked) {
    actions.append(el("a", { class: "btn btn-primary btn-block", href: `/v/${encodeURIComponent(slug)}/r/${encodeURIComponent(token)}`, text: "See or manage the booking" }));
  }
}

(page === "offer" ? client.offer(token).then(renderOffer) : client.waitlist(token).then(renderEntry)).catch(fail);
