"""The latest start a party accepts is venue-local, across midnight and a clock change."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from venue.models import Night, Venue
from venue.waitlist.entries import _latest_start

LONDON = Venue(timezone="Europe/London")
# Saturday 24 October 2026: the clocks go back at 02:00 BST on Sunday morning.
DST_NIGHT = Night(
    business_date=date(2026, 10, 24),
    opens_at=datetime(2026, 10, 24, 21, 0, tzinfo=UTC),  # 22:00 BST
    closes_at=datetime(2026, 10, 25, 4, 0, tzinfo=UTC),  # 04:00 GMT
)


def test_an_evening_time_is_that_evening() -> None:
    assert _latest_start(LONDON, DST_NIGHT, time(23, 30)) == datetime(
        2026, 10, 24, 22, 30, tzinfo=UTC
    )


def test_a_time_after_midnight_is_the_next_morning_on_either_side_of_the_change() -> None:
    assert _latest_start(LONDON, DST_NIGHT, time(0, 30)) == datetime(
        2026, 10, 24, 23, 30, tzinfo=UTC
    )  # still BST
    assert _latest_start(LONDON, DST_NIGHT, time(2, 30)) == datetime(
        2026, 10, 25, 2, 30, tzinfo=UTC
    )  # GMT by then


def test_a_time_before_the_night_opens_and_after_it_closes_is_that_day() -> None:
    assert _latest_start(LONDON, DST_NIGHT, time(21, 0)) == datetime(
        2026, 10, 24, 20, 0, tzinfo=UTC
    )


def test_no_time_means_any_time() -> None:
    assert _latest_start(LONDON, DST_NIGHT, None) is None


def test_the_offer_email_gives_its_deadline_in_the_venue_s_time_either_side_of_dst() -> None:
    import uuid

    from venue.models import Notification
    from venue.notifications.render import MailSettings, template_vars
    from venue.waitlist.offers import offer_token

    settings = MailSettings("m@example.com", "https://book.example", "k" * 40)
    offer_id = str(uuid.uuid4())

    def expires(at: str) -> dict[str, object]:
        n = Notification(
            kind="waitlist_offer",
            audience="guest",
            reservation_id=uuid.uuid4(),
            context={
                "venue": {"slug": "velvet", "timezone": "Europe/London"},
                "offer": {"id": offer_id, "expires_at": at},
            },
        )
        return template_vars(n, settings)

    summer = expires("2026-10-24T21:15:00+00:00")
    winter = expires("2026-10-25T02:15:00+00:00")
    assert summer["offer_expires"] == "22:15 BST"
    assert winter["offer_expires"] == "02:15 GMT"
    assert summer["offer_url"] == (
        f"https://book.example/v/velvet/offer/{offer_token('k' * 40, offer_id)}"
    )
