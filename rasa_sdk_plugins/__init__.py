"""rasa-sdk's plugin package: rasa-sdk imports ``rasa_sdk_plugins`` and calls ``init_hooks``.

The one extension is the shared-secret guard of the action server (``actions.server_guard``),
with the secret from the settings (production refuses the public local default at start-up).
"""

from __future__ import annotations

import sys

import pluggy
from sanic import Sanic

hookimpl = pluggy.HookimplMarker("rasa_sdk")


def init_hooks(manager: pluggy.PluginManager) -> None:
    manager.register(sys.modules[__name__])


@hookimpl  # type: ignore[misc]
def attach_sanic_app_extensions(app: Sanic) -> None:
    from actions.server_guard import install_guard
    from bot.settings import load_settings

    install_guard(app, load_settings().action_server_secret)
