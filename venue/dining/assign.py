"""Which tables seat a party: pure, no database.

The best fit is one free table whose min/max party size admits the party, the smallest
(fewest spare seats), then the least valuable; failing that, tables the floor plan says
can be joined (connected through join links), the fewest seats, then the fewest tables.
A join never includes a table the party could do without (as ``booking.check_seating``
requires of a guest's own choice).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

# Joins are searched up to this many tables: a party needing more is a phone call.
MAX_JOINED = 4


@dataclass(frozen=True)
class Seat:
    """A table as assignment sees it."""

    id: uuid.UUID
    label: str
    min_party: int
    max_party: int
    value: int = 0  # what the table is worth (its minimum), to keep the best ones free


def _fits_alone(t: Seat, party: int) -> bool:
    return t.min_party <= party <= t.max_party


def _join_fits(group: Sequence[Seat], party: int) -> bool:
    capacity = sum(t.max_party for t in group)
    spare = capacity - min(t.max_party for t in group)
    return spare < party <= capacity


def best(
    free: Sequence[Seat], links: Iterable[tuple[uuid.UUID, uuid.UUID]], party: int
) -> list[Seat] | None:
    """The tables to seat ``party`` on among ``free``, or None."""
    alone = [t for t in free if _fits_alone(t, party)]
    if alone:
        return [min(alone, key=lambda t: (t.max_party, t.value, t.label))]
    groups = joined_groups(free, links, party)
    if not groups:
        return None
    return min(
        groups,
        key=lambda g: (
            sum(t.max_party for t in g),
            len(g),
            sum(t.value for t in g),
            [t.label for t in g],
        ),
    )


def joined_groups(
    free: Sequence[Seat], links: Iterable[tuple[uuid.UUID, uuid.UUID]], party: int
) -> list[list[Seat]]:
    """Every connected group of 2..MAX_JOINED free tables that seats the party."""
    return [g for g in connected_groups(free, links) if _join_fits(g, party)]


def connected_groups(
    free: Sequence[Seat], links: Iterable[tuple[uuid.UUID, uuid.UUID]]
) -> list[list[Seat]]:
    """Every group of 2..MAX_JOINED tables connected through join links."""
    by_id = {t.id: t for t in free}
    neighbours: dict[uuid.UUID, set[uuid.UUID]] = {t.id: set() for t in free}
    for a, b in links:
        if a in by_id and b in by_id:
            neighbours[a].add(b)
            neighbours[b].add(a)
    found: set[frozenset[uuid.UUID]] = set()
    frontier = {frozenset([t.id]) for t in free if neighbours[t.id]}
    for _ in range(MAX_JOINED - 1):
        grown = {
            group | {nxt}
            for group in frontier
            for member in group
            for nxt in neighbours[member] - group
        }
        found |= grown
        frontier = grown
    return [sorted((by_id[i] for i in g), key=lambda t: t.label) for g in found]


def largest_party(tables: Sequence[Seat], links: Iterable[tuple[uuid.UUID, uuid.UUID]]) -> int:
    """The largest party one table or a joinable group of the floor seats when all are
    free: above it the guest is asked to call."""
    single = max((t.max_party for t in tables), default=0)
    joined = max((sum(t.max_party for t in g) for g in connected_groups(tables, links)), default=0)
    return max(single, joined)


def admits(group: Sequence[Seat], links: Iterable[tuple[uuid.UUID, uuid.UUID]], party: int) -> bool:
    """Whether the party may sit at exactly these tables (a chosen or overridden set)."""
    if len(group) == 1:
        return _fits_alone(group[0], party)
    ids = {t.id for t in group}
    return _join_fits(group, party) and any(
        {t.id for t in g} == ids for g in connected_groups(group, links)
    )
