"""The web process's composition root: built once by ``create_app``, handed to every blueprint.

One engine on the application database, one clock and one synchronous PAS facade (one connector
on one event loop: one circuit breaker, rate limiter and cache for the whole process). The
blueprints take these from ``web_root()`` instead of building their own; a test replaces the
whole root with one argument, ``create_app(settings, root=WebRoot.build(settings, clock=...))``,
or hands in parts (``WebRoot.build(settings, connector=...)``).
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask, current_app
from sqlalchemy.engine import Engine

from bot.clock import Clock, utc_now
from bot.db import make_engine
from bot.settings import Settings
from bot.sync_pas import SyncPas
from pas_connector.connector import PasConnector

ROOT_KEY = "policyline.root"


@dataclass
class WebRoot:
    settings: Settings
    engine: Engine
    clock: Clock
    pas: SyncPas

    @classmethod
    def build(
        cls,
        settings: Settings,
        *,
        engine: Engine | None = None,
        clock: Clock = utc_now,
        connector: PasConnector | None = None,
    ) -> WebRoot:
        """The root for ``settings``; any part may be passed in instead (tests)."""
        if connector is not None:
            pas = SyncPas.of(connector)
        else:
            pas = SyncPas.for_settings(settings, clock=clock, name="policyline-web-pas")
        engine = engine or make_engine(
            settings.database_url,
            pool_size=settings.database_pool_size,
            max_overflow=settings.database_max_overflow,
        )
        return cls(settings, engine, clock, pas)

    def close(self) -> None:
        """Stop the PAS loop (closing a connector it built) and release the engine's pool."""
        self.pas.close()
        self.engine.dispose()


def install(app: Flask, root: WebRoot) -> None:
    app.extensions[ROOT_KEY] = root


def web_root(app: Flask | None = None) -> WebRoot:
    """The root of ``app`` (the current app by default)."""
    target = app if app is not None else current_app
    root: WebRoot = target.extensions[ROOT_KEY]
    return root
