"""Fixtures for channel tests: settings on a temp SQLite file and wired channel resources."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from channels.config import ChannelSettings
from channels.resources import ChannelResources
from tests.channels.support import make_settings


@pytest.fixture
def settings(tmp_path: Path) -> ChannelSettings:
    return make_settings(tmp_path)


@pytest.fixture
def resources(settings: ChannelSettings) -> Iterator[ChannelResources]:
    built = ChannelResources.build(settings)
    try:
        yield built
    finally:
        built.engine.dispose()
