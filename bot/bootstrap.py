"""The composition root: builds every service a process needs from ``Settings``, once.

Nothing is built at import. ``build_services(settings=None, **overrides)`` builds what was not
overridden (tests pass a clock, an engine, a connector pointed at the sandbox, ...). The action
server cannot pass arguments to actions (rasa-sdk builds them with none), so it reaches its
``Services`` through ``get_services()``, which builds them lazily on first use; tests call
``set_services(...)`` to install their own and ``set_services(None)`` to reset.

A ``Services`` holds a PAS connector, which belongs to the event loop it is first used on; close
it with ``await services.aclose()``.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

from sqlalchemy.engine import Engine

from bot.clock import Clock, utc_now
from bot.conversation.handoff import HandoffService
from bot.conversation.identity import GUESSER_LOCKOUT, IdentityService, holder_lockout
from bot.conversation.lock_notice import SmsLockNotice
from bot.conversation.one_time_codes import OneTimeCodeService
from bot.conversation.outcomes import OutcomeRecorder
from bot.conversation.read_ahead import ReadAhead
from bot.conversation.send_budget import SendBudget
from bot.conversation.verified_conversations import VerifiedConversations
from bot.conversation.web_handover import build_web_handovers
from bot.db import make_engine
from bot.documents import DocumentService
from bot.documents.font_cache import preload_in_background
from bot.documents.layout import BOLD_FONT, REGULAR_FONT
from bot.documents.render_cache import RenderCache
from bot.lockouts import LockoutStore
from bot.notifications.sms import SmsSender, create_sms_sender
from bot.one_time_codes import OneTimeCodes
from bot.payments.links import PaymentLinkService
from bot.settings import Settings, load_settings
from bot.sync_pas import connector_for
from pas_connector.connector import PasConnector


@dataclass
class Services:
    """Everything the adapters use, built once per process."""

    settings: Settings
    clock: Clock
    engine: Engine
    connector: PasConnector
    documents: DocumentService
    payments: PaymentLinkService
    identity: IdentityService
    handoffs: HandoffService
    outcomes: OutcomeRecorder
    one_time_codes: OneTimeCodeService

    async def aclose(self) -> None:
        """Stop reads started ahead of verification, close the PAS connector and the database."""
        await self.identity.aclose()
        await self.connector.aclose()
        self.engine.dispose()


def build_services(settings: Settings | None = None, **overrides: Any) -> Services:
    """Build the services from ``settings`` (environment by default), keeping any overrides.

    Overrides are ``Services`` field names: ``clock``, ``engine``, ``connector``, ``documents``,
    ``payments``, ``identity``, ``handoffs``, ``outcomes``, ``one_time_codes``.
    """
    known = {f.name for f in fields(Services)}
    unknown = set(overrides) - known
    if unknown:
        raise TypeError(f"unknown service overrides: {sorted(unknown)}")
    settings = settings or load_settings()
    clock: Clock = overrides.get("clock") or utc_now
    engine: Engine = overrides.get("engine") or make_engine(
        settings.database_url,
        pool_size=settings.database_pool_size,
        max_overflow=settings.database_max_overflow,
    )
    connector: PasConnector = overrides.get("connector") or connector_for(settings, clock=clock)
    identity = overrides.get("identity") or IdentityService(
        connector,
        LockoutStore(engine, GUESSER_LOCKOUT, clock=clock),
        holder_lockouts=LockoutStore(
            engine, holder_lockout(settings.identity_holder_max_failures), clock=clock
        ),
        hash_key=settings.audit_hash_key,
        handover=build_web_handovers(
            settings.app_secret_key,
            engine,
            session_idle_s=settings.auth.session_idle_s,
            clock=clock,
        ),
        verified=VerifiedConversations(engine, clock=clock),
        notice=SmsLockNotice(
            connector,
            _sms_sender(settings, engine),
            carrier_name=settings.carrier_name,
            contact_phone=settings.contact_centre_phone,
        ),
        read_ahead=ReadAhead(connector),
        clock=clock,
    )
    payments = overrides.get("payments") or PaymentLinkService(
        engine,
        secret_key=settings.app_secret_key,
        public_base_url=settings.public_base_url,
        clock=clock,
    )
    documents = overrides.get("documents") or _build_documents(settings, engine, clock)
    return Services(
        settings=settings,
        clock=clock,
        engine=engine,
        connector=connector,
        documents=documents,
        payments=payments,
        identity=identity,
        handoffs=overrides.get("handoffs") or HandoffService(engine, clock=clock),
        outcomes=overrides.get("outcomes")
        or OutcomeRecorder(engine, hash_key=settings.audit_hash_key, clock=clock),
        one_time_codes=overrides.get("one_time_codes")
        or _build_one_time_codes(settings, engine, connector, clock),
    )


def _sms_sender(settings: Settings, engine: Engine) -> SmsSender:
    """Twilio REST when configured, else the local outbox."""
    return create_sms_sender(
        settings.twilio,
        engine=engine,
        identifier_key=settings.audit_hash_key,
    )


def _build_one_time_codes(
    settings: Settings, engine: Engine, connector: PasConnector, clock: Clock
) -> OneTimeCodeService:
    # Twilio REST when configured, else the local outbox.
    sender = create_sms_sender(
        settings.twilio,
        engine=engine,
        identifier_key=settings.audit_hash_key,
    )
    budget = SendBudget(engine, settings.code_sends, hash_key=settings.audit_hash_key, clock=clock)
    return OneTimeCodeService(
        OneTimeCodes(engine, settings.audit_hash_key, clock=clock),
        sender,
        connector,
        budget,
        hash_key=settings.audit_hash_key,
        carrier_name=settings.carrier_name,
    )


def _build_documents(settings: Settings, engine: Engine, clock: Clock) -> DocumentService:
    # Services are built on the action server's event loop: the fonts load in a thread meanwhile.
    preload_in_background([REGULAR_FONT, BOLD_FONT])
    return DocumentService(
        engine,
        settings.app_secret_key,
        settings.public_base_url,
        clock=clock,
        render_cache=RenderCache(settings.document_cache_size),
    )


_services: Services | None = None


def get_services() -> Services:
    """The process's services, built on first use (the action server's entry to the core)."""
    global _services
    if _services is None:
        _services = build_services()
    return _services


def set_services(services: Services | None) -> None:
    """Install ``services`` for this process (tests), or ``None`` to build afresh next time."""
    global _services
    _services = services
