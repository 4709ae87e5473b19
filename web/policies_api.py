"""Managers' policy API: cancellation refunds and the reminder schedule."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter
from pydantic import BaseModel, Field

from venue.core.actor import Actor
from venue.money import policies

from .deps import NowDep, SessionDep
from .schemas import Int, Strict
from .staff_auth import Staff, require
from .staff_pricing import own_venue

router = APIRouter(prefix="/api/v1/staff/venues/{slug}", tags=["staff: policies"])
Manager = Annotated[Staff, require("owner", "manager")]
Reader = Annotated[Staff, require("owner", "manager", "finance", "floor")]


class RefundRuleIn(BaseModel):
    hours_before_start: Int
    refund_bp: Int = Field(description="share of the deposit refunded, 10000 = all")


class RefundPolicyIn(Strict):
    rules: list[RefundRuleIn] = Field(max_length=20)


class MailSettingsIn(Strict):
    reminder_minutes: list[Int] = Field(max_length=6, description="e.g. [1440, 120]")
    language: str = Field(max_length=8)


@router.get("/refund-policy")
async def get_refund_policy(slug: str, session: SessionDep, who: Reader) -> dict[str, Any]:
    """How much of a deposit comes back, by how long before the night the guest cancels."""
    return await policies.refund_policy(session, await own_venue(session, who, slug))


@router.put("/refund-policy")
async def put_refund_policy(
    slug: str, body: RefundPolicyIn, session: SessionDep, now: NowDep, who: Manager
) -> dict[str, Any]:
    """Replace the refund policy (audited)."""
    venue = await own_venue(session, who, slug)
    rules = [(r.hours_before_start, r.refund_bp) for r in body.rules]
    return await policies.set_refund_policy(
        session, venue, rules, Actor("staff", str(who.user.id)), now
    )


@router.get("/mail-settings")
async def get_mail_settings(slug: str, session: SessionDep, who: Reader) -> dict[str, Any]:
    """When reminders go out before the night, and the language of the emails."""
    return await policies.mail_settings(session, await own_venue(session, who, slug))


@router.put("/mail-settings")
async def put_mail_settings(
    slug: str, body: MailSettingsIn, session: SessionDep, now: NowDep, who: Manager
) -> dict[str, Any]:
    """Change the reminder schedule or language (audited)."""
    venue = await own_venue(session, who, slug)
    return await policies.set_mail_settings(
        session, venue, body.reminder_minutes, body.language, Actor("staff", str(who.user.id)), now
    )
