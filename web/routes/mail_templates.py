"""A venue's own words in its guest mail: managers read, save and delete the subject and
the text before and after the details of each kind of email, per language; preview the
real email with a draft; and send a test to themselves through the normal queue."""

from __future__ import annotations

from email.header import decode_header, make_header
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request, Response
from fastapi.responses import HTMLResponse
from pydantic import Field

from venue.core import i18n
from venue.core.errors import InvalidRequest
from venue.notifications import custom, overrides
from venue.notifications.render import MailSettings

from ..deps import Manager, ManagerVenue, NowDep, SessionDep
from ..schemas import Amount, Strict

router = APIRouter(prefix="/api/v1/staff/venues/{slug}/mail-templates", tags=["staff: console"])

Kind = Annotated[str, Path(max_length=32, description="one of `kinds`")]
Language = Annotated[str, Path(max_length=8, description="one of `languages`")]


class PartsIn(Strict):
    subject: str | None = Field(default=None, max_length=custom.MAX_SOURCE["subject"] * 2)
    intro: str | None = Field(default=None, max_length=custom.MAX_SOURCE["intro"] * 2)
    outro: str | None = Field(default=None, max_length=custom.MAX_SOURCE["outro"] * 2)

    def parts(self) -> dict[str, str | None]:
        return {"subject": self.subject, "intro": self.intro, "outro": self.outro}


class TemplateIn(PartsIn):
    version: Amount = Field(description="the version read; 0 for a new one")


def _settings(request: Request) -> MailSettings:
    s = request.app.state.settings
    return MailSettings(s.mail_from, s.public_url, s.secret_key)


@router.get("")
async def list_mail_templates(venue: ManagerVenue, session: SessionDep) -> dict[str, Any]:
    """The venue's own texts, and what a text may use: kinds, languages, variables."""
    rows = await overrides.list_templates(session, venue)
    return {
        "kinds": list(custom.KINDS),
        "languages": list(i18n.LANGUAGES),
        "variables": custom.VARIABLES,
        "filters": sorted(custom.FILTERS),
        "items": [overrides.as_dict(r) for r in rows],
    }


@router.get("/{kind}/{language}")
async def get_mail_template(
    kind: Kind, language: Language, venue: ManagerVenue, session: SessionDep
) -> dict[str, Any]:
    """One own text (404: the default is used)."""
    return overrides.as_dict(await overrides.get(session, venue, kind, language))


@router.put("/{kind}/{language}")
async def put_mail_template(
    kind: Kind,
    language: Language,
    body: TemplateIn,
    who: Manager,
    venue: ManagerVenue,
    session: SessionDep,
    now: NowDep,
) -> dict[str, Any]:
    """Save the subject, intro and outro (empty: the default); a part that is not plain
    text with the offered variables is refused naming the field (422)."""
    row = await overrides.put(
        session, venue, kind, language, body.parts(), body.version, who.actor, now
    )
    return overrides.as_dict(row)


@router.delete("/{kind}/{language}", status_code=204)
async def delete_mail_template(
    kind: Kind,
    language: Language,
    who: Manager,
    venue: ManagerVenue,
    session: SessionDep,
    now: NowDep,
) -> Response:
    """Back to the default text."""
    await overrides.delete(session, venue, kind, language, who.actor, now)
    return Response(status_code=204)


@router.post("/{kind}/{language}/preview")
async def preview_mail_template(
    request: Request,
    kind: Kind,
    language: Language,
    body: PartsIn,
    venue: ManagerVenue,
    session: SessionDep,
    now: NowDep,
) -> dict[str, Any]:
    """The real email with the draft and a sample booking: subject, HTML and text."""
    rendered = await overrides.preview(
        session, venue, kind, language, body.parts(), _settings(request), now
    )
    if rendered.failures:
        field, reason = rendered.failures[0]
        raise InvalidRequest(field, reason)
    msg = rendered.message
    parts = {p.get_content_type(): p for p in msg.walk() if not p.is_multipart()}
    return {
        "subject": _decoded_subject(str(msg["Subject"])),
        "html": _text(parts["text/html"]),
        "text": _text(parts["text/plain"]),
    }


# The preview page's own policy: the email's inline styles and images, nothing that runs,
# framed by the console only.
PREVIEW_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' https: data:; "
    "frame-ancestors 'self'; sandbox"
)


@router.get("/{kind}/{language}/preview.html", response_class=HTMLResponse)
async def preview_mail_template_page(
    request: Request,
    kind: Kind,
    language: Language,
    venue: ManagerVenue,
    session: SessionDep,
    now: NowDep,
    subject: Annotated[str | None, Query(max_length=custom.MAX_SOURCE["subject"] * 2)] = None,
    intro: Annotated[str | None, Query(max_length=custom.MAX_SOURCE["intro"] * 2)] = None,
    outro: Annotated[str | None, Query(max_length=custom.MAX_SOURCE["outro"] * 2)] = None,
) -> HTMLResponse:
    """The draft's HTML part as a page, for the console's preview frame."""
    draft = {"subject": subject, "intro": intro, "outro": outro}
    rendered = await overrides.preview(
        session, venue, kind, language, draft, _settings(request), now
    )
    html = next(p for p in rendered.message.walk() if p.get_content_type() == "text/html")
    return HTMLResponse(_text(html), headers={"Content-Security-Policy": PREVIEW_CSP})


@router.post("/{kind}/{language}/test", status_code=202)
async def test_mail_template(
    kind: Kind,
    language: Language,
    body: PartsIn,
    who: Manager,
    venue: ManagerVenue,
    session: SessionDep,
    now: NowDep,
) -> dict[str, Any]:
    """Queue the draft as a test email to the signed-in staff member's address."""
    nid = await overrides.send_test(
        session, venue, kind, language, body.parts(), who.user.email, who.actor, now
    )
    return {"notification_id": str(nid), "to": who.user.email}


def _text(part: Any) -> str:
    payload = part.get_payload(decode=True)
    return str(payload.decode(part.get_content_charset() or "utf-8"))


def _decoded_subject(raw: str) -> str:
    return str(make_header(decode_header(raw)))
