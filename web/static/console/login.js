// Staff sign-in. Already signed in? Straight to the console.

import { account, signedOutAtLoad } from "./http.js";
import { staffMessage } from "./http.js";
import { t } from "../i18n.js";

const $ = (id) => document.getElementById(id);
const next = () => {
  const n = new URLSearchParams(location.search).get("next") || "";
  return `/admin${n.startsWith("#/") ? n : ""}`;
};

if (!signedOutAtLoad()) account.me().then(() => location.replace(next()), () => {});
$("login-submit").disabled = false;

$("login-form").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const email = $("login-email").value.trim();
  const password = $("login-password").value;
  const err = $("login-error");
  if (!email || !password) {
    err.textContent = t("Enter your email and password.");
    err.hidden = false;
    return;
  }
  const btn = $("login-submit");
  btn.disabled = true;
  err.hidden = true;
  const venueField = $("login-venue-field");
  const venue = venueField.hidden ? "" : $("login-venue").value.trim();
  try {
    await account.login(email, password, venue);
    location.replace(next());
  } catch (p) {
    btn.disabled = false;
    if (p.code === "venue_required") {
      // Only someone with the right password gets here: ask which venue, keep the rest.
      err.textContent = t("This email works at several venues. Which one?");
      err.hidden = false;
      venueField.hidden = false;
      $("login-venue").focus();
      return;
    }
    err.textContent = p.code === "login_failed" ? t("Wrong email or password.") : staffMessage(p);
    err.hidden = false;
    $("login-password").select();
  }
});
