"""The two-server cluster (tests/scale/cluster.py), once for all the scale tests.

Starting it loads two Rasa models (over a minute of both cores), so every module here shares one
cluster: the fixture is package-scoped, and the modules go to one xdist worker together.

Tests marked ``extended`` take longer than CI's budget (the rolling restart waits for a Rasa
server to load its model again under load: 77 s on a quiet 2-core machine, 4-6.5 minutes on a
busy one): they run when the marker expression names ``scale`` (``pytest -m scale
tests/scale``) and are skipped otherwise.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.scale.cluster import Cluster

HERE = Path(__file__).parent


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """One xdist group for this folder. Runs before tests/conftest.py's hook (pluggy calls the
    conftest registered last first), so this group is the item's closest ``xdist_group``."""
    wanted = "scale" in (config.option.markexpr or "")
    skip = pytest.mark.skip(reason="longer than CI's budget: `pytest -m scale tests/scale`")
    for item in items:
        if item.path.parent == HERE:
            item.add_marker(pytest.mark.xdist_group("tests/scale"))
            if item.get_closest_marker("extended") and not wanted:
                item.add_marker(skip)


@pytest.fixture(scope="package")
def cluster(
    tmp_path_factory: pytest.TempPathFactory, postgres_url: str, redis_url: str
) -> Iterator[Cluster]:
    started = Cluster.start(tmp_path_factory.mktemp("scale"), postgres_url, redis_url)
    try:
        yield started
    finally:
        started.stop()
