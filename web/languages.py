"""The guest's language on the web: which one a request speaks, and what a page needs to
speak it (venue.core.i18n holds the catalogues and the formatting).

The language is the guest's choice (``?lang=``, then the ``maitre_lang`` cookie the choice
leaves), then ``Accept-Language``, then the venue's default, then English. The guest
scripts send the page's language as ``Accept-Language`` with every API call, so a hold
and a problem detail speak the language the page does.

Strings in ``web/`` that a guest reads are marked with :func:`_g` (extracted into the
``guest`` catalogue by ``venue/locale/guest.cfg``) and translated when shown.

The staff pages go through the same machinery with the ``staff`` domain (their templates'
``_()``/``{% trans %}``, their scripts' ``t()``), in English for now: :func:`staff_context`.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from fastapi import Request, Response
from sqlalchemy.ext.asyncio import AsyncSession

from venue.core import i18n
from venue.models import Venue
from venue.money import policies

COOKIE = "maitre_lang"
COOKIE_AGE = 365 * 24 * 3600
# Only the public guest API answers in the guest's language; staff endpoints stay English.
GUEST_API = "/api/v1/venues/"


def _g(message: str) -> str:
    """Marks a guest-facing message for the catalogue; translate it with :func:`gettext`."""
    return message


def choice(request: Request) -> str | None:
    """The language the guest picked on a page (the query, else the cookie it left)."""
    return i18n.supported(request.query_params.get("lang")) or i18n.supported(
        request.cookies.get(COOKIE)
    )


def of_guest(request: Request) -> str | None:
    """The guest's own language (choice, then ``Accept-Language``), None when neither
    says: the venue's default then applies, and follows it if the venue changes it."""
    return choice(request) or i18n.from_accept_language(request.headers.get("accept-language"))


def of_request(request: Request, venue_default: str | None = None) -> str:
    return i18n.negotiate(choice(request), request.headers.get("accept-language"), venue_default)


def of_problem(request: Request) -> str:
    """The language of a problem detail: the guest's on the public guest API, else English."""
    if not request.url.path.startswith(GUEST_API):
        return i18n.SOURCE
    return of_request(request)


def gettext(lang: str, message: str) -> str:
    return i18n.gettext(lang, "guest", message)


async def of_page(request: Request, session: AsyncSession, venue: Venue) -> str:
    return of_request(request, await policies.default_language(session, venue))


def remember(request: Request, response: Response) -> None:
    """Keep a choice made with ``?lang=`` for the next pages (and the API calls)."""
    picked = i18n.supported(request.query_params.get("lang"))
    if picked and picked != i18n.supported(request.cookies.get(COOKIE)):
        response.set_cookie(COOKIE, picked, max_age=COOKIE_AGE, samesite="lax", httponly=True)


@cache
def _catalogue(lang: str) -> dict[str, str]:
    return i18n.catalogue(lang, "guest")


def _with_lang(request: Request, code: str) -> str:
    url = request.url.include_query_params(lang=code)
    return f"{url.path}?{url.query}"


# The staff pages' language: English until the staff catalogue is translated.
STAFF_LANG = i18n.SOURCE


def staff_context() -> dict[str, Any]:
    """What a staff template needs: the ``staff`` domain's gettext callables for
    ``jinja2.ext.i18n`` and its catalogue for the page's scripts (empty in English)."""
    translations = i18n.translations(STAFF_LANG, "staff")
    return {
        "lang": STAFF_LANG,
        "locale": i18n.FORMAT_LOCALE[STAFF_LANG].replace("_", "-"),
        "gettext": translations.gettext,
        "ngettext": translations.ngettext,
        "catalogue": i18n.catalogue(STAFF_LANG, "staff"),
    }


def page_context(request: Request, lang: str, timezone: str | None) -> dict[str, Any]:
    """What a guest template needs to speak ``lang``: gettext callables for
    ``jinja2.ext.i18n``, the catalogue for the page's scripts, the picker's links."""
    translations = i18n.translations(lang, "guest")
    return {
        "lang": lang,
        "locale": i18n.FORMAT_LOCALE[lang].replace("_", "-"),
        "timezone": timezone or "",
        "gettext": translations.gettext,
        "ngettext": translations.ngettext,
        "catalogue": _catalogue(lang),
        "languages": [
            {
                "code": code,
                "native": i18n.NATIVE[code],
                "href": _with_lang(request, code),
                "current": code == lang,
            }
            for code in i18n.LANGUAGES
        ],
    }
