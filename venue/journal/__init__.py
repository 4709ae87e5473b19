"""What happened: audit entries and outbox events written in the caller's transaction
(``audit.record``), the relay's view of the outbox, and turned-away demand."""
