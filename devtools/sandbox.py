"""``python -m devtools.sandbox`` (``policyline sandbox``): seed the PAS sandbox, then serve it.

The sandbox (``pas_sandbox``) imports nothing of the product; this launcher gives it Policyline's
settings and grace period. Serves until SIGINT or SIGTERM.

Every flag is optional; defaults come from ``bot.settings`` (``PAS_SANDBOX_*``, ``PAS_KEY_ID``,
``PAS_HMAC_SECRET``, ``PAS_REPLICA_URL``) and ``--as-of`` defaults to today's UTC date.

Latency is on by default (``PAS_SANDBOX_LATENCY``, lognormal median 282 ms, sigma 0.438): the local
stack feels what the carrier's API does to a conversation. ``--latency none`` (or
``PAS_SANDBOX_LATENCY=none``) answers at once; tests and benchmarks always say which they want.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
import time
from datetime import date, datetime, timezone

from bot.lifecycle import SHUTDOWN_GRACE_S
from bot.settings import Settings
from pas_sandbox.app import SandboxConfig, build_sandbox, create_app
from pas_sandbox.faults import FaultConfigError, FaultSettings, LatencySpec
from pas_sandbox.server import serve

log = logging.getLogger("pas_sandbox")


def _parser(settings: Settings) -> argparse.ArgumentParser:
    sb = settings.sandbox
    parser = argparse.ArgumentParser(
        prog="policyline sandbox",
        description="Stand-in for the carrier's policy administration system (PAS).",
    )
    parser.add_argument("--host", default=sb.host, help=f"bind address (default {sb.host})")
    parser.add_argument("--port", type=int, default=sb.port, help=f"port (default {sb.port})")
    parser.add_argument("--seed", type=int, default=sb.seed, help=f"data seed (default {sb.seed})")
    parser.add_argument(
        "--policyholders",
        type=int,
        default=sb.policyholders,
        help=f"number of policyholders including the 5 fixed personas (default {sb.policyholders})",
    )
    parser.add_argument(
        "--as-of",
        type=date.fromisoformat,
        default=None,
        metavar="YYYY-MM-DD",
        help="the day the data is anchored to (default: today, UTC)",
    )
    parser.add_argument(
        "--replica-url",
        default=settings.pas.replica_url,
        help="SQLAlchemy URL of the read replica (default from PAS_REPLICA_URL)",
    )
    parser.add_argument(
        "--latency",
        type=_latency,
        default=sb.latency,
        help="none | fixed:MS | uniform:MIN:MAX | lognormal:MEDIAN:SIGMA (default "
        f"{sb.latency}, from PAS_SANDBOX_LATENCY: like the carrier's API)",
    )
    parser.add_argument(
        "--error-rate", type=float, default=0.0, help="share of /api/ requests answered 503 (0..1)"
    )
    parser.add_argument(
        "--timeout-rate",
        type=float,
        default=0.0,
        help="share of /api/ requests held --timeout-hold-s then answered 504",
    )
    parser.add_argument(
        "--timeout-hold-s",
        type=float,
        default=5.0,
        help="how long a timed-out request is held (default 5)",
    )
    parser.add_argument("--outage", action="store_true", help="start with every /api/ call 503")
    return parser


def _latency(text: str) -> LatencySpec:
    try:
        return LatencySpec.parse(text)
    except FaultConfigError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc


def main(argv: list[str] | None = None) -> int:
    """Run the sandbox; returns the process exit code."""
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    settings = Settings.from_env()
    parser = _parser(settings)
    args = parser.parse_args(argv)
    if args.policyholders < 5:
        parser.error("--policyholders must be at least 5 (the fixed personas)")
    try:
        faults = FaultSettings(
            latency=args.latency,
            error_rate=args.error_rate,
            timeout_rate=args.timeout_rate,
            timeout_hold_s=args.timeout_hold_s,
            outage=args.outage,
        )
    except FaultConfigError as exc:
        parser.error(str(exc))
    config = SandboxConfig(
        seed=args.seed,
        policyholders=args.policyholders,
        as_of=args.as_of or datetime.now(timezone.utc).date(),
        keys={settings.pas.key_id: settings.pas.hmac_secret},
        admin_token=settings.sandbox.admin_token,
        replica_url=args.replica_url or None,
        faults=faults,
    )
    started = time.perf_counter()
    try:
        sandbox = build_sandbox(config)
    except KeyboardInterrupt:  # Ctrl-C while a large book is still seeding
        log.info("PAS sandbox interrupted while seeding")
        return 130
    log.info(
        "seeded %d policyholders and the replica in %.1f s",
        config.policyholders,
        time.perf_counter() - started,
    )
    try:
        asyncio.run(
            serve(
                create_app(sandbox),
                args.host,
                args.port,
                config,
                shutdown_grace_s=SHUTDOWN_GRACE_S,
            )
        )
    except OSError as exc:
        log.error("cannot listen on %s:%s: %s", args.host, args.port, exc)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
