from dataclasses import dataclass


def is_currency_code(code: object) -> bool:
    """ISO-4217 shape only (three upper-case ASCII letters); the list itself changes."""
    return (
        isinstance(code, str)
        and len(code) == 3
        and code.isascii()
        and code.isalpha()
        and code.isupper()
    )


@dataclass(frozen=True, slots=True)
class Money:
    """An amount in integer minor units (cents) of one currency."""

    amount: int
    currency: str

    def __post_init__(self) -> None:
        if type(self.amount) is not int:
            raise TypeError(f"Money.amount must be an int of minor units, got {self.amount!r}")
        if not is_currency_code(self.currency):
            raise ValueError(f"Money.currency must be an ISO-4217 code, got {self.currency!r}")

    def to_dict(self) -> dict[str, int | str]:
        return {"amount": self.amount, "currency": self.currency}
