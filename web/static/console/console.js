// The console shell: restore the session, role-aware navigation, venue switcher, and a
// hash router (#/view/arg) so a reload keeps the staff member where they were.

import { account, setCsrf, signedOutAtLoad, staffApi, whenSignedOut } from "./http.js";
import { $, toast } from "./ui.js";
import * as tonight from "./tonight.js";
import * as reservations from "./reservations.js";
import * as closures from "./closures.js";
import * as plan from "./plan.js";
import * as rules from "./rules.js";
import * as audit from "./audit.js";
import * as users from "./users.js";
import * as calendars from "./calendars.js";
import * as series from "./series.js";
import * as waitlist from "./waitlist.js";
import * as turnaways from "./turnaways.js";
import * as brand from "./brand.js";
import * as mailTemplates from "./mail_templates.js";
import * as day from "./dayview.js";
import { t } from "../i18n.js";

const VIEWS = {
  tonight,
  reservations,
  series,
  closures,
  waitlist,
  plan,
  rules,
  audit,
  calendars,
  turnaways,
  brand,
  "mail-templates": mailTemplates,
  day,
  mail: { show: (ctx, arg) => audit.showMail(ctx, arg) },
  users,
};
const VENUE_KEY = "maitre.console.venue";

const ctx = {
  me: null,
  slug: null,
  api: null,
  role: "",
  get manager() {
    return ["owner", "manager"].includes(this.role);
  },
  get floor() {
    return ["owner", "manager", "floor"].includes(this.role);
  },
  go(hash) {
    if (location.hash === hash) route();
    else location.hash = hash;
  },
  venue() {
    return this.me.venues.find((v) => v.slug === this.slug);
  },
  names: new Map(),
  /** "staff:<uuid>" -> the colleague's name when we know it (managers load the list). */
  actorName(actor) {
    if (!actor) return "guest";
    const [kind, id] = String(actor).split(":");
    if (kind === "staff") return this.names.get(id) || (id === this.me.id ? this.me.name : "staff");
    return kind === "guest" ? "guest" : kind;
  },
};

let current = null;

function signIn() {
  const next = encodeURIComponent(location.hash || "");
  location.replace(`/admin/login${next ? `?next=${next}` : ""}`);
}

function allowed(link) {
  const roles = link.dataset.roles;
  return !roles || roles.split(" ").includes(ctx.role);
}

function route() {
  // An appointments venue has no floor: its day starts in the day view.
  const home = ctx.venue()?.mode === "appointments" ? "#/day" : "#/tonight";
  const [, name = "tonight", ...rest] = (location.hash || home).split("/");
  const link = document.querySelector(`.c-nav a[data-view="${CSS.escape(name)}"]`);
  const view = VIEWS[name] && link && allowed(link) ? name : VIEWS[name] ? "denied" : "tonight";
  if (current && current !== view) VIEWS[current]?.hide?.();
  current = view;
  document.querySelectorAll("main > .view").forEach((s) => (s.hidden = s.dataset.view !== view));
  document.querySelectorAll(".c-nav a").forEach((a) => {
    if (a.dataset.view === view) a.setAttribute("aria-current", "page");
    else a.removeAttribute("aria-current");
  });
  $("c-nav").classList.remove("open");
  $("nav-toggle").setAttribute("aria-expanded", "false");
  if (view !== "denied") VIEWS[view].show(ctx, rest.map(decodeURIComponent));
}

function setVenue(slug) {
  ctx.slug = slug;
  ctx.api = staffApi(slug);
  localStorage.setItem(VENUE_KEY, slug);
  $("venue-name").textContent = ctx.venue().name;
  document.title = `${ctx.venue().name} · ${t("Maitre staff")}`;
}

async function start() {
  whenSignedOut(signIn);
  if (signedOutAtLoad()) return signIn();
  let me;
  try {
    me = await account.me();
  } catch (p) {
    if (p.status === 401) return signIn();
    $("c-loading").textContent = t("The console couldn't load. Reload the page to try again.");
    return undefined;
  }
  ctx.me = me;
  ctx.role = me.role;
  setCsrf(me.csrf_token);
  $("user-name").textContent = me.name;
  $("user-role").textContent = me.role;
  if (!["owner", "manager", "floor", "finance"].includes(me.role) || !me.venues.length) {
    $("c-loading").textContent = t("Not allowed for your role: this console is for venue staff.");
    if (me.role === "host") location.replace("/host"); // hosts have their own phone view
    $("main").removeAttribute("aria-busy");
    return undefined;
  }
  document.querySelectorAll(".c-nav a").forEach((a) => (a.hidden = !allowed(a)));
  if (ctx.manager) {
    account.users().then((list) => list.forEach((u) => ctx.names.set(u.id, u.name)), () => {});
  }
  const saved = localStorage.getItem(VENUE_KEY);
  setVenue(me.venues.some((v) => v.slug === saved) ? saved : me.venues[0].slug);
  const select = $("venue-select");
  if (me.venues.length > 1) {
    select.replaceChildren(...me.venues.map((v) => new Option(v.name, v.slug, false, v.slug === ctx.slug)));
    select.hidden = false;
    $("venue-name").hidden = true;
    select.addEventListener("change", () => {
      VIEWS[current]?.hide?.();
      setVenue(select.value);
      current = null;
      route();
    });
  }
  $("c-loading").hidden = true;
  $("main").removeAttribute("aria-busy");
  window.addEventListener("hashchange", route);
  route();
  return undefined;
}

$("logout").addEventListener("click", async () => {
  try {
    await account.logout();
  } catch {
    // Signed out already (or offline): either way, leave.
  }
  location.replace("/admin/login");
});

$("nav-toggle").addEventListener("click", () => {
  const open = $("c-nav").classList.toggle("open");
  $("nav-toggle").setAttribute("aria-expanded", String(open));
});

window.addEventListener("unhandledrejection", (ev) => {
  // Every view handles its own expected problems; anything else gets a visible line.
  if (ev.reason?.status === 401) return;
  toast(ev.reason?.message || t("Something went wrong."));
});

start();
