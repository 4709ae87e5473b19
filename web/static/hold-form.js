// The guest's details form under a hold, shared by the club, restaurant and appointment
// pages: catch the obvious before a round trip, complete the hold, show each 422 error
// next to its field, and give the hold back on "release". Each page says what happens
// around it (what "done", "lapsed" and "released" look like on that page).

import { Problem, goToCheckout, humanMessage } from "./api.js";
import { t } from "./i18n.js";

const form = () => document.getElementById("guest-form");

export function clearFieldErrors() {
  form().querySelectorAll(".field-error").forEach((p) => {
    p.hidden = true;
    p.textContent = "";
  });
  form().querySelectorAll("[aria-invalid]").forEach((i) => i.removeAttribute("aria-invalid"));
}

/** Show `message` under `field` (or under the form); the input, to focus. */
export function fieldError(field, message) {
  const p = document.getElementById(`err-${field}`) || document.getElementById("err-guest");
  p.textContent = message.charAt(0).toUpperCase() + message.slice(1);
  p.hidden = false;
  const input = form().querySelector(`[name="${field}"]`);
  input?.setAttribute("aria-invalid", "true");
  return input;
}

/**
 * state: the page's {hold: {id, token}, busy}; client: api(slug);
 * confirmLabel: the submit button's own text;
 * onDone(reservation, token), onLapsed(), onError(problem | null): null clears it;
 * onReleased(): after "release" (the hold is gone or was already).
 */
export function wireHoldForm({ state, client, confirmLabel, onDone, onLapsed, onError, onReleased }) {
  const value = (id) => document.getElementById(id).value.trim();
  form().addEventListener("submit", async (ev) => {
    ev.preventDefault();
    if (!state.hold || state.busy) return;
    clearFieldErrors();
    onError(null);
    const [name, email, phone, notes] = ["g-name", "g-email", "g-phone", "g-notes"].map(value);
    const local = [];
    if (!name) local.push(fieldError("guest.name", t("Please tell us your name")));
    if (!email && !phone) local.push(fieldError("guest", t("We need an email address or a mobile number to reach you")));
    if (local.length) {
      local.find(Boolean)?.focus();
      return;
    }
    const btn = document.getElementById("complete-btn");
    state.busy = true;
    btn.disabled = true;
    btn.textContent = t("Confirming…");
    try {
      const res = await client.complete(state.hold.id, {
        token: state.hold.token,
        guest: { name, email: email || null, phone: phone || null },
        notes: notes || null,
      });
      onDone(res, state.hold.token);
    } catch (err) {
      if (!(err instanceof Problem)) throw err;
      if (err.code === "invalid" && err.errors.length) {
        err.errors.map((e) => fieldError(e.field, e.message)).find(Boolean)?.focus();
      } else if (err.code === "hold_expired" || err.status === 410) {
        onLapsed();
      } else {
        onError(err);
      }
    } finally {
      state.busy = false;
      btn.disabled = false;
      btn.textContent = confirmLabel;
    }
  });

  document.getElementById("release-btn").addEventListener("click", async () => {
    if (!state.hold || state.busy) return;
    state.busy = true;
    try {
      await client.release(state.hold.id, state.hold.token);
    } catch (err) {
      // Already gone (expired or cancelled) is what the guest wanted anyway.
      if (!(err instanceof Problem)) throw err;
    } finally {
      state.busy = false;
    }
    onReleased();
  });
}

const byId = (id) => document.getElementById(id);
const payFailed = (err) => (err instanceof Problem ? humanMessage(err) : t("Couldn't open the payment page."));

/**
 * The confirmation's shared half, once a page has filled its facts: the deposit note and
 * its pay button (Checkout takes the whole tab, framed or not), the manage and book-again
 * links, then the confirmation itself, focused.
 * describe(err): the payment page's refusal as the guest reads it.
 */
export function showConfirmation({ client, slug, token, pending, depositNote, bookAgain, describe = payFailed }) {
  const note = byId("done-deposit");
  note.hidden = !pending;
  note.textContent = pending ? depositNote : "";
  byId("done-pay-row").hidden = !pending;
  byId("done-pay").onclick = () => payDeposit(client, token, describe);
  byId("done-manage").href = `/v/${encodeURIComponent(slug)}/r/${encodeURIComponent(token)}`;
  byId("book-again").href = bookAgain ?? location.pathname + location.search;
  const done = byId("done");
  done.hidden = false;
  done.focus();
  window.scrollTo({ top: 0 });
}

// Stripe Checkout (or the local TEST MODE page) takes the deposit and sends the guest back
// to the manage page, which shows the booking confirmed once the payment webhook lands.
async function payDeposit(client, token, describe) {
  const btn = byId("done-pay");
  const box = byId("done-pay-error");
  btn.disabled = true;
  btn.textContent = t("Opening the payment page…");
  box.hidden = true;
  try {
    goToCheckout((await client.checkout(token)).checkout_url);
  } catch (err) {
    box.textContent = describe(err);
    box.hidden = false;
    btn.disabled = false;
    btn.textContent = t("Pay deposit");
  }
}
