"""Managers' policy API: cancellation refunds and the reminder schedule."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, Field

from venue.money import policies

from ..deps import Manager, ManagerVenue, NowDep, ReaderVenue, SessionDep
from ..schemas import Int, Strict

router = APIRouter(prefix="/api/v1/staff/venues/{slug}", tags=["staff: policies"])


class RefundRuleIn(BaseModel):
    hours_before_start: Int
    refund_bp: Int = Field(description="share of the deposit refunded, 10000 = all")


class RefundPolicyIn(Strict):
    rules: list[RefundRuleIn] = Field(max_length=20)


class MailSettingsIn(Strict):
    reminder_minutes: list[Int] = Field(max_length=6, description="e.g. [1440, 120]")
    language: str = Field(max_length=8)


@router.get("/refund-policy")
async def get_refund_policy(venue: ReaderVenue, session: SessionDep) -> dict[str, Any]:
    """How much of a deposit comes back, by how long before the night the guest cancels."""
    return await policies.refund_policy(session, venue)


@router.put("/refund-policy")
async def put_refund_policy(
    body: RefundPolicyIn, session: SessionDep, now: NowDep, who: Manager, venue: ManagerVenue
) -> dict[str, Any]:
    """Replace the refund policy (audited)."""
    rules = [(r.hours_before_start, r.refund_bp) for r in body.rules]
    return await policies.set_refund_policy(session, venue, rules, who.actor, now)


@router.get("/mail-settings")
async def get_mail_settings(venue: ReaderVenue, session: SessionDep) -> dict[str, Any]:
    """When reminders go out before the night, and the language of the emails."""
    return await policies.mail_settings(session, venue)


@router.put("/mail-settings")
async def put_mail_settings(
    body: MailSettingsIn, session: SessionDep, now: NowDep, who: Manager, venue: ManagerVenue
) -> dict[str, Any]:
    """Change the reminder schedule or language (audited)."""
    minutes, language = body.reminder_minutes, body.language
    return await policies.set_mail_settings(session, venue, minutes, language, who.actor, now)
