"""A guest's identity for a booking: validated and normalised name, email, phone."""

from __future__ import annotations

from dataclasses import dataclass

import phonenumbers
from email_validator import EmailNotValidError, validate_email

from venue.core.errors import InvalidRequest


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
    """E.164, for any number ``phonenumbers`` calls possible in the venue's region: the
    right length for its country and prefix. Validity (an allocated range) is not asked
    for: test and newly allocated numbers such as +44 7700 900123 are real to the guest."""
    expected = _expected_format(region)
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException as exc:
        raise InvalidRequest("guest.phone", f"not a phone number; {expected}") from exc
    reason = phonenumbers.is_possible_number_with_reason(number)
    if reason != phonenumbers.ValidationResult.IS_POSSIBLE:
        why = _WHY.get(reason, "not a possible phone number")
        raise InvalidRequest("guest.phone", f"{why}; {expected}")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def display_phone(stored: str | None) -> str | None:
    """A stored number as people write it, "+44 20 7946 0000" (as stored if unparsable)."""
    if not stored:
        return stored
    try:
        number = phonenumbers.parse(stored, None)
    except phonenumbers.NumberParseException:
        return stored
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


_WHY = {
    phonenumbers.ValidationResult.TOO_SHORT: "too short for a phone number",
    phonenumbers.ValidationResult.TOO_LONG: "too long for a phone number",
    phonenumbers.ValidationResult.INVALID_LENGTH: "the wrong length for a phone number",
    phonenumbers.ValidationResult.INVALID_COUNTRY_CODE: "unknown country code",
    phonenumbers.ValidationResult.IS_POSSIBLE_LOCAL_ONLY: "too short: is the area code missing?",
}


def _expected_format(region: str) -> str:
    """How to write a number, with this region's example mobile number."""
    example = phonenumbers.example_number_for_type(region, phonenumbers.PhoneNumberType.MOBILE)
    if example is None:
        return "write it with its country code, starting with +"
    intl = phonenumbers.format_number(example, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    national = phonenumbers.format_number(example, phonenumbers.PhoneNumberFormat.NATIONAL)
    return f"write it with its country code ({intl}) or as a {region} number ({national})"


def identify(name: str, email: str | None, phone: str | None, region: str) -> GuestIdentity:
    """Every problem at once, so a guest fixes the form in one go."""
    problems: list[dict[str, str]] = []
    clean_name = " ".join(name.split())
    if not clean_name:
        problems.append({"field": "guest.name", "message": "a name is required"})
    has_email, has_phone = bool(email and email.strip()), bool(phone and phone.strip())
    if not has_email and not has_phone:
        problems.append(
            {"field": "guest", "message": "an email address or a phone number is required"}
        )
    clean_email = clean_phone = None
    for field, present, parse in (
        ("email", has_email, lambda: normalise_email(email or "")),
        ("phone", has_phone, lambda: normalise_phone(phone or "", region)),
    ):
        if not present:
            continue
        try:
            value = parse()
        except InvalidRequest as exc:
            problems.extend(exc.extra["errors"])
            continue
        if field == "email":
            clean_email = value
        else:
            clean_phone = value
    if problems:
        raise InvalidGuest(problems)
    return GuestIdentity(name=clean_name, email=clean_email, phone=clean_phone)


class InvalidGuest(InvalidRequest):
    def __init__(self, problems: list[dict[str, str]]) -> None:
        message = "; ".join(f"{p['field']}: {p['message']}" for p in problems)
        super().__init__(problems[0]["field"], message)
        self.extra["errors"] = problems
