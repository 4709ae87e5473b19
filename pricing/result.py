from dataclasses import dataclass
from typing import Any

from pricing.money import Money


@dataclass(frozen=True, slots=True)
class QuoteLine:
    """One step of the calculation; ``mode``/``value`` are set for rule-driven steps."""

    kind: str
    label: str
    delta: int
    total_after: int
    mode: str | None = None
    value: int | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"kind": self.kind, "label": self.label}
        if self.mode is not None:
            out["mode"] = self.mode
            out["value"] = self.value
        out["delta"] = self.delta
        out["total_after"] = self.total_after
        return out


@dataclass(frozen=True, slots=True)
class DepositBasis:
    """How the deposit was derived: the policy used, where it came from, and any cap."""

    mode: str = "none"
    value: int = 0
    source: str = "default"  # "tier", "venue", or "default" when no policy matched
    capped_at_minimum: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "mode": self.mode,
            "value": self.value,
            "source": self.source,
            "capped_at_minimum": self.capped_at_minimum,
        }


@dataclass(frozen=True, slots=True)
class Quote:
    minimum: Money
    deposit: Money
    lines: tuple[QuoteLine, ...]
    deposit_basis: DepositBasis = DepositBasis()

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready explanation, in the order the steps were applied."""
        return {
            "currency": self.minimum.currency,
            "minimum": self.minimum.amount,
            "deposit": self.deposit.amount,
            "lines": [line.to_dict() for line in self.lines],
            "deposit_basis": self.deposit_basis.to_dict(),
        }
