"""Staff accounts (``users``) and sign-in with server-side sessions (``sessions``)."""
