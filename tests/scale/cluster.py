"""Two Rasa servers and two action servers behind nginx, sharing PostgreSQL and Redis.

The production shape (docs/deployment.md) on one machine:

- Rasa servers A and B: PostgreSQL ``SQLTrackerStore`` (database ``rasa_scale``) and
  ``RedisLockStore``, both configured in an endpoints file generated here;
- action servers 1 and 2, reached by the Rasa servers through nginx (round robin);
- the application database (outbox, document links, PAS audit) in PostgreSQL too, and the PAS
  cache and the channels' de-duplication store in Redis: nothing in-process is needed for
  correctness;
- nginx (config generated into the cluster's folder) balancing Rasa round robin, so the turns
  of one conversation alternate between servers; its access log names the upstream of each
  request.
"""

from __future__ import annotations

import getpass
import os
import shutil
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import psycopg2

from bench.population import SANDBOX_SEED
from tests.support.app_database import upgrade
from tests.support.rasa_stack import actions_argv, rasa_argv, spawn_logged, stack_env
from tests.support.servers import (
    SandboxHandle,
    _stop,
    artifact_log_dir,
    free_port,
    start_sandbox,
    wait_for_port,
)

TRACKER_DB = "rasa_scale"
APP_DB = "policyline_scale"

ENDPOINTS = """\
action_endpoint:
  url: "http://127.0.0.1:{actions_lb}/webhook"
  headers:
    Authorization: Bearer ${{ACTION_SERVER_SECRET}}
tracker_store:
  type: channels.redacting_tracker_store.RedactingSQLTrackerStore
  dialect: "postgresql"
  url: "127.0.0.1"
  port: {pg_port}
  db: "{tracker_db}"
  username: "postgres"
lock_store:
  type: redis
  url: "127.0.0.1"
  port: {redis_port}
  db: 0
  key_prefix: "scale"
"""

NGINX = """\
{user}
worker_processes 1;
daemon off;
pid {dir}/nginx.pid;
error_log {dir}/error.log warn;
events {{ worker_connections 1024; }}
http {{
  log_format upstream '$request_method $uri $status upstream=$upstream_addr';
  access_log {dir}/access.log upstream;
  # Bodies and answers stay in memory: the workers cannot reach the test's private temp folder.
  client_body_buffer_size 8m;
  proxy_max_temp_file_size 0;
  client_body_temp_path {dir}/body;
  proxy_temp_path {dir}/proxy;
  fastcgi_temp_path {dir}/fastcgi;
  uwsgi_temp_path {dir}/uwsgi;
  scgi_temp_path {dir}/scgi;
  upstream rasa {{ server 127.0.0.1:{rasa_a}; server 127.0.0.1:{rasa_b}; }}
  upstream actions {{ server 127.0.0.1:{actions_1}; server 127.0.0.1:{actions_2}; }}
  server {{
    listen 127.0.0.1:{rasa_lb};
    # As deploy/nginx/policyline.conf: a text that a stopping server answers 503 (before it
    # claims the MessageSid), or that cannot connect, goes to the other server.
    location /webhooks/twilio_sms/ {{
      proxy_pass http://rasa;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $http_host;
      proxy_read_timeout 120s;
      proxy_next_upstream error timeout http_503 non_idempotent;
    }}
    location / {{
      proxy_pass http://rasa;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $http_host;
      proxy_read_timeout 120s;
    }}
  }}
  server {{
    listen 127.0.0.1:{actions_lb};
    location / {{
      proxy_pass http://actions;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_read_timeout 120s;
    }}
  }}
}}
"""


def _create_database(postgres_url: str, name: str) -> str:
    parts = urlsplit(postgres_url)
    conn = psycopg2.connect(
        host=parts.hostname, port=parts.port, user="postgres", dbname="postgres"
    )
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,))
        if cur.fetchone() is None:
            cur.execute(f"CREATE DATABASE {name}")
    conn.close()
    return f"postgresql://postgres@{parts.hostname}:{parts.port}/{name}"


def _create_app_tables(app_db_url: str) -> None:
    """The application tables, once, before any server starts (``policyline db upgrade``)."""
    upgrade(app_db_url)


def _create_tracker_tables(tracker_url: str) -> None:
    """Create Rasa's tables once, so two servers starting together never race to create them."""
    from rasa.core.tracker_store import SQLTrackerStore

    parts = urlsplit(tracker_url)
    store = SQLTrackerStore(
        dialect="postgresql",
        host=parts.hostname,
        port=parts.port,
        db=parts.path.lstrip("/"),
        username="postgres",
    )
    store.engine.dispose()


@dataclass
class Cluster:
    workdir: Path
    sandbox: SandboxHandle
    env: dict[str, str]
    tracker_url: str
    app_db_url: str
    ports: dict[str, int]
    log_dir: Path
    procs: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    def url(self, server: str) -> str:
        """``rasa_a``, ``rasa_b`` (direct) or ``rasa_lb`` (through nginx)."""
        return f"http://127.0.0.1:{self.ports[server]}"

    def upstream_counts(self) -> dict[str, int]:
        """Requests nginx sent to each Rasa server (from its access log)."""
        counts = {"rasa_a": 0, "rasa_b": 0}
        log = (self.workdir / "nginx" / "access.log").read_text()
        for name in counts:
            counts[name] = log.count(f"upstream=127.0.0.1:{self.ports[name]}")
        return counts

    def kill(self, server: str) -> None:
        """SIGKILL one server (``rasa_a``, ``rasa_b``, ...): no graceful shutdown at all."""
        proc = self.procs[server]
        proc.kill()
        proc.wait(timeout=30)

    def terminate(self, server: str, timeout_s: float = 45) -> int:
        """SIGTERM one server, as systemd stops a unit, and wait for the process to exit.

        Every server finishes in flight within 10 s of SIGTERM (docs/deployment.md); the timeout
        only keeps a hung server from hanging the test. Returns the exit code."""
        proc = self.procs[server]
        proc.terminate()
        return proc.wait(timeout=timeout_s)

    def start_again(
        self, server: str, extra_env: dict[str, str] | None = None, timeout_s: float = 400
    ) -> None:
        """Start a stopped server again on its port and wait until its health URL answers
        (``extra_env``: settings for this start only, e.g. ``SANIC_WORKERS``)."""
        env = self.env | (extra_env or {})
        if server.startswith("actions"):
            self.procs[server] = spawn_logged(
                actions_argv(self.ports[server]), env, self.log_dir / f"{server}.log"
            )
            _wait_healthy(f"{self.url(server)}/health", self.procs[server], server, 120)
            return
        self.procs[server] = spawn_logged(
            rasa_argv(self.ports[server], self.workdir / "endpoints.yml"),
            env,
            self.log_dir / f"{server}.log",
        )
        _wait_ready(self.url(server), self.procs[server], server, timeout_s)

    def stop(self) -> None:
        for proc in reversed(list(self.procs.values())):
            _stop(proc, timeout=20)
        self.sandbox.stop()
        for name in ("access.log", "error.log"):
            path = self.workdir / "nginx" / name
            if path.exists():
                shutil.copy(path, self.log_dir / f"nginx-{name}")

    @classmethod
    def start(cls, workdir: Path, postgres_url: str, redis_url: str) -> Cluster:
        tracker_url = _create_database(postgres_url, TRACKER_DB)
        app_db_url = _create_database(postgres_url, APP_DB)
        _create_tracker_tables(tracker_url)
        _create_app_tables(app_db_url)
        sandbox = start_sandbox(
            workdir, policyholders=400, extra_args=["--seed", str(SANDBOX_SEED)]
        )
        names = ("rasa_a", "rasa_b", "actions_1", "actions_2", "rasa_lb", "actions_lb")
        ports = {name: free_port() for name in names}
        redis = urlsplit(redis_url)
        env = stack_env(sandbox, workdir, ports["actions_lb"]) | {
            "DATABASE_URL": app_db_url,
            "REDIS_URL": redis_url,
        }
        log_dir = artifact_log_dir(workdir)
        cluster = cls(workdir, sandbox, env, tracker_url, app_db_url, ports, log_dir)
        endpoints = workdir / "endpoints.yml"
        endpoints.write_text(
            ENDPOINTS.format(
                actions_lb=ports["actions_lb"],
                pg_port=urlsplit(postgres_url).port,
                tracker_db=TRACKER_DB,
                redis_port=redis.port,
            )
        )
        nginx_dir = workdir / "nginx"
        nginx_dir.mkdir()
        # As root, nginx would run its workers as "nobody"; keep them as the current user.
        user = f"user {getpass.getuser()};" if os.geteuid() == 0 else ""
        (nginx_dir / "nginx.conf").write_text(NGINX.format(dir=nginx_dir, user=user, **ports))
        try:
            nginx = shutil.which("nginx") or "/usr/sbin/nginx"
            cluster.procs["nginx"] = subprocess.Popen(
                [nginx, "-c", str(nginx_dir / "nginx.conf"), "-p", str(nginx_dir)],
                stdout=subprocess.DEVNULL,
                stderr=open(log_dir / "nginx.out", "ab"),
            )
            wait_for_port(ports["rasa_lb"], cluster.procs["nginx"], 15, "nginx")
            for name in ("actions_1", "actions_2"):
                cluster.procs[name] = spawn_logged(
                    actions_argv(ports[name]), env, log_dir / f"{name}.log"
                )
            for name in ("rasa_a", "rasa_b"):
                cluster.procs[name] = spawn_logged(
                    rasa_argv(ports[name], endpoints), env, log_dir / f"{name}.log"
                )
            for name in ("actions_1", "actions_2"):
                wait_for_port(ports[name], cluster.procs[name], 180, name)
            for name in ("rasa_a", "rasa_b"):
                _wait_ready(cluster.url(name), cluster.procs[name], name)
        except Exception:
            cluster.stop()
            raise
        return cluster


def _wait_ready(url: str, proc: subprocess.Popen[bytes], what: str, timeout_s: float = 400) -> None:
    """A Rasa server is ready once its model is loaded: the SMS channel's health URL answers
    200 then (503 while loading or stopping), the check a load balancer makes."""
    _wait_healthy(f"{url}/webhooks/twilio_sms/", proc, what, timeout_s)


def _wait_healthy(url: str, proc: subprocess.Popen[bytes], what: str, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{what} exited with code {proc.returncode}")
        try:
            if httpx.get(url, timeout=3).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"{what} was not ready within {timeout_s:.0f}s")
