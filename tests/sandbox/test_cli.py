"""``policyline sandbox`` (``python -m devtools.sandbox``) as a real process: flags, env
defaults, log line, clean stop."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from bot.settings import LOCAL_SECRETS, Settings
from devtools.sandbox import _parser, main
from pas_sandbox.faults import LatencySpec
from pas_sandbox.signing import sign_headers
from tests.support.servers import start_sandbox

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _start(args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with open(log, "wb") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "devtools.sandbox", *args],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )


def _wait_for_line(proc: subprocess.Popen[bytes], log: Path, needle: str) -> str:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        text = log.read_text()
        if needle in text:
            return text
        if proc.poll() is not None:
            raise AssertionError(f"sandbox exited with {proc.returncode}:\n{text}")
        time.sleep(0.1)
    raise AssertionError(f"no {needle!r} in the log:\n{log.read_text()}")


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PAS_")}
    env.update({"POLICYLINE_ENV": "test", "PYTHONUNBUFFERED": "1", **extra})
    return env


def _signed_get(port: int, path: str, secret: str) -> httpx.Response:
    return httpx.get(
        f"http://127.0.0.1:{port}{path}",
        timeout=10,
        headers=sign_headers("policyline", secret, "GET", path),
    )


@pytest.mark.parametrize("stop_signal", [signal.SIGTERM, signal.SIGINT])
def test_the_command_serves_signed_requests_and_stops_cleanly_on_a_signal(
    tmp_path: Path,
    stop_signal: signal.Signals,
) -> None:
    port = _free_port()
    log = tmp_path / "sandbox.log"
    replica = tmp_path / "var" / "replica.sqlite"
    proc = _start(
        [
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--seed",
            "7",
            "--policyholders",
            "60",
            "--as-of",
            "2026-11-25",
            "--replica-url",
            f"sqlite:///{replica}",
            "--latency",
            "fixed:1",
            "--error-rate",
            "0",
            "--timeout-rate",
            "0",
        ],
        _env(),
        log,
    )
    try:
        text = _wait_for_line(proc, log, "PAS sandbox listening")
        assert (
            f"PAS sandbox listening on http://127.0.0.1:{port} (60 policyholders, seed 7)" in text
        )
        secret = LOCAL_SECRETS["PAS_HMAC_SECRET"]
        assert _signed_get(port, "/api/v1/health", secret).json() == {"status": "ok"}
        billing = _signed_get(port, "/api/v1/policies/AUT-1000001/billing", secret).json()
        assert billing["due_date"] == "2026-12-05"  # --as-of + 10 days
        assert httpx.get(f"http://127.0.0.1:{port}/api/v1/health").status_code == 401
        assert replica.exists()
    finally:
        proc.send_signal(stop_signal)
        code = proc.wait(timeout=30)
    assert code == 0
    text = log.read_text()
    assert "PAS sandbox stopping" in text
    # No access log: paths carry full policy numbers, which never go to logs.
    assert "AUT-1000001" not in text


def test_an_outage_flag_and_environment_defaults_are_honoured(tmp_path: Path) -> None:
    port = _free_port()
    log = tmp_path / "sandbox.log"
    env = _env(
        PAS_SANDBOX_PORT=str(port),
        PAS_SANDBOX_POLICYHOLDERS="12",
        PAS_SANDBOX_SEED="99",
        PAS_HMAC_SECRET="env-secret",
        PAS_REPLICA_URL=f"sqlite:///{tmp_path / 'env-replica.sqlite'}",
    )
    proc = _start(["--outage"], env, log)
    try:
        text = _wait_for_line(proc, log, "PAS sandbox listening")
        assert f"http://127.0.0.1:{port} (12 policyholders, seed 99)" in text
        assert _signed_get(port, "/api/v1/health", "env-secret").status_code == 503
        faults = httpx.get(
            f"http://127.0.0.1:{port}/_sandbox/faults",
            headers={"X-Sandbox-Admin": LOCAL_SECRETS["PAS_SANDBOX_ADMIN_TOKEN"]},
        ).json()
        # No --latency and no PAS_SANDBOX_LATENCY: the carrier API's latency is on.
        assert faults["latency"]["distribution"] == "lognormal"
        assert (faults["latency"]["median_ms"], faults["latency"]["sigma"]) == (282.0, 0.438)
        response = httpx.put(
            f"http://127.0.0.1:{port}/_sandbox/faults",
            json={"outage": False},
            headers={"X-Sandbox-Admin": LOCAL_SECRETS["PAS_SANDBOX_ADMIN_TOKEN"]},
        )
        assert response.status_code == 200
        assert _signed_get(port, "/api/v1/health", "env-secret").status_code == 200
        assert _signed_get(port, "/api/v1/health", "local-secret-x").status_code == 401
        assert (tmp_path / "env-replica.sqlite").exists()
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) == 0


@pytest.mark.parametrize(
    "argv",
    [
        ["--policyholders", "4"],
        ["--latency", "lognormal:300"],
        ["--error-rate", "2"],
        ["--as-of", "25/11/2026"],
    ],
)
def test_bad_flags_exit_with_a_usage_error(argv: list[str], capsys: pytest.CaptureFixture) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code == 2
    assert "usage:" in capsys.readouterr().err


def test_the_launcher_imitates_the_carrier_api_latency_unless_told_otherwise() -> None:
    default = _parser(Settings.from_env({"POLICYLINE_ENV": "test"})).parse_args([])
    assert default.latency == LatencySpec("lognormal", median_ms=282.0, sigma=0.438)
    switched_off = _parser(Settings.from_env({"POLICYLINE_ENV": "test"}))
    assert switched_off.parse_args(["--latency", "none"]).latency == LatencySpec()


def test_the_latency_environment_variable_sets_the_default_and_the_flag_wins() -> None:
    settings = Settings.from_env({"POLICYLINE_ENV": "test", "PAS_SANDBOX_LATENCY": "none"})
    assert _parser(settings).parse_args([]).latency == LatencySpec()
    flagged = _parser(settings).parse_args(["--latency", "fixed:40"])
    assert flagged.latency == LatencySpec("fixed", median_ms=40.0)


def test_a_malformed_latency_variable_is_a_usage_error(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    monkeypatch.setenv("PAS_SANDBOX_LATENCY", "lognormal:282")
    with pytest.raises(SystemExit) as exit_info:
        main(["--policyholders", "5"])
    assert exit_info.value.code == 2
    assert "--latency" in capsys.readouterr().err


def test_the_test_fixtures_start_the_sandbox_without_latency(tmp_path: Path) -> None:
    handle = start_sandbox(tmp_path, policyholders=12)
    try:
        faults = httpx.get(
            f"{handle.base_url}/_sandbox/faults",
            headers={"X-Sandbox-Admin": handle.admin_token},
            timeout=10,
        ).json()
    finally:
        handle.stop()
    assert faults["latency"]["distribution"] == "none"
