"""The demo's bookings, made through the same services as real ones, in the order they
would have happened.

Each booking is a few dated steps (booked, deposit paid, cancelled, seated, closed with
its spend, no-show). The steps of every night are sorted by time and run with their own
clock, so every claim, audit line and outbox event is what the app would have written
then, and the commission consumer posts each host's line as its step happens. Steps
later than ``now`` are left out: the coming nights are as booked as they would be today,
and tonight has guests already seated and a deposit still awaited.
"""

from __future__ import annotations

import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from venue.core.actor import GUEST, Actor
from venue.guests.identity import GuestIdentity, identify
from venue.hosts import commissions, hosts
from venue.journal.turnaways import record_turnaway
from venue.models import Host, Night, Reservation, Sitting, Status, Venue, VenueRules, VenueTable
from venue.money import ledger
from venue.reservations import booking, operations
from venue.waitlist import entries

STRIPE = Actor("system", "stripe")
KEEP = (Venue, VenueRules, Host, Night, Sitting, VenueTable, Reservation)
FIRST = ["Ada", "Grace", "Alan", "Mary", "Tim", "Joan", "Linus", "Hedy", "Ken", "Radia"]
LAST = ["Okoro", "Silva", "Novak", "Haddad", "Murphy", "Kowalski", "Lindqvist", "Mensah"]

Run = Callable[[datetime], Awaitable[None]]


@dataclass(order=True)
class Step:
    at: datetime
    seq: int
    run: Run = field(compare=False)


@dataclass
class Booking:
    day: date
    sitting: Sitting
    table: VenueTable
    who: GuestIdentity
    party: int
    res: Reservation | None = None
    token: str | None = None


@dataclass
class Diary:
    """Who acts in the demo, and what they did when."""

    session: AsyncSession
    venue: Venue
    hosts: list[tuple[Host, Actor]]
    staff: Actor
    now: datetime
    rng: random.Random
    service_opens: timedelta  # the venue's rule: staff seat guests from this long before
    steps: list[Step] = field(default_factory=list)

    def at(self, when: datetime, run: Run) -> None:
        if when <= self.now:
            self.steps.append(Step(when, len(self.steps), run))

    async def play(self) -> None:
        """Every step in time order; the commission consumer passes every hour of
        demo time in which something happened, as the running loop would have."""
        last: datetime | None = None
        for step in sorted(self.steps):
            if last is not None and step.at - last > timedelta(hours=1):
                await self._consume(last)
            await step.run(step.at)
            last = step.at
        if last is not None:
            await self._consume(last)
        self.steps.clear()

    async def _consume(self, at: datetime) -> None:
        while (await commissions.consume_once(self.session, at, limit=1000))[0]:
            pass
        # Written rows the demo will not touch again leave the session: a flush looks at
        # every object it holds, and this one session writes months of bookings.
        for obj in list(self.session.identity_map.values()):
            if not isinstance(obj, KEEP):
                self.session.expunge(obj)

    # --- a night's bookings ----------------------------------------------------------

    def night(
        self,
        day: date,
        sitting: Sitting,
        tables: list[VenueTable],
        people: list[GuestIdentity],
        fill: float,
        *,
        tonight: bool = False,
    ) -> None:
        """Book ``fill`` of ``tables`` at realistic lead times, then what happened to
        each booking: cancelled, a no-show, or seated and closed with a spend (tonight:
        some seated already)."""
        rng = self.rng
        chosen = rng.sample(tables, min(len(tables), round(len(tables) * fill)))
        for table, who in zip(chosen, rng.sample(people, len(chosen)), strict=True):
            party = rng.randint(table.min_party, min(table.max_party, 20))
            b = Booking(day, sitting, table, who, party)
            booked = sitting.starts_at - timedelta(hours=rng.triangular(1.5, 24 * 21, 24 * 3))
            self._book(b, booked)
            if table.tier == "standard" and rng.random() < 0.1:
                self.at(
                    booked + (sitting.starts_at - booked) * rng.uniform(0.2, 0.9), self._cancel(b)
                )
            elif tonight:
                if rng.random() < 0.45:
                    seated = self.now - timedelta(minutes=rng.randint(5, 75))
                    earliest = max(
                        booked + timedelta(minutes=10), sitting.starts_at - self.service_opens
                    )
                    self.at(max(seated, earliest), self._seat(b))
            elif rng.random() < 0.08:
                self.at(sitting.starts_at + timedelta(minutes=90), self._no_show(b))
            else:
                self.at(sitting.starts_at + timedelta(minutes=rng.randint(0, 120)), self._seat(b))
                closed = sitting.ends_at - timedelta(minutes=rng.randint(5, 90))
                self.at(closed, self._close(b, rng.randint(100, 170)))

    def full_night(
        self, day: date, sitting: Sitting, tables: list[VenueTable], people: list[GuestIdentity]
    ) -> None:
        """Every table booked days ago and nobody has cancelled: the demo's full Saturday,
        where a guest finds nothing and joins the waitlist."""
        rng = self.rng
        for table, who in zip(tables, rng.sample(people, len(tables)), strict=True):
            party = rng.randint(table.min_party, min(table.max_party, 20))
            lead = timedelta(hours=rng.uniform(24, 24 * 14))
            self._book(
                Booking(day, sitting, table, who, party),
                min(self.now - timedelta(hours=4), sitting.starts_at - lead),
            )

    def waitlist(self, day: date, who: GuestIdentity, party: int, at: datetime, **fit: Any) -> None:
        """A party that found nothing and joined the waitlist (what fits them: ``fit``)."""

        async def run(when: datetime) -> None:
            req = entries.JoinRequest(day, party, who.name, who.email, who.phone, **fit)
            await entries.join(self.session, self.venue, req, GUEST, when)

        self.at(at, run)

    def awaiting_deposit(self, day: date, sitting: Sitting, table: VenueTable) -> None:
        """A guest who booked online minutes ago and has not paid the deposit yet."""
        who = identify("Nadia Marsh", "nadia.marsh@example.com", "+44 7700 900990", "GB")
        b = Booking(day, sitting, table, who, table.min_party)
        self.at(self.now - timedelta(minutes=4), self._hold(b))
        self.at(self.now - timedelta(minutes=3), self._complete(b, pay=False))

    def walk_in(self, day: date, sitting: Sitting, table: VenueTable) -> None:
        """A party that walked in a minute ago, seated at once."""
        party = self.rng.randint(table.min_party, min(table.max_party, 6))
        req = operations.StaffBooking(
            day, [table.id], party, "walk_in", "Walk-in party", seat_now=True
        )

        async def run(at: datetime) -> None:
            await operations.book_for_guest(self.session, self.venue, req, self.staff, at)

        self.at(max(self.now - timedelta(minutes=1), sitting.starts_at - self.service_opens), run)

    def turned_away(self, day: date, count: int, at: datetime) -> None:
        for _ in range(count):
            record_turnaway(
                self.session,
                self.venue.tenant_id,
                self.venue.id,
                reason="table_unavailable",
                business_date=day,
                party_size=self.rng.randint(2, 10),
                channel="online",
                at=at,
            )

    # --- the steps -------------------------------------------------------------------

    def _book(self, b: Booking, at: datetime) -> None:
        roll = self.rng.random()
        if roll < 0.3:  # a host's client: confirmed at once, commission accrues
            host, actor = self.rng.choice(self.hosts)
            self.at(at, self._staff_booking(b, "host", actor, host))
        elif roll < 0.4:
            self.at(at, self._staff_booking(b, "phone", self.staff, None))
        else:  # online: hold, details, and the deposit through the payment ledger
            self.at(at, self._hold(b))
            self.at(at + timedelta(minutes=2), self._complete(b, pay=True))

    def _staff_booking(self, b: Booking, channel: str, actor: Actor, host: Host | None) -> Run:
        req = operations.StaffBooking(
            b.day,
            [b.table.id],
            b.party,
            channel,
            b.who.name,
            guest_email=b.who.email,
            guest_phone=b.who.phone,
        )

        async def run(at: datetime) -> None:
            if host is not None:
                b.res = await hosts.book_for_client(self.session, self.venue, host, req, actor, at)
            else:
                b.res = await operations.book_for_guest(self.session, self.venue, req, actor, at)

        return run

    def _hold(self, b: Booking) -> Run:
        async def run(at: datetime) -> None:
            req = booking.HoldRequest(b.day, [b.table.id], b.party, sitting_id=b.sitting.id)
            hold = await booking.place_hold(self.session, self.venue, req, GUEST, at)
            b.res, b.token = hold.reservation, hold.token

        return run

    def _complete(self, b: Booking, *, pay: bool) -> Run:
        async def run(at: datetime) -> None:
            assert b.res is not None
            done = await booking.complete_hold(self.session, self.venue, b.res, b.who, GUEST, at)
            res = done.reservation
            if pay and res.status == Status.PENDING_PAYMENT:
                paid = at + timedelta(minutes=2)  # what the webhook does for a paid checkout
                await booking.transition(self.session, res, Status.CONFIRMED, STRIPE, paid)
                await ledger.add_payment(
                    self.session,
                    res,
                    session_id=f"cs_demo_{res.id.hex}",
                    intent_id=f"pi_demo_{res.id.hex}",
                    amount=res.quoted_deposit,
                    currency=res.currency,
                    outcome="confirmed",
                    actor=STRIPE,
                    now=paid,
                )

        return run

    def _cancel(self, b: Booking) -> Run:
        """The guest cancels (standard tables only: no deposit, nothing to refund)."""

        async def run(at: datetime) -> None:
            if b.res is not None and b.res.status == Status.CONFIRMED:
                await booking.cancel(self.session, b.res, GUEST, at, "plans changed")

        return run

    def _seat(self, b: Booking) -> Run:
        return self._advance(b, Status.SEATED)

    def _no_show(self, b: Booking) -> Run:
        return self._advance(b, Status.NO_SHOW)

    def _advance(self, b: Booking, to: Status) -> Run:
        async def run(at: datetime) -> None:
            if b.res is not None and b.res.status == Status.CONFIRMED:
                await operations.advance(self.session, self.venue, b.res, to, self.staff, at, None)

        return run

    def _close(self, b: Booking, spend_pct: int) -> Run:
        async def run(at: datetime) -> None:
            if b.res is not None and b.res.status == Status.SEATED:
                spend = b.res.quoted_minimum * spend_pct // 100
                await hosts.close(self.session, self.venue, b.res, spend, self.staff, at, None)

        return run


def guests(count: int = 64) -> list[GuestIdentity]:
    """Guests with fictional details: example.com addresses, Ofcom's drama numbers."""
    out = []
    for i in range(count):
        first, last = FIRST[i % len(FIRST)], LAST[(i // len(FIRST)) % len(LAST)]
        email = f"{first}.{last}{i}@example.com".lower()
        out.append(identify(f"{first} {last}", email, f"+44 7700 900{i:03d}", "GB"))
    return out
