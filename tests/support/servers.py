"""Start and stop the real servers that tests talk to (Redis, PostgreSQL, the PAS sandbox)."""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import httpx

from bot.settings import LOCAL_SECRETS

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for_port(
    port: int, proc: subprocess.Popen[bytes] | None, timeout: float, what: str
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"{what} exited with code {proc.returncode} before listening")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"{what} did not listen on port {port} within {timeout:.0f}s")


def artifact_log_dir(workdir: Path) -> Path:
    """A folder under test-artifacts/logs/ for one server set's logs (kept after the run).

    Named after ``workdir`` plus the process id, so parallel sessions never share one.
    """
    path = PROJECT_ROOT / "test-artifacts" / "logs" / f"{workdir.name}-{os.getpid()}"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _require_binary(name: str, candidates: list[str]) -> str:
    for pattern in candidates:
        for path in sorted(glob.glob(pattern), reverse=True):
            if os.access(path, os.X_OK):
                return path
    found = shutil.which(name)
    if found:
        return found
    raise RuntimeError(
        f"{name} is not installed: run `make test` (it installs the system packages) "
        "or scripts/ensure-system-packages.sh"
    )


def _stop(proc: subprocess.Popen[bytes], timeout: float = 10) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=timeout)


@dataclass
class RedisServer:
    port: int
    proc: subprocess.Popen[bytes]

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    @classmethod
    def start(cls, workdir: Path) -> RedisServer:
        binary = _require_binary("redis-server", ["/usr/bin/redis-server"])
        port = free_port()
        proc = subprocess.Popen(
            [
                binary,
                "--port",
                str(port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(workdir),
                "--loglevel",
                "warning",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for_port(port, proc, 15, "redis-server")
        return cls(port=port, proc=proc)

    def stop(self) -> None:
        _stop(self.proc)


@dataclass
class PostgresServer:
    port: int
    datadir: Path
    pg_ctl: str
    run_as: list[str]
    database: str = "policyline_test"

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{self.database}"

    @classmethod
    def start(cls, workdir: Path) -> PostgresServer:
        initdb = _require_binary("initdb", ["/usr/lib/postgresql/*/bin/initdb"])
        pg_ctl = str(Path(initdb).with_name("pg_ctl"))
        # PostgreSQL refuses to run as root: run it as the `postgres` system user when we are root,
        # in a private folder of its own (pytest's temp root is 0700 and shared between sessions).
        run_as: list[str] = []
        if os.geteuid() == 0:
            run_as = ["runuser", "-u", "postgres", "--"]
            workdir = Path(tempfile.mkdtemp(prefix="policyline-pg-"))
            pw = pwd.getpwnam("postgres")
            os.chown(workdir, pw.pw_uid, pw.pw_gid)
        datadir = workdir / "data"
        sockdir = workdir / "sock"
        sockdir.mkdir()
        os.chmod(sockdir, 0o777)
        subprocess.run(
            [
                *run_as,
                initdb,
                "-D",
                str(datadir),
                "-U",
                "postgres",
                "--auth=trust",
                "-E",
                "UTF8",
                "--no-sync",
            ],
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        port = free_port()
        options = (
            f"-p {port} -k {sockdir} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off"
        )
        subprocess.run(
            [
                *run_as,
                pg_ctl,
                "-D",
                str(datadir),
                "-o",
                options,
                "-l",
                str(workdir / "pg.log"),
                "-w",
                "-t",
                "30",
                "start",
            ],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        server = cls(port=port, datadir=datadir, pg_ctl=pg_ctl, run_as=run_as)
        import psycopg2

        conn = psycopg2.connect(host="127.0.0.1", port=port, user="postgres", dbname="postgres")
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute(f"CREATE DATABASE {server.database}")
        conn.close()
        return server

    def stop(self) -> None:
        subprocess.run(
            [*self.run_as, self.pg_ctl, "-D", str(self.datadir), "-m", "fast", "-w", "stop"],
            check=False,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )


@dataclass
class SandboxHandle:
    """A running PAS sandbox subprocess and the secrets a client needs to call it."""

    port: int
    proc: subprocess.Popen[bytes]
    replica_url: str
    log_path: Path
    key_id: str = "policyline"
    hmac_secret: str = LOCAL_SECRETS["PAS_HMAC_SECRET"]
    admin_token: str = LOCAL_SECRETS["PAS_SANDBOX_ADMIN_TOKEN"]
    as_of: str = field(default_factory=lambda: datetime.now(timezone.utc).date().isoformat())

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _admin(self, method: str, path: str, payload: dict[str, Any] | None = None) -> Any:
        response = httpx.request(
            method,
            f"{self.base_url}/_sandbox{path}",
            json=payload,
            headers={"X-Sandbox-Admin": self.admin_token},
            timeout=30,
        )
        response.raise_for_status()
        return response.json() if response.content else None

    def set_faults(self, **faults: Any) -> Any:
        """Change fault injection at run time, e.g. ``set_faults(outage=True)``."""
        return self._admin("PUT", "/faults", faults)

    def reset(self) -> None:
        """Reseed to the start state and clear every fault."""
        self._admin("POST", "/reset")

    def advance_claim(self, claim_number: str) -> Any:
        return self._admin("POST", f"/claims/{claim_number}/advance")

    def reassign_claim(self, claim_number: str) -> Any:
        return self._admin("POST", f"/claims/{claim_number}/reassign")

    def stats(self) -> Any:
        return self._admin("GET", "/stats")

    def stop(self) -> None:
        _stop(self.proc)


def sandbox_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PAS_", "REDIS_", "DATABASE_"))}
    env.update({"POLICYLINE_ENV": "test", "PYTHONUNBUFFERED": "1"})
    env.update(extra or {})
    return env


def start_sandbox(
    workdir: Path,
    *,
    policyholders: int = 60,
    extra_args: list[str] | None = None,
) -> SandboxHandle:
    port = free_port()
    replica_url = f"sqlite:///{workdir / 'replica.sqlite'}"
    log_path = artifact_log_dir(workdir) / "sandbox.log"
    as_of = datetime.now(timezone.utc).date().isoformat()
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "devtools.sandbox",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--policyholders",
                str(policyholders),
                "--as-of",
                as_of,
                "--replica-url",
                replica_url,
                # The launcher's default is the carrier API's latency; tests set theirs at run
                # time (``set_faults``) and otherwise need answers at once.
                "--latency",
                "none",
                *(extra_args or []),
            ],
            cwd=PROJECT_ROOT,
            env=sandbox_env(),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_for_port(port, proc, 60, "PAS sandbox")
    except RuntimeError as exc:
        raise RuntimeError(f"{exc}\n--- sandbox log ---\n{log_path.read_text()}") from exc
    return SandboxHandle(
        port=port, proc=proc, replica_url=replica_url, log_path=log_path, as_of=as_of
    )
