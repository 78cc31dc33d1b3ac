"""Web chat tests: the action fixtures (real services on the PAS sandbox) are shared from
tests/actions; the browser and socket.io fixtures live in ``stack.py``."""

from __future__ import annotations

from tests.actions.conftest import domain, services  # noqa: F401 - pytest fixtures
from tests.web_chat.stack import web_chat_stack  # noqa: F401 - pytest fixture
