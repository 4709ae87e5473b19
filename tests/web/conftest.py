"""The ``cluster`` fixture: two real ``maitre serve`` processes (see tests/web/cluster.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.web.cluster import Cluster, start_cluster


@pytest.fixture(scope="module")
async def cluster() -> AsyncIterator[Cluster]:
    async for running in start_cluster():
        yield running
