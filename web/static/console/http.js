// The staff API client: the session cookie rides along by itself; every write carries
// the CSRF token. Errors are `Problem`s (problem+json, branch on `code`), with the raw
// body kept for extras such as `count` (table_has_future_bookings) or `version`.

import { Problem } from "../api.js";
import { plural, t } from "../i18n.js";

let csrf = "";
export const setCsrf = (token) => {
  csrf = token || "";
};

// The page shell says whether its request carried a live session: a signed-out visitor
// goes straight to the sign-in form, without a `GET /me` that can only fail with a 401.
export const signedOutAtLoad = () => document.body.dataset.signedIn === "no";

// A 401 anywhere means the session ended (logout elsewhere, password change, expiry).
let onUnauthorized = () => {};
export const whenSignedOut = (fn) => {
  onUnauthorized = fn;
};

export async function call(method, url, body, { headers = {}, quiet401 = false } = {}) {
  const h = { Accept: "application/json", ...headers };
  if (body !== undefined) h["Content-Type"] = "application/json";
  if (method !== "GET") h["X-CSRF-Token"] = csrf;
  let res;
  try {
    res = await fetch(url, {
      method,
      headers: h,
      body: body !== undefined ? JSON.stringify(body) : undefined,
      credentials: "same-origin",
      cache: "no-store",
    });
  } catch {
    throw new Problem(0, { code: "network", detail: t("No connection to the server. Try again.") });
  }
  if (res.status === 204) return null;
  const data = await res.json().catch(() => ({}));
  if (!res.ok) {
    const p = new Problem(res.status, data);
    p.body = data;
    p.retryAfter = Number(res.headers.get("Retry-After")) || 0;
    if (res.status === 401 && !quiet401) onUnauthorized();
    throw p;
  }
  return data;
}

const q = (params) => {
  const s = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (Array.isArray(v)) v.forEach((x) => s.append(k, x));
    else if (v !== undefined && v !== null && v !== "") s.append(k, v);
  }
  const text = s.toString();
  return text ? `?${text}` : "";
};

const ROOT = "/api/v1/staff";

/** Calls scoped to one venue (the tenant always comes from the session). */
export function staffApi(slug) {
  const V = `${ROOT}/venues/${encodeURIComponent(slug)}`;
  const id = encodeURIComponent;
  return {
    nights: (params = {}) => call("GET", `${V}/nights${q(params)}`),
    floor: (day, sitting) => call("GET", `${V}/nights/${day}/floor${q({ sitting })}`),
    service: (day) => call("GET", `${V}/dining/${day}/service`),
    turnaways: (from, to) => call("GET", `${V}/turnaways/report${q({ from, to })}`),
    close: (day, reason) => call("POST", `${V}/nights/${day}/close`, { reason }),
    reopen: (day) => call("POST", `${V}/nights/${day}/reopen`, {}),
    blocks: (day) => call("GET", `${V}/nights/${day}/blocks`),
    block: (day, body) => call("POST", `${V}/nights/${day}/blocks`, body),
    unblock: (day, body) => call("POST", `${V}/nights/${day}/unblock`, body),
    reservations: (params) => call("GET", `${V}/reservations${q(params)}`),
    reservation: (rid) => call("GET", `${V}/reservations/${id(rid)}`),
    act: (rid, action, body = {}) => call("POST", `${V}/reservations/${id(rid)}/${action}`, body),
    book: (body) => call("POST", `${V}/bookings`, body),
    previewSeries: (body) => call("POST", `${V}/series/preview`, body),
    createSeries: (body) => call("POST", `${V}/series`, body),
    seriesList: () => call("GET", `${V}/series`),
    series: (sid) => call("GET", `${V}/series/${id(sid)}`),
    cancelSeries: (sid, body) => call("POST", `${V}/series/${id(sid)}/cancel`, body),
    hosts: () => call("GET", `${V}/hosts`),
    plan: () => call("GET", `${V}/floor-plan`),
    patchPlan: (body) => call("PATCH", `${V}/floor-plan`, body),
    addTable: (body) => call("POST", `${V}/floor-plan/tables`, body),
    patchTable: (tid, body) => call("PATCH", `${V}/floor-plan/tables/${id(tid)}`, body),
    deleteTable: (tid) => call("DELETE", `${V}/floor-plan/tables/${id(tid)}`),
    addArea: (body) => call("POST", `${V}/floor-plan/areas`, body),
    patchArea: (aid, body) => call("PATCH", `${V}/floor-plan/areas/${id(aid)}`, body),
    deleteArea: (aid) => call("DELETE", `${V}/floor-plan/areas/${id(aid)}`),
    link: (a, b) => call("POST", `${V}/floor-plan/links`, { table_ids: [a, b] }),
    unlink: (a, b) => call("POST", `${V}/floor-plan/links/remove`, { table_ids: [a, b] }),
    rules: () => call("GET", `${V}/rules`),
    patchRules: (body) => call("PATCH", `${V}/rules`, body),
    diningRules: () => call("GET", `${V}/dining/rules`),
    putDiningRules: (body) => call("PUT", `${V}/dining/rules`, body),
    pricing: () => call("GET", `${V}/pricing`),
    putPricing: (body) => call("PUT", `${V}/pricing`, body),
    preview: (day, takenBp) => call("GET", `${V}/pricing/preview${q({ date: day, taken_bp: takenBp })}`),
    deliveries: (rid) => call("GET", `${V}/reservations/${id(rid)}/notifications`),
    overdue: () => call("GET", `${V}/notifications/overdue`),
    mail: (limit = 100) => call("GET", `${V}/mail${q({ limit })}`),
    mailOne: (mid) => call("GET", `${V}/mail/${id(mid)}`),
    payments: (rid) => call("GET", `${ROOT}/reservations/${id(rid)}/payments`),
    setAside: () => call("GET", `${ROOT}/outbox/set-aside`),
    retryEvent: (eid) => call("POST", `${ROOT}/outbox/${id(eid)}/retry`, {}),
    calendarFeeds: () => call("GET", `${V}/calendar-feeds`),
    addCalendarFeed: (body) => call("POST", `${V}/calendar-feeds`, body),
    rotateCalendarFeed: (fid) => call("POST", `${V}/calendar-feeds/${id(fid)}/rotate`, {}),
    revokeCalendarFeed: (fid) => call("DELETE", `${V}/calendar-feeds/${id(fid)}`),
    calendarImports: () => call("GET", `${V}/calendar-imports`),
    addCalendarImport: (body) => call("POST", `${V}/calendar-imports`, body),
    uploadCalendar: (iid, ics) => call("POST", `${V}/calendar-imports/${id(iid)}/upload`, { ics }),
    refreshCalendar: (iid) => call("POST", `${V}/calendar-imports/${id(iid)}/refresh`, {}),
    removeCalendar: (iid) => call("DELETE", `${V}/calendar-imports/${id(iid)}`),
    waitlist: (day) => call("GET", `${V}/waitlist${q({ date: day })}`),
    addWaitlist: (body) => call("POST", `${V}/waitlist`, body),
    waitlistAct: (eid, action, body = {}) => call("POST", `${V}/waitlist/${id(eid)}/${action}`, body),
    brand: () => call("GET", `${V}/brand`),
    putBrand: (body) => call("PUT", `${V}/brand`, body),
    previewBrand: (look) => call("POST", `${V}/brand/preview`, look),
    putLogo: (body) => call("PUT", `${V}/brand/logo`, body),
    putFont: (body) => call("PUT", `${V}/brand/font`, body),
    mailTemplates: () => call("GET", `${V}/mail-templates`),
    putMailTemplate: (kind, lang, body) => call("PUT", `${V}/mail-templates/${id(kind)}/${id(lang)}`, body),
    deleteMailTemplate: (kind, lang) => call("DELETE", `${V}/mail-templates/${id(kind)}/${id(lang)}`),
    previewMailTemplate: (kind, lang, body) => call("POST", `${V}/mail-templates/${id(kind)}/${id(lang)}/preview`, body),
    testMailTemplate: (kind, lang, body) => call("POST", `${V}/mail-templates/${id(kind)}/${id(lang)}/test`, body),
    refund: (rid, body, key) =>
      call("POST", `${ROOT}/reservations/${id(rid)}/refunds`, body, { headers: { "Idempotency-Key": key } }),
  };
}

export const account = {
  login: (email, password, venue) =>
    call("POST", `${ROOT}/login`, venue ? { email, password, venue } : { email, password }, { quiet401: true }),
  me: () => call("GET", `${ROOT}/me`, undefined, { quiet401: true }),
  logout: () => call("POST", `${ROOT}/logout`, {}, { quiet401: true }),
  changePassword: (body) => call("POST", `${ROOT}/me/password`, body),
  users: () => call("GET", `${ROOT}/users`),
  addUser: (body) => call("POST", `${ROOT}/users`, body),
  resetPassword: (uid, password) => call("POST", `${ROOT}/users/${encodeURIComponent(uid)}/password`, { password }),
  audit: (params) => call("GET", `${ROOT}/audit${q(params)}`),
};

// What staff read for each code. `detail` adds the specifics where it helps.
const MESSAGES = {
  invalid_transition: t("That step isn't possible from the booking's current status."),
  reservation_changed: t("Someone else changed this booking a moment ago. The latest is shown; try again."),
  table_unavailable: t("That table was just taken or blocked. The floor has been refreshed."),
  tables_not_joinable: t("Those tables can't be joined: pick tables that are linked on the floor plan."),
  party_size_not_allowed: t("That party size doesn't suit the chosen table(s)."),
  table_has_booking: t("A live booking sits on that table: move or cancel it first."),
  calendar_unreadable: t("That calendar could not be read."),
  night_closed: t("That night is closed."),
  rules_changed: t("Someone else changed the rules meanwhile. The latest rules are loaded; check and save again."),
  rules_invalid: t("Some rules are out of range. See the highlighted fields."),
  pricing_rules_invalid: t("The pricing rules have problems. See the highlighted fields."),
  label_taken: t("Another table already has that label."),
  forbidden: t("Not allowed for your role."),
  waitlist_nothing_fits: t("No free table fits this party now."),
  waitlist_entry_closed: t("This party is no longer waiting."),
  waitlist_already_joined: t("That guest is already on this night's waitlist."),
  not_found: t("Not found: it may have been removed."),
  network: t("No connection to the server. Try again."),
  too_many_requests: t("Too many attempts."),
};

export function staffMessage(p) {
  if (p.status === 403) return t("Not allowed for your role.");
  if (p.code === "table_has_future_bookings") {
    const n = p.body?.count;
    if (n == null) return t("This table has some future bookings. Move them to other tables first.");
    return plural(n, t("This table has {n} future booking. Move it to other tables first.", { n }), t("This table has {n} future bookings. Move them to other tables first.", { n }));
  }
  if (p.status === 429) {
    const wait = p.retryAfter ? t("Try again in {seconds} s.", { seconds: p.retryAfter }) : t("Wait a moment and try again.");
    return `${t("Too many attempts.")} ${wait}`;
  }
  const base = MESSAGES[p.code];
  if (base && p.message && ["party_size_not_allowed", "invalid_transition", "tables_not_joinable", "calendar_unreadable"].includes(p.code)) {
    return `${base} (${p.message})`;
  }
  if (p.code === "invalid" && p.errors.length) return p.errors.map((e) => `${e.field}: ${e.message}`).join("; ");
  return base || p.message || t("Something went wrong. Try again.");
}
