"""Money the venue takes: the payments ledger (deposits, refunds, re-seating after a late
payment), the refund policy as data, and the finance figures."""
