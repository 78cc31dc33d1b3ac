"""The policyholder home page and document requests (see ``bot.web.account``)."""

from __future__ import annotations

import logging
from collections.abc import Coroutine
from dataclasses import dataclass
from typing import Any, TypeVar

from flask import Blueprint, Flask, Response, abort, current_app, render_template, request

from bot.clock import Clock
from bot.conversation.formatting import DEFAULT_DISPLAY_TZ, as_of, day
from bot.documents import CertificateHolder, DocumentError, DocumentKind, DocumentUnavailable
from bot.payments.links import PaymentLinkService
from bot.phone_numbers import display_phone
from bot.portal.overview import HolderOverview, fresh_billing, load_overview, owned_policy
from bot.portal.payment_request import PAY_CHOICES, payment_amount
from bot.settings import Settings
from bot.sync_pas import LoopTimeout, SyncPas
from bot.web.auth.guards import current_principal, policyholder_required
from bot.web.chat import chat_widget_context, socket_origins
from bot.web.documents import document_service
from bot.web.root import web_root
from bot.web.security_headers import page_policy
from pas_connector.connector import PasConnector
from pas_connector.errors import PasError
from pas_connector.models import Billing

log = logging.getLogger("policyline.web.account")
T = TypeVar("T")

bp = Blueprint(
    "account",
    __name__,
    url_prefix="/account",
    static_folder="../static/account",
    static_url_path="/static",
)
EXTENSION = "policyline.portal"
# The whole home page (several PAS reads, concurrently) within this many seconds.
PAGE_BUDGET_S = 8.0
MAX_FIELD_CHARS = 200
_DOCUMENT_KINDS = {kind.value: kind for kind in DocumentKind}


@dataclass
class PortalServices:
    """What the pages use: the app's one PAS facade and clock (``bot.web.root``), pay links."""

    pas: SyncPas
    clock: Clock
    pay_links: PaymentLinkService

    @property
    def connector(self) -> PasConnector:
        return self.pas.connector

    def run(self, coro: Coroutine[Any, Any, T]) -> T:
        return self.pas.run(coro, PAGE_BUDGET_S)


def init_app(app: Flask) -> None:
    """The pages' services, from the app's composition root (the PAS loop starts on first use)."""
    root = web_root(app)
    app.extensions[EXTENSION] = PortalServices(
        root.pas,
        root.clock,
        PaymentLinkService(
            root.engine,
            secret_key=app.config["SECRET_KEY"],
            public_base_url=app.config["PUBLIC_BASE_URL"],
            clock=root.clock,
        ),
    )


def _services() -> PortalServices:
    services: PortalServices = current_app.extensions[EXTENSION]
    return services


def _holder_id() -> str:
    principal = current_principal()
    if principal is None or principal.holder_id is None:  # the guard already refused these
        abort(403)
    return principal.holder_id


def _page_csp() -> str:
    """Like the chat widget's policy, plus form posts to this origin (the document forms)."""
    settings: Settings = current_app.config["POLICYLINE_SETTINGS"]
    return page_policy(add={"connect-src": socket_origins(settings.web_chat.rasa_public_url)})


def _page(template: str, status: int = 200, **context: Any) -> Response:
    body = render_template(
        template,
        # the widget carries the signed-in holder into chat (a hand-over token from the principal)
        chat=chat_widget_context(embedded=True),
        day=day,
        phone=display_phone,
        has_endpoint=_has_endpoint,
        **context,
    )
    response = Response(body, status=status, mimetype="text/html")
    response.headers["Content-Security-Policy"] = _page_csp()
    # Personal data and a short-lived chat hand-over token: never cached.
    response.headers["Cache-Control"] = "no-store"
    return response


def _has_endpoint(name: str) -> bool:
    return name in current_app.view_functions


@bp.get("/")
@policyholder_required
def home() -> Response:
    """The signed-in policyholder's home: policies, billing, claims, documents, chat."""
    services = _services()
    now = services.clock()
    try:
        overview: HolderOverview = services.run(
            load_overview(
                services.connector, _holder_id(), now.astimezone(DEFAULT_DISPLAY_TZ).date()
            )
        )
    except (PasError, LoopTimeout) as exc:
        log.warning("account home: PAS unavailable (%s)", type(exc).__name__)
        return _page("account/unavailable.html", status=503)
    return _page(
        "account/home.html",
        overview=overview,
        as_of=lambda fetched: as_of(fetched, now),
        notice=request.args.get("notice", ""),
    )


@bp.post("/documents")
@policyholder_required
def request_document() -> Response:
    """Mint a single-use link to one of the holder's own documents and open it."""
    kind = _DOCUMENT_KINDS.get(request.form.get("kind", ""))
    policy_number = request.form.get("policy", "")[:MAX_FIELD_CHARS]
    if kind is None or not policy_number.strip():
        abort(400, description="Choose a document and a policy.")
    certificate_holder = None
    if kind is DocumentKind.CERTIFICATE:
        name = request.form.get("holder_name", "").strip()[:MAX_FIELD_CHARS]
        address = request.form.get("holder_address", "").strip()[:MAX_FIELD_CHARS]
        if not name or not address:
            abort(400, description="A certificate needs the name and address of who receives it.")
        certificate_holder = CertificateHolder(name=name, address=address)
    services = _services()
    principal = current_principal()
    assert principal is not None
    try:
        owned = services.run(owned_policy(services.connector, _holder_id(), policy_number))
    except (PasError, LoopTimeout):
        return _page("account/unavailable.html", status=503)
    if owned is None:
        # Someone else's policy and a policy that does not exist look the same.
        abort(404, description="We can't find that policy on your account.")
    holder, policy = owned
    try:
        issued = document_service().issue_link(
            kind,
            policy,
            holder,
            conversation_id=f"web-account-{principal.account_id}",
            channel="web",
            certificate_holder=certificate_holder,
        )
    except DocumentUnavailable:
        abort(409, description="You can't get that document for this policy right now.")
    except DocumentError:
        abort(400, description="We couldn't prepare that document. Please check the details.")
    return Response(status=303, headers={"Location": issued.url, "Cache-Control": "no-store"})


@bp.post("/pay")
@policyholder_required
def pay() -> Response:
    """A single-use pay link for the full balance or the minimum due of one's own policy."""
    choice = request.form.get("amount", "")
    policy_number = request.form.get("policy", "")[:MAX_FIELD_CHARS]
    if choice not in PAY_CHOICES or not policy_number.strip():
        abort(400, description="Choose a policy and an amount to pay.")
    services = _services()
    principal = current_principal()
    assert principal is not None
    holder_id = _holder_id()

    async def owned_billing() -> tuple[str, Billing] | None:
        owned = await owned_policy(services.connector, holder_id, policy_number)
        if owned is None:
            return None
        number = owned[1].policy_number
        return number, await fresh_billing(services.connector, number)

    try:
        found = services.run(owned_billing())
    except (PasError, LoopTimeout):
        return _page("account/unavailable.html", status=503)
    if found is None:
        abort(404, description="We can't find that policy on your account.")
    number, billing = found
    check = payment_amount(choice, billing)
    if not check.ok or check.amount is None:
        abort(409, description=check.message or "There is nothing to pay right now.")
    link = services.pay_links.issue(
        number, check.amount, f"web-account-{principal.account_id}", "web"
    )
    return Response(status=303, headers={"Location": link.url, "Cache-Control": "no-store"})
