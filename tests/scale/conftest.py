"""The two-server cluster (tests/scale/cluster.py), once for the scale tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.scale.cluster import Cluster


@pytest.fixture(scope="module")
def cluster(
    tmp_path_factory: pytest.TempPathFactory, postgres_url: str, redis_url: str
) -> Iterator[Cluster]:
    started = Cluster.start(tmp_path_factory.mktemp("scale"), postgres_url, redis_url)
    try:
        yield started
    finally:
        started.stop()
