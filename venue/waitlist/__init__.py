"""The waitlist: parties waiting for a table on a full night, and the offers that fill
freed tables by themselves (entries, offers, the outbox consumer that reacts)."""
