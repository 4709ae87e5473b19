from __future__ import annotations

from web.floorcache import FloorCache


class Tick:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_hit_until_ttl_then_miss() -> None:
    tick = Tick()
    cache = FloorCache(1.0, tick)
    cache.put("k", b"floor", cache.generation)
    assert cache.get("k") == b"floor"
    tick.now += 1.0
    assert cache.get("k") is None


def test_a_local_write_clears_and_a_computation_that_raced_it_is_not_stored() -> None:
    cache = FloorCache(1.0, Tick())
    cache.put("k", b"old", cache.generation)
    started = cache.generation
    cache.invalidate()  # a write committed while the floor was being computed
    assert cache.get("k") is None
    cache.put("k", b"computed before the write", started)
    assert cache.get("k") is None


def test_zero_ttl_disables() -> None:
    cache = FloorCache(0, Tick())
    cache.put("k", b"floor", cache.generation)
    assert cache.get("k") is None
