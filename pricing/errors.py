from dataclasses import dataclass


class PricingError(Exception):
    """Base of pricing errors; ``code`` is stable for API clients to branch on."""

    code = "pricing_error"


@dataclass(frozen=True, slots=True)
class RuleProblem:
    """One thing wrong with a rule set; ``field`` is a path such as ``tiers[1].floor``."""

    field: str
    message: str

    def to_dict(self) -> dict[str, str]:
        return {"field": self.field, "message": self.message}


class PricingRuleError(PricingError):
    """The rules (or their stored form) are invalid; every problem found is listed."""

    code = "pricing_rules_invalid"

    def __init__(self, errors: list[RuleProblem]) -> None:
        self.errors = errors
        super().__init__("; ".join(f"{p.field or '<root>'}: {p.message}" for p in errors))


class QuoteContextError(PricingError, ValueError):
    """The request for a quote cannot be priced (unknown tier, naive datetime, ...)."""

    code = "quote_context_invalid"
