"""Infrastructure every domain stands on: engine and sessions, migrations, row-level
security and the application role, clock, tokens, the acting party, typed errors and the
names of channels."""
