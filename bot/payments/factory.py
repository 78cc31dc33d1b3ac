"""Builds the payment service from ``Settings`` (the web app calls this once; tests too)."""

from __future__ import annotations

from dataclasses import dataclass

import stripe
from sqlalchemy.engine import Engine

from bot.clock import Clock, utc_now
from bot.db import make_engine
from bot.notifications.sms import SmsSender, create_sms_sender
from bot.payments.links import PaymentLinkService
from bot.payments.notices import PaymentNotifier
from bot.payments.pas_gateway import PasGateway
from bot.payments.records import PaymentRecords
from bot.payments.service import PaymentService
from bot.phone_numbers import display_phone
from bot.settings import Settings, StripeSettings, TwilioSettings
from bot.sync_pas import SyncPas
from pas_connector.connector import PasConnector


def stripe_client(settings: StripeSettings) -> stripe.StripeClient:
    """A Stripe client with an explicit timeout (the library's default is 80 s) pointed at
    localstripe when ``api_base`` is set, at Stripe otherwise."""
    return stripe.StripeClient(
        settings.secret_key,
        base_addresses={"api": settings.api_base} if settings.api_base else None,
        http_client=stripe.RequestsClient(timeout=settings.http_timeout_s),
        max_network_retries=settings.max_network_retries,
    )


@dataclass
class PaymentComponents:
    """The service and what must be closed with it."""

    service: PaymentService
    client: stripe.StripeClient
    twilio: TwilioSettings
    # The process's one synchronous PAS facade (the web app's root hands in its own).
    pas: SyncPas

    @property
    def connector(self) -> PasConnector:
        return self.pas.connector

    def close(self) -> None:
        """Stop the PAS loop (and close a connector it built)."""
        self.pas.close()


def build_payments(
    settings: Settings,
    *,
    engine: Engine | None = None,
    pas: SyncPas | None = None,
    connector: PasConnector | None = None,
    sms_sender: SmsSender | None = None,
    clock: Clock = utc_now,
) -> PaymentComponents:
    """Everything payments need, from settings; any part may be passed in instead (``pas``, the
    process's PAS facade, or a bare ``connector`` a test owns)."""
    engine = engine or make_engine(settings.database_url)
    twilio = settings.twilio
    if pas is None:
        pas = (
            SyncPas.of(connector)
            if connector is not None
            else SyncPas.for_settings(settings, clock=clock, name="policyline-payments-pas")
        )
    gateway = PasGateway(pas)
    sender = sms_sender or create_sms_sender(
        twilio, engine=engine, identifier_key=settings.audit_hash_key
    )
    client = stripe_client(settings.stripe)
    service = PaymentService(
        client=client,
        settings=settings.stripe,
        records=PaymentRecords(engine),
        links=PaymentLinkService(
            engine,
            secret_key=settings.app_secret_key,
            public_base_url=settings.public_base_url,
            clock=clock,
        ),
        pas=gateway,
        notifier=PaymentNotifier(sender, gateway.phone_on_file),
        contact_phone=display_phone(settings.contact_centre_phone),
        clock=clock,
    )
    return PaymentComponents(service, client, twilio, pas)
