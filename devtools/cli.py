"""The ``policyline`` command: one subcommand per long-running process and per tool.

policyline run                 the whole local stack (what `make run` starts)
policyline status [--json]     what the running stack runs, where, since when, and its health
policyline sandbox [...]       the PAS sandbox (HTTP, port 8100)
policyline personas [--json]   the fixture personas
policyline rasa                the Rasa server with our channels (port 5005)
policyline actions             the Rasa action server (port 5055)
policyline web                 the web app (port 8000)
policyline staff create ...    a staff web account: --email ADDRESS --role reviewer|supervisor
policyline db upgrade          create or migrate the application tables (before any process)
policyline notifier            claim status alerts (SMS and e-mail; health on port 8130)
policyline alerts ...          claim alert opt-ins: opt-in / opt-out --policy N --sms --email, list
policyline localstripe         the local Stripe stand-in (port 8420; not with real Stripe keys)
policyline autopay [--date D]  draft the autopay bills that are due (daily job)
policyline sms --from +1...    a terminal phone texting the local assistant (signed like Twilio)
policyline call --from +1...   a terminal caller for the local IVR
policyline document KIND ...   render an ID card, declarations page or certificate to a PDF
policyline outcomes sweep-abandoned   record tasks people left open (run every few minutes)
policyline handoffs [--json]   the open handoff queue with each handoff's summary
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from bot.lifecycle import sanic_shutdown_env
from bot.settings import PROJECT_ROOT, Settings
from devtools.localstripe_server import HEALTH_PATH as LOCALSTRIPE_HEALTH
from devtools.stack_commands import run_stack, stack_status
from devtools.supervisor import ProcessSpec

MODEL_PATH = PROJECT_ROOT / "models" / "policyline.tar.gz"


def _rasa_bin() -> str:
    return str(Path(sys.executable).with_name("rasa"))


def rasa_server_command() -> list[str]:
    """How the Rasa server is started: Rasa's command line with our reply validator installed
    (channels/rasa_server.py); append ``run`` and its arguments."""
    return [sys.executable, "-m", "channels.rasa_server"]


def process_env(settings: Settings) -> dict[str, str]:
    """Variables that credentials.yml / endpoints.yml interpolate, with the settings' values.

    ``SANIC_HOST`` is the interface rasa-sdk binds the action server to (its default is every
    interface); ``ACTION_SERVER_SECRET`` is the header Rasa sends and the action server checks.
    """
    settings.var_dir.mkdir(parents=True, exist_ok=True)
    return {
        "ACTIONS_PORT": str(settings.actions_port),
        "SANIC_HOST": settings.actions_host,
        "ACTION_SERVER_SECRET": settings.action_server_secret,
        "POLICYLINE_VAR_DIR": str(settings.var_dir),
        "TRACKER_DB": settings.environ.get("TRACKER_DB")
        or str(settings.var_dir / "rasa_tracker.sqlite"),
    }


def rasa_server_argv(settings: Settings, model: Path = MODEL_PATH) -> list[str]:
    return [
        *rasa_server_command(), "run",
        "--model", str(model),
        "--port", str(settings.rasa_port),
        "--interface", "127.0.0.1",
        "--credentials", str(PROJECT_ROOT / "credentials.yml"),
        "--endpoints", str(PROJECT_ROOT / "endpoints.yml"),
    ]  # fmt: skip


def action_server_argv(settings: Settings) -> list[str]:
    return [_rasa_bin(), "run", "actions", "--actions", "actions",
            "--port", str(settings.actions_port)]  # fmt: skip


def sandbox_argv(settings: Settings, extra: Sequence[str] = ()) -> list[str]:
    return [sys.executable, "-m", "devtools.sandbox", "--host", settings.sandbox.host,
            "--port", str(settings.sandbox.port), *extra]  # fmt: skip


def web_argv(settings: Settings) -> list[str]:
    return [sys.executable, "-m", "bot.web", "--port", str(settings.web_port)]


def localstripe_argv(settings: Settings) -> list[str]:
    state = settings.var_dir / "localstripe.pickle"
    return [sys.executable, "-m", "devtools.localstripe_server",
            "--port", str(settings.localstripe_port), "--state-file", str(state)]  # fmt: skip


def notifier_argv(settings: Settings) -> list[str]:
    return [sys.executable, "-m", "devtools.cli", "notifier"]


def stack_specs(settings: Settings) -> list[ProcessSpec]:
    """The processes of ``policyline run``, in start order.

    ``tier``: a process is stopped before those it calls (Rasa before the action server, both
    before the PAS sandbox), so turns in flight can finish. ``health_path`` answers 200 once the
    process is ready; ``port_setting`` is the variable named when the port is taken.
    """
    env = process_env(settings)
    sanic_env = env | sanic_shutdown_env()
    specs = [
        ProcessSpec(
            "sandbox", sandbox_argv(settings), settings.sandbox.port, 120, env,
            health_path="/health", port_setting="PAS_SANDBOX_PORT", tier=0,
            host=settings.sandbox.host,
        ),
        ProcessSpec(
            "actions", action_server_argv(settings), settings.actions_port, 120, sanic_env,
            health_path="/health", port_setting="ACTIONS_PORT", tier=1,
            host=settings.actions_host,
        ),
        ProcessSpec(
            "rasa", rasa_server_argv(settings), settings.rasa_port, 240, sanic_env,
            # 200 once the model is loaded (channels/twilio_sms.py)
            health_path="/webhooks/twilio_sms/", port_setting="RASA_PORT", tier=2,
        ),
    ]  # fmt: skip
    if settings.stripe.is_local:
        # Its webhooks go to the web app's /stripe/webhook (PUBLIC_BASE_URL).
        specs.insert(1, ProcessSpec(
            "localstripe", localstripe_argv(settings), settings.localstripe_port, 60, env,
            health_path=LOCALSTRIPE_HEALTH, port_setting="LOCALSTRIPE_PORT", tier=1,
        ))  # fmt: skip
    if (PROJECT_ROOT / "bot" / "web" / "__main__.py").exists():
        specs.append(ProcessSpec(
            "web", web_argv(settings), settings.web_port, 60, env,
            health_path="/health", port_setting="WEB_PORT", tier=2,
        ))  # fmt: skip
    # After the sandbox (it reads the replica the sandbox seeds); waits on its health port.
    specs.append(ProcessSpec(
        "notifier", notifier_argv(settings), settings.claim_alerts.health_port, 60, env,
        health_path="/health", port_setting="NOTIFIER_PORT", tier=2,
    ))  # fmt: skip
    return specs


def _personas() -> list[dict[str, object]]:
    from pas_sandbox.personas import personas_json

    return personas_json()


def print_personas(as_json: bool) -> None:
    if as_json:
        print(json.dumps(_personas(), indent=2))
        return
    print("\n".join(_personas_table()))


def _personas_table() -> list[str]:
    lines = [f"{'name':<16} {'policy':<12} {'line':<8} {'status':<10} {'phone':<13} "
             f"{'birth date':<11} zip    story"]  # fmt: skip
    for p in _personas():
        lines.append(f"{p['name']!s:<16} {p['policy_number']!s:<12} {p['line']!s:<8} "
                     f"{p['status']!s:<10} {p['phone']!s:<13} {p['date_of_birth']!s:<11} "
                     f"{p['zip']!s:<6} {p.get('story', '')}")  # fmt: skip
    return lines


def banner(settings: Settings, *, to_terminal: bool | None = None) -> list[str]:
    """What ``policyline run`` prints once every process is ready.

    The fixture personas' table (names, dates of birth, policy numbers: invented, but shaped like
    the data no log may hold) is shown on a terminal only; output sent to a file or a log
    collector names the command that prints it instead.
    """
    if to_terminal is None:
        to_terminal = sys.stdout.isatty()
    lines = [
        "",
        "Policyline is running:",
        f"  PAS sandbox     http://127.0.0.1:{settings.sandbox.port}",
        f"  Rasa server     http://127.0.0.1:{settings.rasa_port}",
        f"  action server   http://127.0.0.1:{settings.actions_port}",
        f"  web app         {settings.public_base_url}",
    ]
    if settings.stripe.is_local:
        lines.append(f"  localstripe     {settings.stripe.api_base}")
    lines.append("")
    if to_terminal:
        lines.extend(_personas_table())
    else:
        lines.append("`policyline personas` lists the fixture policyholders to try.")
    lines.append("")
    lines.append("`policyline status` shows each process's health; Ctrl-C stops everything.")
    return lines


def cmd_run(settings: Settings) -> int:
    specs = stack_specs(settings)
    return run_stack(settings, specs, model=MODEL_PATH, banner=lambda: banner(settings))


def _exec(argv: list[str], settings: Settings) -> int:
    os.environ.update(process_env(settings))
    for name, value in sanic_shutdown_env().items():  # Rasa, the action server; explicit wins
        os.environ.setdefault(name, value)
    os.execv(argv[0], argv)
    return 0  # pragma: no cover - execv does not return


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="policyline", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    sub.add_parser("run", help="start the whole local stack (sandbox, actions, rasa, web)")
    p = sub.add_parser("status", help="what the running stack runs, where, since when; health")
    p.add_argument("--json", action="store_true", help="print JSON")
    p = sub.add_parser("sandbox", help="run the PAS sandbox (options: policyline sandbox --help)",
                       add_help=False)  # fmt: skip
    p.add_argument("args", nargs=argparse.REMAINDER)
    p = sub.add_parser("personas", help="list the fixture personas")
    p.add_argument("--json", action="store_true", help="print JSON")
    sub.add_parser("rasa", help="run the Rasa server with the Policyline channels")
    sub.add_parser("actions", help="run the Rasa action server")
    sub.add_parser("web", help="run the web app")
    sub.add_parser("localstripe", help="run localstripe, the local Stripe stand-in (port 8420)")
    from bot.accounts.staff_cli import add_parser as add_staff_parser
    from bot.documents.cli import add_parser as add_document_parser
    from bot.migrations.cli import add_parser as add_db_parser
    from bot.notifications.claim_alerts_cli import add_parser as add_alerts_parser
    from bot.payments.autopay_run import add_parser as add_autopay_parser
    from bot.transcripts.cli import add_parser as add_outcomes_parser
    from bot.transcripts.handoffs_cli import add_parser as add_handoffs_parser
    from devtools.simulators.ivr_caller import add_parser as add_call_parser
    from devtools.simulators.sms_phone import add_parser as add_sms_parser

    add_sms_parser(sub)
    add_call_parser(sub)
    add_document_parser(sub)
    add_staff_parser(sub)
    add_alerts_parser(sub)
    add_autopay_parser(sub)
    add_outcomes_parser(sub)
    add_handoffs_parser(sub)
    add_db_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    settings = Settings.from_env()
    if args.command == "run":
        return cmd_run(settings)
    if args.command == "status":
        return stack_status(settings, stack_specs(settings), as_json=args.json)
    if args.command == "sandbox":
        from devtools.sandbox import main as sandbox_main

        return sandbox_main(list(args.args))
    if args.command == "personas":
        print_personas(as_json=args.json)
        return 0
    if args.command == "rasa":
        return _exec(rasa_server_argv(settings), settings)
    if args.command == "actions":
        return _exec(action_server_argv(settings), settings)
    if args.command == "web":
        return _exec(web_argv(settings), settings)
    if args.command == "localstripe":
        return _exec(localstripe_argv(settings), settings)
    handler = getattr(args, "handler", None)
    if handler is not None:
        return int(handler(args, settings) or 0)
    parser.error(f"unknown command {args.command}")
    return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
