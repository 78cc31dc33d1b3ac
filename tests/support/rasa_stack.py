"""A real Rasa server and action server, wired to a running PAS sandbox, for end-to-end tests.

The trained model is the one ``make test`` trains (models/policyline.tar.gz). Each stack gets its
own temp var/ folder: application database, tracker store and logs, so tests never touch a
developer's running stack.
"""

from __future__ import annotations

import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from bot.settings import Settings
from devtools.cli import process_env, rasa_server_command
from tests.support.app_database import upgrade
from tests.support.servers import (
    PROJECT_ROOT,
    SandboxHandle,
    _stop,
    artifact_log_dir,
    free_port,
    sandbox_env,
    wait_for_port,
)

MODEL = PROJECT_ROOT / "models" / "policyline.tar.gz"
RASA = str(Path(sys.executable).with_name("rasa"))


@dataclass
class RasaStack:
    rasa_port: int
    actions_port: int
    workdir: Path
    env: dict[str, str]
    procs: list[subprocess.Popen[bytes]]
    # Server logs live under test-artifacts/logs/ so they outlive the run (and get PII-scanned).
    log_dir: Path = Path()
    endpoints: Path = PROJECT_ROOT / "endpoints.yml"

    @property
    def rest_url(self) -> str:
        return f"http://127.0.0.1:{self.rasa_port}/webhooks/rest/webhook"

    def say(self, sender: str, text: str, **metadata: Any) -> list[dict[str, Any]]:
        """Send one user message through the REST channel; returns the bot's messages."""
        metadata.setdefault("channel", "rest")
        response = httpx.post(
            self.rest_url,
            json={"sender": sender, "message": text, "metadata": metadata},
            timeout=60,
        )
        response.raise_for_status()
        return list(response.json())

    def logs(self) -> str:
        parts = []
        for name in ("actions.log", "rasa.log"):
            path = self.log_dir / name
            if path.exists():
                parts.append(f"--- {name} ---\n{path.read_text(errors='replace')[-6000:]}")
        return "\n".join(parts)

    def stop(self) -> None:
        for proc in reversed(self.procs):
            _stop(proc, timeout=20)


def stack_env(sandbox: SandboxHandle, workdir: Path, actions_port: int) -> dict[str, str]:
    var = workdir / "var"
    var.mkdir(parents=True, exist_ok=True)
    env = sandbox_env(
        {
            "POLICYLINE_VAR_DIR": str(var),
            "DATABASE_URL": f"sqlite:///{var / 'policyline.sqlite'}",
            "PAS_BASE_URL": sandbox.base_url,
            "PAS_REPLICA_URL": sandbox.replica_url,
            "PAS_HMAC_SECRET": sandbox.hmac_secret,
            "PAS_KEY_ID": sandbox.key_id,
            "ACTIONS_PORT": str(actions_port),
            "TRACKER_DB": str(var / "rasa_tracker.sqlite"),
            "PUBLIC_BASE_URL": "http://127.0.0.1:8000",
            # web chat tests serve the widget from a web app on a free port
            "WEB_CHAT_ALLOWED_ORIGINS": "http://127.0.0.1:*",
            # One stack serves a whole session, and many tests verify the same fixture personas
            # with a texted code (voice, SMS, socket.io, browser): the send budget would refuse
            # the fourth code to Maria. The budget itself is proven in tests/conversation/
            # test_send_budget.py and tests/web_chat/test_code_send_budget.py.
            "CODE_SENDS_PER_HOLDER": "1000",
            "CODE_SENDS_PER_DESTINATION": "1000",
            "CODE_SENDS_PER_SOURCE": "1000",
        }
    )
    # What `policyline run` does first: the application tables (`policyline db upgrade`).
    upgrade(env["DATABASE_URL"])
    # What `policyline run` adds for the servers: the action server's interface and the shared
    # secret endpoints.yml sends (one place: devtools.cli.process_env).
    return env | process_env(Settings.from_env(env))


def actions_argv(port: int) -> list[str]:
    return [RASA, "run", "actions", "--actions", "actions", "--port", str(port)]


def rasa_argv(port: int, endpoints: Path) -> list[str]:
    return [
        *rasa_server_command(),
        "run",
        "--model",
        str(MODEL),
        "--port",
        str(port),
        "--interface",
        "127.0.0.1",
        "--credentials",
        str(PROJECT_ROOT / "credentials.yml"),
        "--endpoints",
        str(endpoints),
    ]


def spawn_logged(argv: list[str], env: dict[str, str], log_path: Path) -> subprocess.Popen[bytes]:
    """Start one server, appending its output to ``log_path`` (restarts keep the earlier log)."""
    with open(log_path, "ab") as log:
        return subprocess.Popen(
            argv, cwd=PROJECT_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
        )


def start_rasa_stack(
    sandbox: SandboxHandle,
    workdir: Path,
    *,
    extra_env: dict[str, str] | None = None,
    endpoints: Path | None = None,
) -> RasaStack:
    """An action server and a Rasa server; ``extra_env`` / ``endpoints`` adjust both."""
    if not MODEL.exists():
        raise RuntimeError("no trained model at models/policyline.tar.gz: run `make test`")
    actions_port, rasa_port = free_port(), free_port()
    env = stack_env(sandbox, workdir, actions_port) | (extra_env or {})
    procs: list[subprocess.Popen[bytes]] = []
    stack = RasaStack(
        rasa_port,
        actions_port,
        workdir,
        env,
        procs,
        log_dir=artifact_log_dir(workdir),
        endpoints=endpoints or PROJECT_ROOT / "endpoints.yml",
    )
    try:
        procs.append(spawn_logged(actions_argv(actions_port), env, stack.log_dir / "actions.log"))
        procs.append(
            spawn_logged(rasa_argv(rasa_port, stack.endpoints), env, stack.log_dir / "rasa.log")
        )
        wait_for_port(actions_port, procs[0], 120, "action server")
        wait_for_port(rasa_port, procs[1], 300, "Rasa server")
        _wait_until_model_loaded(stack)
    except Exception as exc:
        stack.stop()
        raise RuntimeError(f"{exc}\n{stack.logs()}") from exc
    return stack


def _wait_until_model_loaded(stack: RasaStack, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            reply = httpx.get(f"http://127.0.0.1:{stack.rasa_port}/webhooks/rest/", timeout=5)
            if reply.status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise RuntimeError("Rasa server never became ready")
