"""Type-checked reading of untrusted JSON-like data, collecting problems with paths.

Every accessor returns a harmless placeholder on failure so that one pass reports
every problem; callers must raise if ``problems`` is non-empty before using the values.
"""

from collections.abc import Mapping
from typing import Any

from pricing.errors import RuleProblem

# Stands in for a required key that is absent: already reported once by ``fields``.
MISSING: Any = object()


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


class Reader:
    def __init__(self) -> None:
        self.problems: list[RuleProblem] = []

    def fail(self, path: str, message: str) -> None:
        self.problems.append(RuleProblem(path, message))

    def fields(
        self, path: str, value: object, required: tuple[str, ...], optional: tuple[str, ...]
    ) -> dict[str, Any] | None:
        """The mapping's entries, or None; missing and unknown keys are reported (an
        unknown key is usually a typo that would otherwise be silently ignored)."""
        if not isinstance(value, Mapping):
            self.fail(path, f"must be an object, got {type(value).__name__}")
            return None
        for key in required:
            if key not in value:
                self.fail(_join(path, key), "is required")
        for key in value:
            if key not in required and key not in optional:
                self.fail(_join(path, str(key)), "unknown field")
        found = {k: value[k] for k in optional if k in value}
        found.update({k: value.get(k, MISSING) for k in required})
        return found

    def items(self, path: str, value: object) -> list[tuple[str, object]]:
        if value is MISSING:
            return []
        if not isinstance(value, list | tuple):
            self.fail(path, f"must be a list, got {type(value).__name__}")
            return []
        return [(f"{path}[{i}]", item) for i, item in enumerate(value)]

    def integer(self, path: str, value: object) -> int:
        if value is MISSING:
            return 0
        if type(value) is not int:
            self.fail(path, f"must be an integer, got {value!r}")
            return 0
        return value

    def optional_integer(self, path: str, value: object) -> int | None:
        return None if value is None else self.integer(path, value)

    def text(self, path: str, value: object) -> str:
        if value is MISSING:
            return ""
        if not isinstance(value, str):
            self.fail(path, f"must be a string, got {value!r}")
            return ""
        return value

    def optional_text(self, path: str, value: object) -> str | None:
        return None if value is None else self.text(path, value)

    def integer_set(self, path: str, value: object) -> frozenset[int]:
        return frozenset(self.integer(p, v) for p, v in self.items(path, value))

    def text_set(self, path: str, value: object) -> frozenset[str]:
        return frozenset(self.text(p, v) for p, v in self.items(path, value))
