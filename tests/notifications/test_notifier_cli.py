"""``policyline alerts`` and the long-running ``policyline notifier`` as real processes."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from bot.db import make_engine
from bot.notifications.email_sender import read_email_outbox
from bot.notifications.outbox import read_outbox
from bot.settings import Settings
from devtools.cli import stack_specs
from tests.support.app_database import migrated_sqlite
from tests.support.servers import PROJECT_ROOT, SandboxHandle, free_port, wait_for_port

pytestmark = pytest.mark.slow


def cli_env(tmp_path: Path, sandbox: SandboxHandle | None = None, **extra: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("PAS_", "REDIS_", "DATABASE_", "SMTP_", "TWILIO_"))
    }
    env.update(
        {
            "POLICYLINE_ENV": "test",
            "PYTHONUNBUFFERED": "1",
            "DATABASE_URL": migrated_sqlite(tmp_path / "app.sqlite"),
            "POLICYLINE_VAR_DIR": str(tmp_path / "var"),
        }
    )
    if sandbox is not None:
        env.update(
            {
                "PAS_BASE_URL": sandbox.base_url,
                "PAS_REPLICA_URL": sandbox.replica_url,
                "PAS_HMAC_SECRET": sandbox.hmac_secret,
            }
        )
    env.update(extra)
    return env


def policyline(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "devtools.cli", *args],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_opt_in_opt_out_and_list_from_the_command_line(tmp_path):
    env = cli_env(tmp_path)
    done = policyline(env, "alerts", "opt-in", "--policy", "aut-1000001", "--sms", "--email")
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["AUT-1000001 sms: opted in", "AUT-1000001 email: opted in"]
    assert (
        "already opted in"
        in policyline(env, "alerts", "opt-in", "--policy", "AUT-1000001", "--sms").stdout
    )
    assert (
        "opted out"
        in policyline(env, "alerts", "opt-out", "--policy", "AUT-1000001", "--email").stdout
    )
    rows = json.loads(policyline(env, "alerts", "list").stdout)
    assert [(r["channel"], r["opted_out_at"] is None) for r in rows] == [
        ("email", False),
        ("sms", True),
    ]


def test_bad_input_gets_a_clear_answer(tmp_path):
    env = cli_env(tmp_path)
    done = policyline(env, "alerts", "opt-in", "--policy", "AUT-1000001")
    assert (done.returncode, done.stdout.strip()) == (
        2,
        "error: choose at least one channel: --sms and/or --email",
    )
    done = policyline(env, "alerts", "opt-in", "--policy", "no such; policy", "--sms")
    assert done.returncode == 2 and "is not a policy number" in done.stdout


def test_make_run_starts_the_notifier_after_the_sandbox():
    names = [spec.name for spec in stack_specs(Settings.from_env({"POLICYLINE_ENV": "test"}))]
    assert names.index("notifier") > names.index("sandbox")
    [notifier] = [s for s in stack_specs(Settings.from_env({})) if s.name == "notifier"]
    assert notifier.port == 8130 and list(notifier.argv)[-1] == "notifier"


def test_the_notifier_process_sends_persona_alerts_and_reports_health(tmp_path, sandbox):
    port = free_port()
    env = cli_env(
        tmp_path,
        sandbox,
        NOTIFIER_PORT=str(port),
        CLAIM_ALERTS_POLL_INTERVAL_S="0.2",
        CLAIM_ALERTS_QUIET_START="00:00",
        CLAIM_ALERTS_QUIET_END="00:00",
    )
    proc = subprocess.Popen(
        [sys.executable, "-m", "devtools.cli", "notifier"],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    engine = make_engine(env["DATABASE_URL"])
    try:
        wait_for_port(port, proc, 60, "notifier")
        deadline = time.monotonic() + 30
        while httpx.get(f"http://127.0.0.1:{port}/health").json()["cursor"] is None:
            assert time.monotonic() < deadline, "the notifier never polled"
            time.sleep(0.1)
        sandbox.advance_claim("CLM-50000001")  # Maria: SMS and e-mail by persona default
        sandbox.advance_claim("CLM-50000004")  # José's home claim: e-mail by persona default
        while len(read_outbox(engine)) + len(read_email_outbox(engine)) < 3:
            assert time.monotonic() < deadline, "alerts were not sent"
            time.sleep(0.1)
        health = httpx.get(f"http://127.0.0.1:{port}/health").json()
        while health["deliveries"] != {"sent": 3}:  # counted after each round of sends
            assert time.monotonic() < deadline, health
            time.sleep(0.1)
            health = httpx.get(f"http://127.0.0.1:{port}/health").json()
        assert health["status"] == "ok" and health["last_error"] is None
        assert [m.to for m in read_outbox(engine)] == ["+15125550101"]
    finally:
        proc.send_signal(signal.SIGTERM)
        output = proc.communicate(timeout=30)[0].decode()
        engine.dispose()
    assert proc.returncode == 0, output
    assert "+1512" not in output and "@" not in output  # no numbers or addresses in the log


def test_a_bad_setting_stops_the_notifier_with_a_clear_message(tmp_path):
    done = policyline(cli_env(tmp_path, CLAIM_ALERTS_QUIET_START="9pm"), "notifier")
    assert done.returncode == 2
    assert "CLAIM_ALERTS_QUIET_START/END: expected a time of day as HH:MM" in done.stdout
    done = policyline(cli_env(tmp_path, CLAIM_ALERTS_BATCH_SIZE="0"), "notifier")
    assert done.returncode == 2 and "CLAIM_ALERTS_BATCH_SIZE" in done.stdout
