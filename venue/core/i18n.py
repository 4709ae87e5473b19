"""Languages: gettext catalogues (Babel), the guest's language, locale formatting.

Three catalogue domains, each a ``.po`` file per language under ``venue/locale``:

- ``guest``: the guest's pages (web/templates, the guest JS, problem details a guest reads);
- ``mail``: emails and ``.ics`` summaries (venue/notifications);
- ``staff``: the staff pages (web/templates/console and /money, the staff JS). English
  only for now: its strings go through the same machinery, and ``venue/locale/staff.pot``
  (checked against the source by ``tests/web/test_i18n_staff.py``) is the template a
  translation would start from.

English is the source language: its msgids are the English text, so ``en`` needs no
catalogue. The ``.po`` files are read and compiled in memory on first use (no ``.mo`` in
the tree); ``tests/test_i18n.py`` checks that every extracted string is translated in
every language and that each catalogue compiles without errors.

Formatting (dates, times, numbers, money) goes through Babel's CLDR data, always in the
venue's timezone: ``format_datetime(at, tz, lang)``, ``format_money(minor, currency, lang)``.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from functools import cache
from io import BytesIO
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo

from babel import Locale, dates, numbers
from babel.messages import mofile, pofile
from babel.support import NullTranslations, Translations

LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
SOURCE = "en"
# English, Italian and French are complete; a language is offered only when it is here.
LANGUAGES: tuple[str, ...] = ("en", "it", "fr")
# The name of each language in itself, for the language picker.
NATIVE = {code: str(Locale.parse(code).get_display_name(code)).capitalize() for code in LANGUAGES}
# The CLDR locale each language formats with (English as written in the UK and Europe:
# 24-hour times, day before month).
FORMAT_LOCALE = {"en": "en_GB", "it": "it_IT", "fr": "fr_FR"}
Domain = Literal["guest", "mail", "staff"]
DOMAINS: tuple[Domain, ...] = ("guest", "mail", "staff")
# The languages each domain is translated into (the staff pages stay English for now).
TRANSLATED: dict[Domain, tuple[str, ...]] = {
    "guest": LANGUAGES,
    "mail": LANGUAGES,
    "staff": (SOURCE,),
}


def po_path(lang: str, domain: Domain) -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{domain}.po"


def supported(lang: str | None) -> str | None:
    """``"it"``, ``"it-IT"``, ``"it_IT"`` → ``"it"``; anything we do not offer → None."""
    if not lang:
        return None
    code = lang.strip().replace("_", "-").split("-")[0].lower()
    return code if code in LANGUAGES else None


def from_accept_language(header: str | None) -> str | None:
    """The first language of an ``Accept-Language`` header that we offer, by q-value."""
    if not header:
        return None
    ranked: list[tuple[float, int, str]] = []
    for i, part in enumerate(header.split(",")):
        tag, _, params = part.strip().partition(";")
        q = 1.0
        for param in params.split(";"):
            key, _, value = param.strip().partition("=")
            if key == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        if tag and q > 0:
            ranked.append((-q, i, tag))
    for _, _, tag in sorted(ranked):
        if code := supported(tag):
            return code
    return None


def negotiate(
    choice: str | None = None,
    accept_language: str | None = None,
    venue_default: str | None = None,
) -> str:
    """The guest's language: their choice on the page, then ``Accept-Language``, then
    the venue's default, then English."""
    return (
        supported(choice)
        or from_accept_language(accept_language)
        or supported(venue_default)
        or SOURCE
    )


@cache
def translations(lang: str, domain: Domain) -> NullTranslations:
    """The compiled catalogue of ``domain`` in ``lang`` (English: the source, no-op)."""
    lang = supported(lang) or SOURCE
    path = po_path(lang, domain)
    if lang == SOURCE or not path.exists():
        return NullTranslations()
    with path.open("rb") as f:
        catalog = pofile.read_po(f, locale=lang, domain=domain)
    buf = BytesIO()
    mofile.write_mo(buf, catalog, use_fuzzy=False)
    buf.seek(0)
    return Translations(fp=buf, domain=domain)


def gettext(lang: str, domain: Domain, message: str) -> str:
    return translations(lang, domain).gettext(message)


def ngettext(lang: str, domain: Domain, singular: str, plural: str, n: int) -> str:
    return translations(lang, domain).ngettext(singular, plural, n)


def catalogue(lang: str, domain: Domain) -> dict[str, str]:
    """Every translated message of ``domain`` in ``lang``, msgid → msgstr, for a page's
    JavaScript. Plural entries are keyed by their singular, with a list of forms."""
    lang = supported(lang) or SOURCE
    path = po_path(lang, domain)
    if lang == SOURCE or not path.exists():
        return {}
    with path.open("rb") as f:
        catalog = pofile.read_po(f, locale=lang, domain=domain)
    out: dict[str, str] = {}
    for message in catalog:
        if not message.id or message.fuzzy or not message.string:
            continue
        if isinstance(message.id, tuple):
            continue  # plurals are rendered server-side
        out[str(message.id)] = str(message.string)
    return out


# -- formatting, always in the venue's timezone ---------------------------------------


def _fmt(lang: str) -> str:
    return FORMAT_LOCALE[supported(lang) or SOURCE]


def _zone(tz: str) -> ZoneInfo:
    return ZoneInfo(tz)


def format_datetime(at: datetime, tz: str, lang: str, format: str = "full") -> str:
    """A date and time in ``lang``; ``format`` is a CLDR width or pattern.

    The zone is shown by the "full"/"long" widths and by patterns with ``z``, so a date
    after a DST change reads "GMT" in winter and "BST" in summer (English), or the
    locale's own name for it."""
    return dates.format_datetime(at, format, tzinfo=_zone(tz), locale=_fmt(lang))


def format_date(at: datetime | date, tz: str | None, lang: str, format: str = "full") -> str:
    """A day in ``lang`` ("Saturday, 21 November 2026", "sabato 21 novembre 2026")."""
    if isinstance(at, datetime):
        at = at.astimezone(_zone(tz)) if tz else at
        at = at.date()
    return dates.format_date(at, format, locale=_fmt(lang))


def format_time(at: datetime, tz: str, lang: str, format: str = "short") -> str:
    """A time of day in ``lang`` ("22:00", "10:00 PM" where the locale says so)."""
    return dates.format_time(at, format, tzinfo=_zone(tz), locale=_fmt(lang))


def format_money(minor: int, currency: str, lang: str) -> str:
    """Integer minor units as money in ``lang``: 5000 GBP → "£50.00" (en), "50,00 £" (it)."""
    digits = numbers.get_currency_precision(currency)
    amount = Decimal(int(minor)).scaleb(-digits)
    return numbers.format_currency(amount, currency, locale=_fmt(lang))


def format_number(value: int | float | Decimal, lang: str) -> str:
    return numbers.format_decimal(value, locale=_fmt(lang))


# -- the catalogues against the source (tests/test_i18n*.py, `pybabel update`) ---------

ROOT = LOCALE_DIR.parent.parent


def extracted(domain: Domain) -> set[str]:
    """Every msgid the source marks for ``domain``, by the mapping in
    ``venue/locale/<domain>.cfg`` (the same file `pybabel extract -F` reads)."""
    return {message for _filename, message in _extract(domain)}


def sources(domain: Domain) -> set[str]:
    """The files (relative to the repository) that hold a message of ``domain``."""
    return {filename for filename, _message in _extract(domain)}


def _extract(domain: Domain) -> list[tuple[str, str]]:
    from babel.messages.extract import extract_from_dir
    from babel.messages.frontend import parse_mapping_cfg

    with (LOCALE_DIR / f"{domain}.cfg").open() as f:
        method_map, options_map = parse_mapping_cfg(f)
    keywords = {"_": None, "gettext": None, "ngettext": (1, 2), "t": None, "_g": None}
    return [
        (filename, message[0] if isinstance(message, tuple) else message)
        for filename, _lineno, message, _comments, _context in extract_from_dir(
            str(ROOT), method_map, options_map, keywords=keywords
        )
    ]


def template_ids(domain: Domain) -> set[str]:
    """The msgids of ``venue/locale/<domain>.pot``, the committed template of a domain
    with no translation yet (regenerate it with the command atop ``<domain>.cfg``)."""
    with (LOCALE_DIR / f"{domain}.pot").open("rb") as f:
        return {
            str(m.id[0] if isinstance(m.id, (tuple, list)) else m.id)
            for m in pofile.read_po(f, domain=domain)
            if m.id
        }


def untranslated(domain: Domain) -> dict[str, list[str]]:
    """Per language, the extracted msgids its catalogue lacks or leaves empty/fuzzy."""
    wanted = extracted(domain)
    out: dict[str, list[str]] = {}
    for lang in TRANSLATED[domain]:
        if lang == SOURCE:
            continue
        path = po_path(lang, domain)
        have: set[str] = set()
        if path.exists():
            with path.open("rb") as f:
                for m in pofile.read_po(f, locale=lang, domain=domain):
                    strings = [m.string] if isinstance(m.string, str) else list(m.string or ())
                    if m.id and all(strings) and not m.fuzzy:
                        have.add(str(m.id[0] if isinstance(m.id, (tuple, list)) else m.id))
        missing = sorted(wanted - have)
        if missing:
            out[lang] = missing
    return out
