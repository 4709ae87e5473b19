// Staff sign-in. Already signed in? Straight to the console.

import { account } from "./http.js";
import { staffMessage } from "./http.js";

const $ = (id) => document.getElementById(id);
const next = () => {
  const n = new URLSearchParams(location.search).get("next") || "";
  return `/admin${n.startsWith("#/") ? n : ""}`;
};

account.me().then(() => location.replace(next()), () => {});
$("login-submit").disabled = false;

$("login-form").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const email = $("login-email").value.trim();
  const password = $("login-password").value;
  const err = $("login-error");
  if (!email || !password) {
    err.textContent = "Enter your email and password.";
    err.hidden = false;
    return;
  }
  const btn = $("login-submit");
  btn.disabled = true;
  err.hidden = true;
  try {
    await account.login(email, password);
    location.replace(next());
  } catch (p) {
    err.textContent = p.code === "login_failed" ? "Wrong email or password." : staffMessage(p);
    err.hidden = false;
    btn.disabled = false;
    $("login-password").select();
  }
});
