"""Integer arithmetic shared by the engine; money never touches a float."""

BP_SCALE = 10_000


def div_half_up(numerator: int, denominator: int) -> int:
    """Divide and round half toward +infinity (floor(n/d + 1/2)).

    Toward +infinity rather than away from zero so that a percent delta applied to an
    integer total gives the same result as rounding the scaled total itself:
    ``t + div_half_up(t * v, 10000) == div_half_up(t * (10000 + v), 10000)``.
    """
    return (2 * numerator + denominator) // (2 * denominator)


def percent_of(amount: int, basis_points: int) -> int:
    return div_half_up(amount * basis_points, BP_SCALE)


def share_bp(taken: int, total: int) -> int:
    # An empty scope counts as not in demand rather than as infinitely full.
    return taken * BP_SCALE // total if total > 0 else 0


def round_within(value: int, step: int, low: int, high: int | None) -> int:
    """Round ``value`` (already inside [low, high]) to the nearest multiple of ``step``.

    Half up, but never outside [low, high]: if the nearest multiple leaves the range, take
    the nearest multiple on the inside; if the range holds no multiple at all, keep the
    value as it is, because staying inside the manager's bounds matters more than round
    figures. The result is monotone in ``value``, which the demand property relies on.
    """
    rounded = div_half_up(value, step) * step
    if high is not None and rounded > high:
        rounded = (value // step) * step
    elif rounded < low:
        rounded = -((-value) // step) * step
    if rounded < low or (high is not None and rounded > high):
        return value
    return rounded
