"""``policyline localstripe``: the local Stripe stand-in (localstripe 1.15.10) with what we need.

localstripe speaks enough of the Stripe API for our payment service, with gaps that matter to us.
This launcher fills them before it starts localstripe's own aiohttp app, so the payment service
and the pay page run the same code against localstripe and against Stripe:

- ``us_bank_account`` payment methods (localstripe knows ``card`` and ``sepa_debit`` only): an
  ACH debit is ``processing`` first and settles ``ACH_SETTLE_S`` later, succeeding or failing by
  Stripe's test account numbers (``000123456789`` succeeds; ``000111111113``, ``000111111116``,
  ``000222222227``, ``000333333335`` fail), with a mandate on the SetupIntent;
- the ``payment_intent.processing`` and ``setup_intent.succeeded`` webhooks, and a confirmed
  SetupIntent's payment method attached to its customer, as Stripe does;
- ``POST /v1/payment_intents/<id>/confirm`` with ``payment_method`` (server side, used for IVR
  ``<Pay>`` tokens) or, from the browser, with the publishable key, the client secret and
  ``payment_method_data`` (what Stripe.js's ``confirmPayment`` does);
- Stripe.js's ``confirmPayment`` / ``confirmSetup`` (Payment Element API) in the Stripe.js
  stand-in served at ``/js.stripe.com/v3/``, over localstripe's card inputs;
- state in memory (or ``--state-file``) instead of the shared ``/tmp/localstripe.pickle``;
- our webhook endpoint registered at start (``--webhook-url``; the secret is
  ``STRIPE_WEBHOOK_SECRET``), or later through localstripe's ``/_config/webhooks/<id>``;
- ``GET /_config/health`` for the supervisor, and a graceful stop (``bot.lifecycle``).

Local use only: nothing here runs when real Stripe keys are configured.
"""

from __future__ import annotations

import argparse
import asyncio
import pickle
import re
import socket
import sys
from pathlib import Path
from typing import Any

import httpx

from bot.lifecycle import SHUTDOWN_GRACE_S

ACH_SETTLE_S = 1.0
ACH_FAILING_ACCOUNTS = {
    "000111111113": ("account_closed", "The customer's bank account has been closed."),
    "000111111116": ("no_account", "The customer's bank account could not be located."),
    "000222222227": ("insufficient_funds", "The customer's account has insufficient funds."),
    "000333333335": ("debit_not_authorized", "The customer has notified their bank that this "
                     "payment was unauthorized."),
}  # fmt: skip
WEBHOOK_ID = "policyline"
HEALTH_PATH = "/_config/health"

_CONFIRM_PATH = re.compile(r"^/v1/(payment_intents|setup_intents)/(\w+)/confirm$")
_state_file: Path | None = None
_ach_settle_s = ACH_SETTLE_S
_pending: set[asyncio.Future[None]] = set()

# Appended to localstripe's Stripe.js stand-in: the Payment Element confirm calls.
_JS_SHIM = r"""
;(function () {
  const LocalStripe = Stripe;
  async function post(url, payload) {
    const response = await fetch(url, {method: 'POST', body: JSON.stringify(payload)});
    const body = await response.json().catch(() => ({}));
    if (response.status !== 200 || body.error) {
      return {error: body.error || {message: 'Request failed'}};
    }
    return {body};
  }
  function cardData(elements) {
    const element = elements.getElement('payment');
    const value = (element && element.value) || {card: {}, postal_code: ''};
    return {
      type: 'card',
      card: value.card,
      billing_details: {address: {postal_code: value.postal_code}},
    };
  }
  Stripe = (apiKey) => {
    const stripe = LocalStripe(apiKey);
    const makeElements = stripe.elements;
    stripe.elements = (options) => {
      const elements = makeElements(options);
      elements._clientSecret = (options || {}).clientSecret;
      return elements;
    };
    stripe.confirmPayment = async ({elements, clientSecret}) => {
      const secret = clientSecret || elements._clientSecret;
      const pi = secret.match(/^(pi_\w+)_secret_/)[1];
      const result = await post(`${LOCALSTRIPE_BASE_API}/v1/payment_intents/${pi}/confirm`, {
        key: apiKey, client_secret: secret, payment_method_data: cardData(elements),
      });
      return result.error ? {error: result.error} : {paymentIntent: result.body};
    };
    stripe.confirmSetup = async ({elements, clientSecret}) => {
      const secret = clientSecret || elements._clientSecret;
      const seti = secret.match(/^(seti_\w+)_secret_/)[1];
      const result = await post(`${LOCALSTRIPE_BASE_API}/v1/setup_intents/${seti}/confirm`, {
        key: apiKey, client_secret: secret, payment_method_data: cardData(elements),
      });
      return result.error ? {error: result.error} : {setupIntent: result.body};
    };
    return stripe;
  };
})();
"""


def _patch_store(resources: Any) -> None:
    def try_load_from_disk(self: dict[str, Any]) -> None:
        if _state_file is not None and _state_file.exists():
            # Our own file under var/, written by this process type only.
            with _state_file.open("rb") as f:
                old = pickle.load(f)  # noqa: S301
            self.clear()
            self.update(old)

    def dump_to_disk(self: dict[str, Any]) -> None:
        if _state_file is not None:
            with _state_file.open("wb") as f:
                pickle.dump(dict(self), f, protocol=pickle.HIGHEST_PROTOCOL)

    resources.Store.try_load_from_disk = try_load_from_disk
    resources.Store.dump_to_disk = dump_to_disk


def _patch_bank_accounts(resources: Any) -> None:
    """``us_bank_account`` payment methods, debited asynchronously."""
    PaymentMethod = resources.PaymentMethod
    Charge = resources.Charge
    UserError = resources.UserError
    original_init = PaymentMethod.__init__

    def init(self: Any, type: Any = None, us_bank_account: Any = None, **kwargs: Any) -> None:
        if type != "us_bank_account":
            original_init(self, type=type, **kwargs)
            return
        account = us_bank_account if isinstance(us_bank_account, dict) else {}
        number = str(account.get("account_number", ""))
        routing = str(account.get("routing_number", ""))
        if not (re.fullmatch(r"\d{4,17}", number) and re.fullmatch(r"\d{9}", routing)):
            raise UserError(400, "Invalid bank account", {"code": "invalid_bank_account"})
        resources.StripeObject.__init__(self)
        self.type = "us_bank_account"
        self.billing_details = kwargs.get("billing_details") or {}
        self._account_number = number
        self.us_bank_account = {
            "account_holder_type": account.get("account_holder_type", "individual"),
            "account_type": account.get("account_type", "checking"),
            "bank_name": "STRIPE TEST BANK",
            "last4": number[-4:],
            "routing_number": routing,
            "fingerprint": resources.fingerprint(routing + number),
        }
        self.customer = None
        self.metadata = kwargs.get("metadata") or {}

    original_declined = PaymentMethod._charging_is_declined

    def charging_is_declined(self: Any) -> bool:
        if self.type == "us_bank_account":
            return self._account_number in ACH_FAILING_ACCOUNTS
        return bool(original_declined(self))

    original_is_async = Charge._is_async_payment_method

    def is_async(self: Any) -> bool:
        pm = PaymentMethod._api_retrieve(self.payment_method)
        return pm.type == "us_bank_account" or bool(original_is_async(self))

    original_initialize = Charge._initialize_charge

    def initialize_charge(
        self: Any, on_success: Any = None, on_failure_now: Any = None, on_failure_later: Any = None
    ) -> None:
        pm = PaymentMethod._api_retrieve(self.payment_method)
        if pm.type != "us_bank_account":
            original_initialize(self, on_success, on_failure_now, on_failure_later)
            return
        # Pending (the intent is "processing") until the debit settles or is returned.
        failure = ACH_FAILING_ACCOUNTS.get(pm._account_number)

        async def settle() -> None:
            await asyncio.sleep(_ach_settle_s)
            if failure is None:
                txn = resources.BalanceTransaction(
                    amount=self.amount, currency=self.currency, description=self.description,
                    exchange_rate=1.0, reporting_category="charge", source=self.id,
                    type="charge",
                )  # fmt: skip
                self.balance_transaction = txn.id
                self.status = "succeeded"
                if on_success:
                    on_success()
            else:
                self.status = "failed"
                self.failure_code, self.failure_message = failure
                if on_failure_later:
                    on_failure_later()

        _pending.add(task := asyncio.ensure_future(settle()))
        task.add_done_callback(_pending.discard)

    PaymentMethod.__init__ = init
    PaymentMethod._charging_is_declined = charging_is_declined
    Charge._is_async_payment_method = is_async
    Charge._initialize_charge = initialize_charge


def _patch_intents(resources: Any) -> None:
    PaymentIntent = resources.PaymentIntent
    SetupIntent = resources.SetupIntent
    Event = resources.Event
    schedule_webhook = resources.schedule_webhook

    original_create_charge = PaymentIntent._create_charge

    def create_charge(self: Any, on_failure_now: Any) -> None:
        original_create_charge(self, on_failure_now)
        if self.status == "processing":
            schedule_webhook(Event("payment_intent.processing", self))

    original_pi_init = PaymentIntent.__init__

    def pi_init(self: Any, mandate: Any = None, **kwargs: Any) -> None:
        original_pi_init(self, **kwargs)
        self.mandate = mandate

    original_seti_init = SetupIntent.__init__

    def seti_init(self: Any, payment_method_types: Any = None, **kwargs: Any) -> None:
        types = list(payment_method_types or ["card"])
        original_seti_init(
            self, payment_method_types=[t for t in types if t != "us_bank_account"] or ["card"],
            **kwargs,
        )  # fmt: skip
        self.payment_method_types = types
        self.mandate = None

    original_attach = SetupIntent._attach_pm

    def attach_pm(self: Any, pm: Any) -> None:
        original_attach(self, pm)
        if self.status != "succeeded":
            return
        if self.customer:
            pm.customer = self.customer
        if pm.type == "us_bank_account":
            self.mandate = "mandate_" + resources.random_id(14)
        schedule_webhook(Event("setup_intent.succeeded", self))

    PaymentIntent._create_charge = create_charge
    PaymentIntent.__init__ = pi_init
    SetupIntent.__init__ = seti_init
    SetupIntent._attach_pm = attach_pm


def _confirm_middleware(server: Any, resources: Any) -> Any:
    """Intent confirmation as Stripe does it (localstripe's confirm routes are bound at import).

    With the secret key (server side): ``payment_method`` may be given, e.g. an IVR ``<Pay>``
    token. With the publishable key and the client secret (Stripe.js in the browser):
    ``payment_method_data`` creates the payment method. ``mandate`` / ``mandate_data`` are
    accepted and ignored (the local mandate is implied by the set-up).
    """
    from aiohttp import web

    UserError = resources.UserError

    @web.middleware
    async def middleware(request: Any, handler: Any) -> Any:
        match = _CONFIRM_PATH.match(request.path)
        if request.method != "POST" or match is None:
            return await handler(request)
        data = await server.get_post_data(request, remove_auth=False) or {}
        kind, intent_id = match.groups()
        cls = resources.PaymentIntent if kind == "payment_intents" else resources.SetupIntent
        key = data.get("key")
        browser = isinstance(key, str) and key.startswith("pk_")
        if not browser and server.get_api_key(request) is None:
            raise UserError(401, "Unauthorized")
        obj = cls._api_retrieve(intent_id)
        if browser and data.get("client_secret") != obj.client_secret:
            raise UserError(401, "Unauthorized")
        payment_method = data.get("payment_method")
        payment_method_data = data.get("payment_method_data")
        if payment_method_data is not None and not isinstance(payment_method_data, dict):
            raise UserError(400, "Bad request")
        if kind == "setup_intents":
            obj = cls._api_confirm(
                intent_id, payment_method=payment_method, payment_method_data=payment_method_data
            )
            return server.json_response(obj._export())
        if obj.status not in ("requires_payment_method", "requires_confirmation"):
            raise UserError(400, f"This PaymentIntent's status is {obj.status}.",
                            {"code": "payment_intent_unexpected_state"})  # fmt: skip
        if payment_method_data is not None:
            payment_method = resources.PaymentMethod(**payment_method_data).id
        if obj.latest_charge is not None and obj.latest_charge.status == "failed":
            obj.latest_charge = None  # a new attempt after a decline, as Stripe allows
        if payment_method is not None:
            resources.PaymentMethod._api_retrieve(payment_method)  # 404 when unknown
            obj.payment_method = payment_method
        if obj.status != "requires_confirmation":
            raise UserError(400, "A payment method is required.",
                            {"code": "payment_intent_unexpected_state"})  # fmt: skip
        obj._confirm(on_failure_now=obj._report_failure)
        server.store.dump_to_disk()
        return server.json_response(obj._export())

    return middleware


def _serve_js(server: Any) -> None:
    from aiohttp import web

    original = Path(server.__file__).with_name("localstripe-v3.js").read_text()

    async def stripe_js(_: Any) -> Any:
        return web.Response(text=original + _JS_SHIM, content_type="application/javascript")

    for resource in server.app.router.resources():
        if resource.canonical == "/js.stripe.com/v3/":
            for route in resource:
                route._handler = stripe_js


def _add_lifecycle(server: Any) -> None:
    """``GET /_config/health`` (no key, like localstripe's other ``/_config/`` routes), and on
    shutdown: bank debits still settling finish (bounded), then the state file is written."""
    from aiohttp import web

    async def health(_: Any) -> Any:
        return web.json_response({"status": "ok"})

    async def settle_pending(_: Any) -> None:
        if _pending:
            await asyncio.wait(list(_pending), timeout=SHUTDOWN_GRACE_S)

    async def save_state(_: Any) -> None:
        server.store.dump_to_disk()

    server.app.router.add_get(HEALTH_PATH, health)
    server.app.on_shutdown.append(settle_pending)
    server.app.on_cleanup.append(save_state)


def build_app(*, webhook_url: str | None, webhook_secret: str) -> Any:
    """localstripe's aiohttp app with the additions above (imported and patched once)."""
    from localstripe import resources, server

    _patch_store(resources)
    _patch_bank_accounts(resources)
    _patch_intents(resources)
    server.app.middlewares.insert(1, _confirm_middleware(server, resources))
    _serve_js(server)
    _add_lifecycle(server)
    if webhook_url:
        server.register_webhook(WEBHOOK_ID, webhook_url, webhook_secret, None)
    return server.app


def register_webhook_endpoint(api_base: str, url: str, secret: str, timeout_s: float = 5) -> None:
    """Point a running localstripe's webhooks at ``url`` (signed with ``secret``)."""
    response = httpx.post(
        f"{api_base.rstrip('/')}/_config/webhooks/{WEBHOOK_ID}",
        data={"url": url, "secret": secret},
        timeout=timeout_s,
    )
    response.raise_for_status()


def main(argv: list[str] | None = None) -> int:
    from bot.settings import Settings

    global _state_file, _ach_settle_s
    settings = Settings.from_env()
    parser = argparse.ArgumentParser(
        prog="policyline localstripe", description="the local Stripe stand-in"
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=settings.localstripe_port)
    parser.add_argument(
        "--webhook-url",
        default=f"{settings.public_base_url}/stripe/webhook",
        help="where events go (empty: none until /_config/webhooks/<id> is called)",
    )
    parser.add_argument("--state-file", type=Path, default=None, help="keep objects across runs")
    parser.add_argument("--ach-settle-seconds", type=float, default=ACH_SETTLE_S)
    args = parser.parse_args(argv)
    if settings.stripe.api_base is None:
        print("real Stripe keys are configured: localstripe is not used", file=sys.stderr)
        return 2
    _state_file = args.state_file
    _ach_settle_s = args.ach_settle_seconds
    from aiohttp import web
    from localstripe import server

    secret = settings.stripe.webhook_secret
    app = build_app(webhook_url=args.webhook_url or None, webhook_secret=secret)
    server.store.try_load_from_disk()
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((args.host, args.port))
    # SIGTERM/SIGINT: stop listening, finish requests in flight within the grace period.
    web.run_app(app, sock=sock, print=None, access_log=None, shutdown_timeout=SHUTDOWN_GRACE_S)
    return 0


if __name__ == "__main__":
    sys.exit(main())
