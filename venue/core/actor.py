from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Actor:
    """Who is acting, as written into the audit log and ``created_by``."""

    kind: str  # guest | staff | host | system
    id: str | None = None

    def __str__(self) -> str:
        return self.kind if self.id is None else f"{self.kind}:{self.id}"


GUEST = Actor("guest")
SYSTEM = Actor("system")
