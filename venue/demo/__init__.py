"""The demo venue (``maitre demo``): seeded through the real services of every domain,
so it sits above them all."""
