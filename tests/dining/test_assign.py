"""Table assignment on its own: the best fit, joins, and what is never chosen."""

from __future__ import annotations

import uuid

from venue.dining.assign import Seat, admits, best, largest_party


def seat(label: str, lo: int, hi: int, value: int = 0) -> Seat:
    return Seat(uuid.uuid5(uuid.NAMESPACE_DNS, label), label, lo, hi, value)


def link(a: Seat, b: Seat) -> tuple[uuid.UUID, uuid.UUID]:
    return (a.id, b.id)


def test_smallest_table_that_fits_then_least_valuable() -> None:
    two, four, six = seat("A", 1, 2), seat("B", 1, 4), seat("C", 2, 6)
    assert best([six, four, two], [], 2) == [two]
    assert best([six, four], [], 3) == [four]
    cheap, dear = seat("D", 1, 4, 1000), seat("E", 1, 4, 5000)
    assert best([dear, cheap], [], 4) == [cheap]


def test_min_party_excludes_a_table() -> None:
    big = seat("B", 5, 8)
    assert best([big], [], 2) is None
    assert best([big], [], 6) == [big]


def test_joins_only_linked_tables_and_never_more_than_needed() -> None:
    a, b, c = seat("A", 1, 2), seat("B", 1, 2), seat("C", 1, 2)
    assert best([a, b, c], [], 4) is None
    assert best([a, b, c], [link(a, b)], 4) == [a, b]
    # three 2-tops in a row seat five or six, and a four sits at two of them
    row = [link(a, b), link(b, c)]
    assert best([a, b, c], row, 5) == [a, b, c]
    assert admits([a, b, c], row, 6)
    assert not admits([a, b, c], row, 4)  # one of them would be spare
    assert not admits([a, c], row, 4)  # not joined to each other


def test_largest_party_counts_joins() -> None:
    a, b, c = seat("A", 1, 2), seat("B", 1, 2), seat("C", 1, 6)
    assert largest_party([a, b, c], []) == 6
    assert largest_party([a, b, c], [link(a, c)]) == 8
