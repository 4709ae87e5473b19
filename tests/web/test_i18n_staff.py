"""The staff pages go through the same gettext machinery as the guest pages, in the
``staff`` domain (English only for now): the committed template ``staff.pot`` is the
source's, the two domains keep to their own files, no staff template carries a visible
text that bypasses the catalogue, and the staff scripts show text through ``t()``."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from venue.core import i18n
from web import languages
from web.pages import templates

STAFF_SCRIPTS = [*Path("web/static/console").glob("*.js"), *Path("web/static/money").glob("*.js")]
STAFF_TEMPLATES = ["web/templates/console", "web/templates/money"]


# -- the catalogue -----------------------------------------------------------------------


def test_the_staff_template_is_the_sources() -> None:
    """A string wrapped in the staff pages but missing from staff.pot (or left there after
    its removal) fails: regenerate it with the command atop venue/locale/staff.cfg."""
    wanted = i18n.extracted("staff")
    have = i18n.template_ids("staff")
    assert sorted(wanted - have) == [], "not in venue/locale/staff.pot"
    assert sorted(have - wanted) == [], "in venue/locale/staff.pot, gone from the source"
    assert len(wanted) > 300  # the staff pages really are marked


def test_the_staff_domain_is_english_only_for_now() -> None:
    assert i18n.untranslated("staff") == {}
    assert i18n.catalogue("it", "staff") == {}  # no Italian staff catalogue: English
    assert i18n.gettext("it", "staff", "Rules & pricing") == "Rules & pricing"


def test_each_domain_keeps_to_its_own_files() -> None:
    staff = i18n.sources("staff")
    guest = i18n.sources("guest")
    assert staff and all(f.startswith(tuple(STAFF_TEMPLATES) + _STAFF_JS) for f in staff)
    assert not any(f.startswith(tuple(STAFF_TEMPLATES) + _STAFF_JS) for f in guest)
    # The floor map is shared by the console and the booking page: it stays a guest's.
    assert "web/static/floor.js" in guest and "web/static/floor.js" not in staff
    assert "Audit trail" not in i18n.extracted("guest")


_STAFF_JS = ("web/static/console/", "web/static/money/")


def test_every_t_call_in_the_staff_scripts_is_extracted() -> None:
    """Babel finds a t() inside a template literal only with parse_template_string (set in
    staff.cfg); a call it missed would never reach a translator."""
    written: set[str] = set()
    for script in STAFF_SCRIPTS:
        for found in re.finditer(r'(?<![\w.])t\("((?:[^"\\]|\\.)*)"', script.read_text()):
            written.add(found.group(1).replace('\\"', '"'))
    assert len(written) > 300
    assert written - i18n.extracted("staff") == set()


# Where the staff scripts put text on the screen: a plain English literal there bypasses t().
_SHOWN = re.compile(
    r'(?:\btext:|"aria-label":|\btitle:|\bplaceholder:|\btoast\(|\bbutton\(|\bfield\(|'
    r'\bconfirm\(|\.textContent\s*=|\bnew Option\(|\bhelp:)\s*"[^"]*[A-Za-z]'
)


@pytest.mark.parametrize("script", STAFF_SCRIPTS, ids=lambda p: p.name)
def test_a_staff_script_shows_no_bare_literal(script: Path) -> None:
    bare = [m.group(0) for m in _SHOWN.finditer(script.read_text())]
    assert bare == []


# -- no bare English on a staff page -----------------------------------------------------

# What a staff page shows as it is in every language: the product's name and mark, symbols.
ALLOWED = {
    "Maitre",
    "M",
    "\u2039",
    "\u203a",
    "+",
    "\u2212",
    "⤢",
    "\u00d7",
    "▦",
    "☰",
    "£",
    "↗",
    "—",
    "4",
}
MARK = re.compile(r"⟦[^⟦⟧]*⟧", re.S)


class _Visible:
    """Text nodes and the attributes a person reads or hears, in document order."""

    def __init__(self, html: str) -> None:
        from html.parser import HTMLParser

        found: list[str] = []

        class Parser(HTMLParser):
            skip = 0

            def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
                if tag in ("script", "style"):
                    self.skip += 1
                for name, value in attrs:
                    if name in ("aria-label", "title", "placeholder", "alt") and value:
                        found.append(value)

            def handle_endtag(self, tag: str) -> None:
                if tag in ("script", "style"):
                    self.skip -= 1

            def handle_data(self, data: str) -> None:
                if not self.skip and data.strip():
                    found.append(data.strip())

        Parser().feed(html)
        self.found = found


def _pseudo(message: str) -> str:
    return f"⟦{message}⟧"


def _render(template: str, translate: bool = True, **extra: Any) -> str:
    context: dict[str, Any] = {**languages.staff_context(), "signed_in": True, **extra}
    if translate:
        context["gettext"] = _pseudo
        context["ngettext"] = lambda one, many, n: _pseudo(one if n == 1 else many)
    return templates.env.get_template(template).render(context)


PAGES = [
    ("console/console.html", {}),
    ("console/login.html", {}),
    ("money/money.html", {}),
    ("money/guests.html", {}),
    ("money/host.html", {}),
    ("money/denied.html", {"role": "host", "page": "money"}),
    ("money/denied.html", {"role": "floor", "page": "guests"}),
]


@pytest.mark.parametrize(("page", "extra"), PAGES)
def test_a_staff_page_has_no_bare_english(page: str, extra: dict[str, str]) -> None:
    """Rendered with a pseudo-translation that marks every message, nothing a person
    reads is left unmarked (a {% trans %} with markup is marked across its pieces)."""
    shown = "\n".join(_Visible(_render(page, **extra)).found)
    assert "⟦" in shown
    left = ""
    while left != shown:  # innermost first: a message's data may be a message
        left, shown = shown, MARK.sub("\n", shown)
    # "⟦Guests⟧ · Maitre": a message, then the product's name.
    bare = [piece.strip() for piece in re.split(r"[\n·]", left) if piece.strip()]
    assert [piece for piece in bare if piece not in ALLOWED] == []


def test_a_staff_page_embeds_its_catalogue_and_speaks_english() -> None:
    html = _render("console/console.html", translate=False)
    assert '<html lang="en">' in html
    assert '<script type="application/json" id="i18n-catalogue">{}</script>' in html
    assert "Rules &amp; pricing" in html and "<title>Maitre staff</title>" in html
    denied = _render("money/denied.html", translate=False, role="floor", page="money")
    assert "Commissions &amp; finance is not open to the <strong>floor</strong> role." in denied
