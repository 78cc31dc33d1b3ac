"""``policyline notifier`` (the long-running claim alert process) and ``policyline alerts``.

policyline notifier                                  poll the PAS claim timeline and send alerts
policyline alerts opt-in  --policy NUMBER [--sms] [--email]
policyline alerts opt-out --policy NUMBER [--sms] [--email]   (--email is the unsubscribe flag)
policyline alerts list [--policy NUMBER]

Opting in is per policy and channel; texts go to the phone number on file and e-mails to the
address on file, read from the PAS when an alert is due. Until the web account offers it, staff
use the CLI; locally the notifier also opts the sandbox personas in (``SANDBOX_PERSONA_OPT_INS``)
on start, never re-enabling one that was opted out. A text STOP still wins over any opt-in: the
SMS suppression list is checked on every send.

The notifier answers ``GET /health`` on 127.0.0.1:``NOTIFIER_PORT`` with its cursor, last poll
and delivery counts (the supervisor waits for that port; a load balancer or probe can read it).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from aiohttp import web
from sqlalchemy.engine import Engine

from bot.clock import utc_now
from bot.db import make_engine
from bot.lifecycle import SHUTDOWN_GRACE_S, STOP_SIGNALS
from bot.notifications.claim_alerts import ClaimAlertNotifier, NotifierConfig
from bot.notifications.claim_alerts_messages import AlertTexts
from bot.notifications.claim_alerts_quiet_hours import QuietHours
from bot.notifications.claim_alerts_store import (
    CHANNELS,
    Channel,
    ClaimAlertStore,
    default_opt_ins,
)
from bot.notifications.email_sender import create_email_sender
from bot.notifications.sms import create_sms_sender
from bot.settings import ConfigurationError, Settings
from bot.sync_pas import connector_for
from pas_connector.connector import PasConnector

log = logging.getLogger("bot.notifications.claim_alerts")

# The fixture personas with an open claim (or a claim history) and the alerts they get by default.
SANDBOX_PERSONA_OPT_INS: tuple[tuple[str, tuple[Channel, ...]], ...] = (
    ("AUT-1000001", ("sms", "email")),  # Maria Alvarez, open Collision claim CLM-50000001
    ("AUT-1000003", ("sms",)),  # José Núñez, open Glass claim CLM-50000003
    ("HOM-2000002", ("email",)),  # José Núñez, open Wind/hail claim CLM-50000004
)
_POLICY_NUMBER = re.compile(r"[A-Z0-9][A-Z0-9-]{2,30}")


@dataclass
class NotifierParts:
    """What ``policyline notifier`` runs on (tests build the same from their own settings)."""

    notifier: ClaimAlertNotifier
    store: ClaimAlertStore
    engine: Engine
    connector: PasConnector

    async def aclose(self) -> None:
        await self.connector.aclose()
        self.engine.dispose()


def build_notifier(settings: Settings) -> NotifierParts:
    """The notifier wired from settings; call inside the event loop that will run it."""
    alerts = settings.claim_alerts
    try:
        quiet = QuietHours.parse(alerts.quiet_start, alerts.quiet_end)
    except ValueError as exc:
        raise ConfigurationError(f"CLAIM_ALERTS_QUIET_START/END: {exc}") from exc
    if alerts.poll_interval_s <= 0 or alerts.batch_size < 1 or alerts.max_event_age_h <= 0:
        raise ConfigurationError(
            "CLAIM_ALERTS_POLL_INTERVAL_S and CLAIM_ALERTS_MAX_EVENT_AGE_H must be positive and "
            "CLAIM_ALERTS_BATCH_SIZE at least 1"
        )
    if not settings.pas.replica_url:
        raise ConfigurationError("the notifier reads the claim timeline: set PAS_REPLICA_URL")
    engine = make_engine(settings.database_url)
    store = ClaimAlertStore(engine)
    sms = create_sms_sender(settings.twilio, engine=engine, identifier_key=settings.audit_hash_key)
    email = create_email_sender(settings.smtp, engine, local=settings.is_local)
    connector = connector_for(settings)
    notifier = ClaimAlertNotifier(
        connector=connector,
        store=store,
        sms=sms,
        email=email,
        texts=AlertTexts(settings.carrier_name, settings.claims_phone),
        quiet_hours=quiet,
        hash_key=settings.audit_hash_key,
        config=NotifierConfig(
            batch_size=alerts.batch_size, max_event_age=timedelta(hours=alerts.max_event_age_h)
        ),
    )
    return NotifierParts(notifier, store, engine, connector)


def _health_app(notifier: ClaimAlertNotifier, interval_s: float) -> web.Application:
    async def health(_: web.Request) -> web.Response:
        status = notifier.status
        now = utc_now()
        late = status.last_poll_at is None or (now - status.last_poll_at).total_seconds() > max(
            60.0, 4 * interval_s
        )
        body = {
            "status": "stale" if late and status.last_poll_at else "ok",
            "cursor": status.cursor,
            "last_poll_at": status.last_poll_at.isoformat() if status.last_poll_at else None,
            "last_error": status.last_error,
            "deliveries": status.totals,
        }
        return web.json_response(body, status=503 if body["status"] == "stale" else 200)

    app = web.Application()
    app.router.add_get("/health", health)
    return app


async def serve(settings: Settings) -> int:
    """Run the notifier until SIGTERM, SIGINT or SIGHUP.

    A stop lets the poll in progress finish its deliveries within ``SHUTDOWN_GRACE_S`` (each is
    claimed in the database, so one cut short is retried by the next run), then closes the
    health port and the pools.
    """
    parts = build_notifier(settings)
    if settings.is_local:
        added = await asyncio.to_thread(default_opt_ins, parts.store, SANDBOX_PERSONA_OPT_INS)
        if added:
            log.info("opted the sandbox personas in to claim alerts (%d rows)", added)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in STOP_SIGNALS:
        loop.add_signal_handler(sig, stop.set)
    interval = settings.claim_alerts.poll_interval_s
    runner = web.AppRunner(
        _health_app(parts.notifier, interval), access_log=None, shutdown_timeout=SHUTDOWN_GRACE_S
    )
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", settings.claim_alerts.health_port)
    await site.start()
    print(
        f"claim alert notifier polling every {interval:g} s; health on "
        f"http://127.0.0.1:{settings.claim_alerts.health_port}/health",
        flush=True,
    )
    polling = asyncio.create_task(parts.notifier.run_forever(stop, interval))
    try:
        stopped = asyncio.create_task(stop.wait())
        await asyncio.wait({polling, stopped}, return_when="FIRST_COMPLETED")
        stopped.cancel()
        _, unfinished = await asyncio.wait({polling}, timeout=SHUTDOWN_GRACE_S)
        if unfinished:
            log.warning("claim alert poll unfinished after %g s: cancelled", SHUTDOWN_GRACE_S)
            polling.cancel()
            await asyncio.gather(polling, return_exceptions=True)
    finally:
        await runner.cleanup()
        await parts.aclose()
    return 0


def run_notifier_command(args: argparse.Namespace, settings: Settings) -> int:
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    try:
        return asyncio.run(serve(settings))
    except ConfigurationError as exc:
        print(f"error: {exc}", flush=True)
        return 2


def _channels(args: argparse.Namespace) -> list[Channel]:
    chosen: list[Channel] = [c for c in CHANNELS if getattr(args, c)]
    return chosen


def run_alerts_command(args: argparse.Namespace, settings: Settings) -> int:
    engine = make_engine(settings.database_url)
    try:
        store = ClaimAlertStore(engine)
        if args.alerts_command == "list":
            policy = args.policy.strip().upper() if args.policy else None
            rows = [
                {
                    "policy_number": o.policy_number,
                    "channel": o.channel,
                    "source": o.source,
                    "opted_in_at": o.opted_in_at.isoformat(),
                    "opted_out_at": o.opted_out_at.isoformat() if o.opted_out_at else None,
                }
                for o in store.opt_ins(policy)
            ]
            print(json.dumps(rows, indent=2))
            return 0
        policy = args.policy.strip().upper()
        if not _POLICY_NUMBER.fullmatch(policy):
            print(f"error: {args.policy!r} is not a policy number (e.g. AUT-1000001)")
            return 2
        channels = _channels(args)
        if not channels:
            print("error: choose at least one channel: --sms and/or --email")
            return 2
        for channel in channels:
            if args.alerts_command == "opt-in":
                changed = store.opt_in(policy, channel, "cli")
                print(f"{policy} {channel}: {'opted in' if changed else 'already opted in'}")
            else:
                changed = store.opt_out(policy, channel)
                print(f"{policy} {channel}: {'opted out' if changed else 'was not opted in'}")
        return 0
    finally:
        engine.dispose()


def add_parser(subparsers: Any) -> None:
    """Add ``notifier`` and ``alerts`` to the ``policyline`` parser."""
    p = subparsers.add_parser("notifier", help="run the claim status alert notifier")
    p.set_defaults(handler=run_notifier_command)
    alerts = subparsers.add_parser("alerts", help="claim alert opt-ins (opt-in, opt-out, list)")
    sub = alerts.add_subparsers(dest="alerts_command", required=True, metavar="ACTION")
    for name, text in (("opt-in", "turn claim alerts on"), ("opt-out", "turn claim alerts off")):
        q = sub.add_parser(name, help=text)
        q.add_argument("--policy", required=True, metavar="NUMBER")
        q.add_argument("--sms", action="store_true", help="texts to the number on file")
        q.add_argument("--email", action="store_true", help="e-mails to the address on file")
    q = sub.add_parser("list", help="show opt-ins")
    q.add_argument("--policy", metavar="NUMBER")
    alerts.set_defaults(handler=run_alerts_command)


def main(argv: Sequence[str] | None = None) -> int:  # pragma: no cover - via devtools.cli
    parser = argparse.ArgumentParser(prog="policyline")
    add_parser(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    return int(args.handler(args, Settings.from_env()))
