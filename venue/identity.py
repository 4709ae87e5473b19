"""A guest's identity for a booking: validated and normalised name, email, phone."""

from __future__ import annotations

from dataclasses import dataclass

import phonenumbers
from email_validator import EmailNotValidError, validate_email

from .errors import InvalidRequest


@dataclass(frozen=True)
class GuestIdentity:
    name: str
    email: str | None
    phone: str | None


def normalise_email(raw: str) -> str:
    try:
        info = validate_email(raw.strip(), check_deliverability=False)
    except EmailNotValidError as exc:
        raise InvalidRequest("guest.email", str(exc)) from exc
    return info.normalized.lower()


def normalise_phone(raw: str, region: str) -> str:
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException as exc:
        raise InvalidRequest("guest.phone", f"not a phone number: {exc}") from exc
    if not phonenumbers.is_valid_number(number):
        raise InvalidRequest("guest.phone", "not a valid phone number")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def identify(name: str, email: str | None, phone: str | None, region: str) -> GuestIdentity:
    clean_name = " ".join(name.split())
    if not clean_name:
        raise InvalidRequest("guest.name", "a name is required")
    if not (email and email.strip()) and not (phone and phone.strip()):
        raise InvalidRequest("guest", "an email address or a phone number is required")
    return GuestIdentity(
        name=clean_name,
        email=normalise_email(email) if email and email.strip() else None,
        phone=normalise_phone(phone, region) if phone and phone.strip() else None,
    )
