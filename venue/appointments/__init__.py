"""Appointments: services with staff (barbers, salons, clinics, studios)."""
