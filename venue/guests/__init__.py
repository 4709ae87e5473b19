"""Guests: a booking's validated identity, one record per person per tenant, and the
profiles staff search, edit, merge, export and erase."""
