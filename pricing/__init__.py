"""Pure pricing: rules + context + now in, a quote with its explanation out.

No database, no network, no clock of its own, no floats: amounts are integer minor units
and percentages integer basis points (10000 = 100%).

Order of application (deterministic):

1. base: the table's override if it has one, else the tier's base minimum;
2. adjustments by kind: weekday, event_type, demand, pace, lead_time; within a kind by
   ``position`` then ``label`` (remaining fields only break exact ties). An adjustment
   with a tier applies to that tier only. A percent adjustment applies to the running
   total at its turn, rounded half up to a minor unit (a running total below zero,
   after deep fixed discounts, takes no percent, so a surcharge can never deepen it);
   a fixed one adds its value;
3. clamp to the tier floor, then the tier ceiling;
4. never below 0;
5. round half up to the nearest multiple of ``rounding_step``, but never outside the
   floor/ceiling: the nearest multiple inside is taken instead (or no rounding at all
   when the range holds no multiple);
6. deposit from the final minimum: the tier's policy, else the venue-wide one, else none;
   percent rounds half up, flat is capped at the minimum; per cover is priced for the
   booking by ``booking_deposit`` (amount times party size, once).

Call ``validate_rules`` when rules are saved; ``quote`` and ``quote_many`` validate again
and raise PricingRuleError rather than price from a broken rule set. ``priced_tiers`` tells
beforehand which tiers a rule set can price (or raises the same error), so a caller can
set unpriceable tables aside instead of failing a whole floor.
"""

from pricing.context import QuoteContext
from pricing.engine import booking_deposit, priced_tiers, quote, quote_many
from pricing.errors import PricingError, PricingRuleError, QuoteContextError, RuleProblem
from pricing.money import Money
from pricing.result import DepositBasis, Quote, QuoteLine
from pricing.rules import (
    Adjustment,
    DepositPolicy,
    PricingRules,
    TableOverride,
    TierPrice,
)
from pricing.serialize import rules_from_dict, rules_to_dict
from pricing.validation import validate_rules

__all__ = [
    "Adjustment",
    "DepositBasis",
    "DepositPolicy",
    "Money",
    "PricingError",
    "PricingRuleError",
    "PricingRules",
    "Quote",
    "QuoteContext",
    "QuoteContextError",
    "QuoteLine",
    "RuleProblem",
    "TableOverride",
    "TierPrice",
    "booking_deposit",
    "priced_tiers",
    "quote",
    "quote_many",
    "rules_from_dict",
    "rules_to_dict",
    "validate_rules",
]
