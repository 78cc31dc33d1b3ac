"""Serve a built sandbox until SIGINT or SIGTERM, then stop gracefully.

The launcher (``python -m devtools.sandbox``, ``policyline sandbox``) builds the configuration
from Policyline's settings; this package imports nothing of the product.
"""

from __future__ import annotations

import asyncio
import logging
import signal

from aiohttp import web

from pas_sandbox.app import SandboxConfig

log = logging.getLogger("pas_sandbox")


async def serve(
    app: web.Application, host: str, port: int, config: SandboxConfig, *, shutdown_grace_s: float
) -> None:
    """Listen on ``host:port`` until SIGINT/SIGTERM; requests in flight get ``shutdown_grace_s``."""
    # No access log: request paths carry full policy numbers, which must not reach logs.
    # On SIGTERM/SIGINT: stop listening, let requests in flight finish (bounded), close the
    # replica's pool (the grace period is the launcher's: bot/lifecycle.py).
    runner = web.AppRunner(
        app, access_log=None, handle_signals=False, shutdown_timeout=shutdown_grace_s
    )
    await runner.setup()
    try:
        await web.TCPSite(runner, host, port).start()
        log.info(
            "PAS sandbox listening on http://%s:%d (%d policyholders, seed %d)",
            host,
            port,
            config.policyholders,
            config.seed,
        )
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        await stop.wait()
        log.info("PAS sandbox stopping")
    finally:
        await runner.cleanup()
