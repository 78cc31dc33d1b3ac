"""Payments against real servers: localstripe (our launcher), the PAS sandbox, the web app.

- ``localstripe`` (session): ``python -m devtools.localstripe_server`` on a free port, exactly
  what ``policyline localstripe`` runs, with ACH debits settling after ``ACH_SETTLE_S``.
- ``pay_stack`` (per test): the web app (``create_app``) served by werkzeug on a free port with a
  fresh app database, a PAS connector on the sandbox, the local SMS outbox, and localstripe's
  webhooks registered to its ``/stripe/webhook``.

``start_localstripe`` and ``serving_pay_stack`` build the same for tests that need a localstripe
of their own (tests/faults stops and restarts one).
"""

from __future__ import annotations

import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy.engine import Engine
from werkzeug.serving import BaseWSGIServer, make_server

from bot.clock import utc_now
from bot.db import make_engine
from bot.notifications.outbox import OutboxMessage, read_outbox
from bot.notifications.sms import create_sms_sender
from bot.payments.factory import PaymentComponents, build_payments
from bot.payments.links import PayLink
from bot.settings import LOCAL_SECRETS, Settings, TwilioSettings
from bot.sync_pas import SyncPas
from bot.web import create_app
from bot.web.root import WebRoot
from devtools.localstripe_server import register_webhook_endpoint
from pas_connector.factory import build_connector
from tests.support.app_database import upgrade
from tests.support.personas import MARIA
from tests.support.servers import (
    PROJECT_ROOT,
    SandboxHandle,
    artifact_log_dir,
    free_port,
    sandbox_env,
    wait_for_port,
)

WEBHOOK_SECRET = "whsec_policyline_tests"
ACH_SETTLE_S = 3.0  # longer than localstripe's 1 s webhook delay, so "processing" is seen
MARIA_POLICY = MARIA.policy_number  # balance due, autopay off
MARIA_PHONE = MARIA.phone
ARTIFACTS = PROJECT_ROOT / "test-artifacts" / "payments"


@dataclass
class Localstripe:
    port: int
    proc: subprocess.Popen[bytes]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def start_localstripe(
    log_path: Path, *, port: int | None = None, state_file: Path | None = None
) -> Localstripe:
    """``python -m devtools.localstripe_server`` on ``port`` (a free one by default), its
    output appended to ``log_path``; with ``state_file`` its objects outlive a restart."""
    port = port or free_port()
    state = ["--state-file", str(state_file)] if state_file is not None else []
    with log_path.open("ab") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "devtools.localstripe_server", "--port", str(port),
             "--webhook-url", "", "--ach-settle-seconds", str(ACH_SETTLE_S), *state],
            cwd=PROJECT_ROOT,
            env=sandbox_env({"STRIPE_WEBHOOK_SECRET": WEBHOOK_SECRET}),
            stdout=out,
            stderr=subprocess.STDOUT,
        )  # fmt: skip
    server = Localstripe(port, proc)
    try:
        wait_for_port(port, proc, 30, "localstripe")
    except Exception:
        server.stop()
        raise
    return server


@pytest.fixture(scope="session")
def localstripe(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Localstripe]:
    log = artifact_log_dir(tmp_path_factory.mktemp("localstripe")) / "localstripe.log"
    server = start_localstripe(log)
    try:
        yield server
    finally:
        server.stop()


@dataclass
class PayStack:
    """The web app with payments, on real servers, for one test."""

    base_url: str
    settings: Settings
    engine: Engine
    components: PaymentComponents
    localstripe: Localstripe
    sandbox: SandboxHandle
    http: httpx.Client

    @property
    def service(self):  # type: ignore[no-untyped-def]
        return self.components.service

    def issue_link(
        self, amount: str | None, purpose: str = "one_time", policy: str = MARIA_POLICY
    ) -> PayLink:
        from bot.payments.links import PaymentLinkService

        links = PaymentLinkService(
            self.engine, secret_key=self.settings.app_secret_key, public_base_url=self.base_url
        )
        return links.issue(
            policy,
            Decimal(amount or "0"),
            "sms-test-conversation",
            "sms",
            purpose,  # type: ignore[arg-type]
        )

    def balance(self, policy: str = MARIA_POLICY) -> Decimal:
        return self.components.service._pas.billing(policy).balance

    def outbox(self, to: str = MARIA_PHONE) -> list[OutboxMessage]:
        return read_outbox(self.engine, to=to)

    def open_page(self, link: PayLink) -> tuple[httpx.Response, str | None]:
        """GET the pay page; the client secret Stripe.js would be given (None if refused)."""
        response = self.http.get(link.url)
        marker = 'data-client-secret="'
        if marker not in response.text:
            return response, None
        return response, response.text.split(marker, 1)[1].split('"', 1)[0]

    def confirm_like_stripe_js(
        self, client_secret: str, payment_method_data: dict[str, Any]
    ) -> httpx.Response:
        """What Stripe.js does in the browser: confirm with the publishable key and the client
        secret, straight to Stripe (here localstripe) — never through our server."""
        kind = "setup_intents" if client_secret.startswith("seti_") else "payment_intents"
        intent_id = client_secret.split("_secret_", 1)[0]
        return httpx.post(
            f"{self.localstripe.url}/v1/{kind}/{intent_id}/confirm",
            json={
                "key": self.settings.stripe.publishable_key,
                "client_secret": client_secret,
                "payment_method_data": payment_method_data,
            },
            timeout=10,
        )

    def state(self, link: PayLink) -> str:
        return self.service.state_of(token_of(link)).state


def token_of(link: PayLink) -> str:
    return link.url.rsplit("/pay/", 1)[1]


def card(number: str) -> dict[str, Any]:
    return {
        "type": "card",
        "card": {"number": number, "exp_month": "12", "exp_year": "2030", "cvc": "123"},
        "billing_details": {"address": {"postal_code": "78704"}},
    }


def bank_account(account_number: str) -> dict[str, Any]:
    return {
        "type": "us_bank_account",
        "us_bank_account": {
            "routing_number": "110000000",
            "account_number": account_number,
            "account_holder_type": "individual",
        },
        "billing_details": {"name": "Maria Alvarez"},
    }


@contextmanager
def serving_pay_stack(
    localstripe: Localstripe, sandbox: SandboxHandle, tmp_path: Path
) -> Iterator[PayStack]:
    """The web app with payments on ``localstripe`` and ``sandbox``, stopped on exit."""
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    environ = {
        "POLICYLINE_ENV": "test",
        "POLICYLINE_VAR_DIR": str(tmp_path / "var"),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'app.sqlite'}",
        "PUBLIC_BASE_URL": base_url,
        "LOCALSTRIPE_PORT": str(localstripe.port),
        "STRIPE_WEBHOOK_SECRET": WEBHOOK_SECRET,
        "PAS_BASE_URL": sandbox.base_url,
        "PAS_REPLICA_URL": sandbox.replica_url,
        "PAS_HMAC_SECRET": sandbox.hmac_secret,
    }
    settings = Settings.from_env(environ)
    engine = make_engine(settings.database_url)
    upgrade(engine)
    connector = build_connector(
        settings.pas, settings.cache, database_url=settings.database_url,
        audit_hash_key=settings.audit_hash_key,
    )  # fmt: skip
    sender = create_sms_sender(
        TwilioSettings(), engine=engine, identifier_key=settings.audit_hash_key
    )
    # One PAS facade for the whole app, as in production (bot.web.root); closing it closes the
    # connector.
    pas = SyncPas(lambda: connector)
    components = build_payments(settings, engine=engine, pas=pas, sms_sender=sender)
    app = create_app(
        settings,
        test_config={"PAYMENT_COMPONENTS": components, "TESTING": True},
        root=WebRoot(settings, engine, utc_now, pas),
    )
    server: BaseWSGIServer = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    register_webhook_endpoint(localstripe.url, f"{base_url}/stripe/webhook", WEBHOOK_SECRET)
    http = httpx.Client(timeout=15)
    try:
        yield PayStack(base_url, settings, engine, components, localstripe, sandbox, http)
    finally:
        http.close()
        server.shutdown()
        thread.join(timeout=5)
        components.close()
        engine.dispose()


@pytest.fixture
def pay_stack(
    localstripe: Localstripe, sandbox: SandboxHandle, tmp_path: Path
) -> Iterator[PayStack]:
    with serving_pay_stack(localstripe, sandbox, tmp_path) as stack:
        yield stack


assert LOCAL_SECRETS["STRIPE_WEBHOOK_SECRET"] != WEBHOOK_SECRET  # tests prove the setting is used
