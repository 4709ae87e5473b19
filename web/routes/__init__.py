"""The JSON API, one module per domain, as venue/ is cut:

* ``appointments``: public, by venue slug: services, staff, start times, holding one
  (the rest of an appointment's life goes through ``booking``'s routes).
* ``booking``: public, by venue slug: nights, floor, availability, quotes, holds, the
  guest's reservation (``payments`` adds the deposit checkout and the Stripe webhook;
  ``reschedule`` the guest's own move to another night, sitting or table).
* ``staff``: signing in and out, the signed-in user, the tenant's users and audit trail.
* ``floor``: tonight's nights, floor, closing a night, blocking tables.
* ``setup``, ``pricing``, ``policies``: the floor plan editor and booking rules, the
  pricing rules, the refund policy and mail settings.
* ``appointments_staff``: the staff day view per staff member, moves, walk-ins, hours,
  breaks and days off.
* ``reservations``: staff search, service steps, cancel, move, phone and walk-in bookings.
  ``series``: standing reservations (staff, and hosts for their own clients).
* ``guests``: guest profiles. ``hosts``: hosts, attribution, closing with spend.
  ``host_portal``: the host's own API. ``commissions``: rules, dashboard, CSV (the live
  feed is web/live.py). ``calendars``: calendar feeds out, imported calendars in.
* ``waitlist``: the guest's join, status, leave and offer (accept, decline); the
  staff's list of a night, skip, offer now, book directly.
* ``brand``: the venue's brand and embedding (its stylesheet and logo for guest pages).
* ``mail_templates``: a venue's own subject and text around the details of its guest mail.
* ``money``: finance. ``notifications``: delivery log and local mail. ``outbox``: updates
  the relay set aside.

A route reads its input, calls one or two services of its domain and shapes the answer:
no SQL here. Who may ask and which venue they mean are typed dependencies (web/deps.py).
"""

from __future__ import annotations

from fastapi import APIRouter

from . import (
    appointments,
    appointments_staff,
    booking,
    brand,
    calendars,
    commissions,
    dining,
    floor,
    guests,
    host_portal,
    hosts,
    mail_templates,
    money,
    notifications,
    outbox,
    payments,
    policies,
    pricing,
    reschedule,
    reservations,
    series,
    setup,
    staff,
    waitlist,
)

ROUTERS: tuple[APIRouter, ...] = (
    booking.router,
    appointments.router,
    reschedule.router,
    payments.router,
    staff.auth_router,
    staff.router,
    floor.router,
    setup.router,
    pricing.router,
    policies.router,
    reservations.router,
    series.staff_router,
    series.host_router,
    dining.router,
    appointments_staff.router,
    guests.router,
    hosts.router,
    host_portal.router,
    commissions.router,
    money.router,
    notifications.router,
    outbox.router,
    calendars.router,
    waitlist.public,
    waitlist.staff,
    brand.router,
    brand.assets_router,
    mail_templates.router,
)
