"""The money and people pages: the host's phone view, the commission and finance
dashboards, and guest profiles.

* ``/host``: a host's phone-first view (sign in, live floor, book for clients, their own
  bookings, commissions and personal booking link).
* ``/admin/money``: commissions (live feed, per host and period, CSV) and finance
  (tonight's guaranteed/expected revenue, the 30-night forecast chart). Owner, manager,
  finance; read-only for everyone (there is nothing to write here).
* ``/admin/guests``: guest profiles (search, edit tags and notes, merge, export, erase).

Shells only, like the guest and console pages: the ES modules in ``web/static/money``
fetch everything from the JSON API (``web/routes/``), so nothing inline (strict CSP).
The server peeks at the session only to turn a signed-in host away from the staff pages
with a 403 before any staff script loads; the API enforces the roles regardless.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from .deps import SignedInRole
from .pages import render_staff

router = APIRouter(include_in_schema=False)

# Names, phone numbers and money: never cache, never leak the URL.
PRIVATE = {"Cache-Control": "no-store", "Referrer-Policy": "same-origin"}

# Which signed-in roles may open each staff page (the API checks again on every call).
MONEY_ROLES = ("owner", "manager", "finance")
GUEST_ROLES = ("owner", "manager", "floor")


def _denied(request: Request, role: str, page: str) -> HTMLResponse:
    return render_staff(
        request,
        "money/denied.html",
        {"role": role, "page": page},
        status_code=403,
        headers=PRIVATE,
    )


@router.get("/host", response_class=HTMLResponse)
async def host_view(request: Request, role: SignedInRole) -> HTMLResponse:
    """The host's phone view; the script shows the sign-in form to a signed-out visitor."""
    return render_staff(
        request, "money/host.html", {"signed_in": role is not None}, headers=PRIVATE
    )


@router.get("/host/", response_class=RedirectResponse)
async def host_slash() -> RedirectResponse:
    return RedirectResponse("/host", status_code=308)


@router.get("/admin/money", response_class=HTMLResponse)
async def money_view(request: Request, role: SignedInRole) -> HTMLResponse:
    """Commissions and finance for owner, manager and finance (read-only)."""
    if role is not None and role not in MONEY_ROLES:
        return _denied(request, role, "money")
    return render_staff(
        request, "money/money.html", {"signed_in": role is not None}, headers=PRIVATE
    )


@router.get("/admin/guests", response_class=HTMLResponse)
async def guests_view(request: Request, role: SignedInRole) -> HTMLResponse:
    """Guest profiles for owner, manager and floor (merge, export, erase: managers)."""
    if role is not None and role not in GUEST_ROLES:
        return _denied(request, role, "guests")
    return render_staff(
        request, "money/guests.html", {"signed_in": role is not None}, headers=PRIVATE
    )
