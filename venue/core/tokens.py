"""Bearer tokens for guests (hold completion, lookup, cancel links).

256 bits from ``secrets``; only the SHA-256 is stored, so a database leak does not
leak working cancel links. SHA-256 (not a slow hash) is right here: the token has full
entropy, nothing to brute-force.
"""

from __future__ import annotations

import hashlib
import secrets


def new_token() -> str:
    return secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
