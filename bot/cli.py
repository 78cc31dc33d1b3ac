"""The ``policyline`` command: one subcommand per long-running process and per tool.

policyline run                 the whole local stack (what `make run` starts)
policyline sandbox [...]       the PAS sandbox (HTTP, port 8100)
policyline personas [--json]   the fixture personas
policyline rasa                the Rasa server with our channels (port 5005)
policyline actions             the Rasa action server (port 5055)
policyline web                 the web app (port 8000)
policyline staff create ...    a staff web account: --email ADDRESS --role reviewer|supervisor
policyline notifier            claim status alerts (SMS and e-mail; health on port 8130)
policyline alerts ...          claim alert opt-ins: opt-in / opt-out --policy N --sms --email, list
policyline localstripe         the local Stripe stand-in (port 8420; not with real Stripe keys)
policyline autopay [--date D]  draft the autopay bills that are due (daily job)
policyline sms --from +1...    a terminal phone texting the local assistant (signed like Twilio)
policyline call --from +1...   a terminal caller for the local IVR
policyline document KIND ...   render an ID card, declarations page or certificate to a PDF
policyline outcomes sweep-abandoned   record tasks people left open (run every few minutes)
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from bot.settings import PROJECT_ROOT, Settings
from bot.supervisor import ProcessSpec, StackFailed, Supervisor

MODEL_PATH = PROJECT_ROOT / "models" / "policyline.tar.gz"


def _rasa_bin() -> str:
    return str(Path(sys.executable).with_name("rasa"))


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
        _rasa_bin(), "run",
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
    return [sys.executable, "-m", "pas_sandbox", "--host", settings.sandbox.host,
            "--port", str(settings.sandbox.port), *extra]  # fmt: skip


def web_argv(settings: Settings) -> list[str]:
    return [sys.executable, "-m", "bot.web", "--port", str(settings.web_port)]


def localstripe_argv(settings: Settings) -> list[str]:
    state = settings.var_dir / "localstripe.pickle"
    return [sys.executable, "-m", "bot.payments.localstripe_server",
            "--port", str(settings.localstripe_port), "--state-file", str(state)]  # fmt: skip


def notifier_argv(settings: Settings) -> list[str]:
    return [sys.executable, "-m", "bot.cli", "notifier"]


def stack_specs(settings: Settings) -> list[ProcessSpec]:
    env = process_env(settings)
    specs = [
        ProcessSpec("sandbox", sandbox_argv(settings), settings.sandbox.port, 120, env),
        ProcessSpec("actions", action_server_argv(settings), settings.actions_port, 120, env),
        ProcessSpec("rasa", rasa_server_argv(settings), settings.rasa_port, 240, env),
    ]
    if settings.stripe.is_local:
        # Its webhooks go to the web app's /stripe/webhook (PUBLIC_BASE_URL).
        port = settings.localstripe_port
        specs.insert(1, ProcessSpec("localstripe", localstripe_argv(settings), port, 60, env))
    if (PROJECT_ROOT / "bot" / "web" / "__main__.py").exists():
        specs.append(ProcessSpec("web", web_argv(settings), settings.web_port, 60, env))
    # After the sandbox (it reads the replica the sandbox seeds); waits on its health port.
    port = settings.claim_alerts.health_port
    specs.append(ProcessSpec("notifier", notifier_argv(settings), port, 60, env))
    return specs


def _personas() -> list[dict[str, object]]:
    from pas_sandbox.personas import personas_json

    return personas_json()


def print_personas(as_json: bool) -> None:
    personas = _personas()
    if as_json:
        print(json.dumps(personas, indent=2))
        return
    print(f"{'name':<16} {'policy':<12} {'line':<8} {'status':<10} {'phone':<13} "
          f"{'birth date':<11} zip    story")  # fmt: skip
    for p in personas:
        print(f"{p['name']!s:<16} {p['policy_number']!s:<12} {p['line']!s:<8} "
              f"{p['status']!s:<10} {p['phone']!s:<13} {p['date_of_birth']!s:<11} "
              f"{p['zip']!s:<6} {p.get('story', '')}")  # fmt: skip


def cmd_run(settings: Settings) -> int:
    if not MODEL_PATH.exists():
        print("no trained model: run `make run` (it trains one) or `make train`", file=sys.stderr)
        return 2
    supervisor = Supervisor(stack_specs(settings), cwd=PROJECT_ROOT)
    try:
        supervisor.start()
        print()
        print("Policyline is running:")
        print(f"  PAS sandbox     http://127.0.0.1:{settings.sandbox.port}")
        print(f"  Rasa server     http://127.0.0.1:{settings.rasa_port}")
        print(f"  action server   http://127.0.0.1:{settings.actions_port}")
        print(f"  web app         {settings.public_base_url}")
        if settings.stripe.is_local:
            print(f"  localstripe     {settings.stripe.api_base}")
        print()
        print_personas(as_json=False)
        print("\nCtrl-C stops everything.", flush=True)
        return supervisor.wait()
    except StackFailed as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("\nstopping…", flush=True)
        return 0
    finally:
        supervisor.stop()


def _exec(argv: list[str], settings: Settings) -> int:
    os.environ.update(process_env(settings))
    os.execv(argv[0], argv)
    return 0  # pragma: no cover - execv does not return


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="policyline", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    sub.add_parser("run", help="start the whole local stack (sandbox, actions, rasa, web)")
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
    from bot.notifications.claim_alerts_cli import add_parser as add_alerts_parser
    from bot.payments.autopay_run import add_parser as add_autopay_parser
    from bot.transcripts.cli import add_parser as add_outcomes_parser
    from channels.simulators.ivr_caller import add_parser as add_call_parser
    from channels.simulators.sms_phone import add_parser as add_sms_parser

    add_sms_parser(sub)
    add_call_parser(sub)
    add_document_parser(sub)
    add_staff_parser(sub)
    add_alerts_parser(sub)
    add_autopay_parser(sub)
    add_outcomes_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    settings = Settings.from_env()
    if args.command == "run":
        return cmd_run(settings)
    if args.command == "sandbox":
        from pas_sandbox.cli import main as sandbox_main

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
