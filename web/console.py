"""The staff console's HTML shells: ``/admin`` (the console) and ``/admin/login``.

Like the guest pages these are shells: the ES modules in ``web/static/console`` restore
the session from ``GET /api/v1/staff/me`` (the page says whether there is one, in
``data-signed-in``, so a signed-out visitor makes no failing call) and fetch everything
else from the staff JSON API, so no page carries an inline script or style (strict CSP).
Views are hash routes (``/admin#/reservations``) so a reload keeps the staff member where
they were.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from .deps import SignedInRole
from .pages import render_staff

router = APIRouter(include_in_schema=False)

# Staff screens show guests' names and phone numbers: never cache them, never leak the URL.
PRIVATE = {"Cache-Control": "no-store", "Referrer-Policy": "same-origin"}


@router.get("/admin", response_class=HTMLResponse)
async def console(request: Request, role: SignedInRole) -> HTMLResponse:
    """The console shell; the script sends a signed-out visitor to the login page."""
    return render_staff(
        request, "console/console.html", {"signed_in": role is not None}, headers=PRIVATE
    )


@router.get("/admin/", response_class=RedirectResponse)
async def console_slash() -> RedirectResponse:
    return RedirectResponse("/admin", status_code=308)


@router.get("/admin/login", response_class=HTMLResponse)
async def login(request: Request, role: SignedInRole) -> HTMLResponse:
    """Staff sign-in."""
    return render_staff(
        request, "console/login.html", {"signed_in": role is not None}, headers=PRIVATE
    )
