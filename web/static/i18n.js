// The page's language. The server picks it (the guest's choice, Accept-Language, the
// venue's default), sets <html lang>, and embeds the page's catalogue as JSON: msgid (the
// English text) -> translation. `t("{n} tables left", { n })` looks a message up and fills
// its {placeholders}; Babel's javascript extractor finds every t("...") for the catalogue
// (venue/locale/guest.cfg), so the text inside t() must be one plain string literal.
// The staff pages' scripts (web/static/console, web/static/money) use this module too, with
// the page's `staff` catalogue (venue/locale/staff.cfg; English, so empty, for now).

const data = document.getElementById("i18n-catalogue");
const CATALOGUE = data ? JSON.parse(data.textContent || "{}") : {};

export const LANG = document.documentElement.lang || "en";
// The CLDR locale the server formats with ("en-GB", "it-IT", "fr-FR").
export const LOCALE = document.body?.dataset.locale || LANG;
// The venue's IANA timezone: every time of day is shown in it, never the browser's.
export const TIME_ZONE = document.body?.dataset.timezone || undefined;

export function t(msgid, vars) {
  const text = CATALOGUE[msgid] || msgid;
  if (!vars) return text;
  return text.replace(/\{(\w+)\}/g, (whole, key) => (key in vars ? String(vars[key]) : whole));
}

// One of two already translated forms by the locale's plural rules ("one" or not).
const rules = new Intl.PluralRules(LOCALE);
export const plural = (n, one, other) => (rules.select(n) === "one" ? one : other);
