"""VIP hosts and promoters: hosts, their links and bookings, and the commission ledger."""
