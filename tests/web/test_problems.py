"""web/problems.py: a method a path does not serve is a 405 problem+json naming, in
``Allow``, every method that path does serve."""

from __future__ import annotations

import httpx


async def test_a_wrong_method_is_405_with_every_allowed_method(bare: httpx.AsyncClient) -> None:
    # GET and PATCH of the floor plan are two routes; Allow names both.
    r = await bare.put("/api/v1/staff/venues/any/floor-plan", json={})
    assert r.status_code == 405
    assert r.headers["content-type"] == "application/problem+json"
    assert r.json()["code"] == "method_not_allowed"
    assert r.headers["allow"] == "GET, PATCH"
    r = await bare.delete("/api/v1/venues/any")
    assert r.status_code == 405 and r.headers["allow"] == "GET"
