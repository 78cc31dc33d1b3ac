"""What the Twilio channels are built from: one composition root that tests override.

``ChannelResources.build(settings)`` makes the app database engine, the suppression list, the
configured SMS sender, the ephemeral store and the PAS connector for claim-alert replies. Rasa
builds each channel of ``credentials.yml`` separately (``from_credentials``); both Twilio channels
take ``process_resources(settings)``, built by the first of them, so the Rasa server has one
engine, one sender and one connector. Nothing is built at import time; tests construct
``ChannelResources`` directly with their own engine, fake sender or in-memory store.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from sqlalchemy.engine import Engine

from bot.db import make_engine
from bot.notifications.claim_alerts_messages import AlertTexts
from bot.notifications.claim_alerts_replies import ClaimKeywordReplies
from bot.notifications.claim_alerts_store import ClaimAlertStore
from bot.notifications.sms import SmsSender, create_sms_sender
from bot.notifications.suppression import SuppressionList
from channels.config import ChannelSettings
from channels.ephemeral_store import EphemeralStore, build_ephemeral_store

SMS_STATUS_PATH = "/webhooks/twilio_sms/status"

_process_lock = threading.Lock()
_process_resources: ChannelResources | None = None


@dataclass
class ChannelResources:
    engine: Engine
    sender: SmsSender
    suppression: SuppressionList
    store: EphemeralStore
    # STATUS / ADJUSTER replies to claim alerts; None when no PAS is configured (tests).
    claim_keywords: ClaimKeywordReplies | None = None

    @classmethod
    def build(cls, settings: ChannelSettings) -> ChannelResources:
        """The production wiring for ``settings``."""
        engine = make_engine(settings.database_url)
        status_callback = (
            settings.public_webhook_base_url + SMS_STATUS_PATH
            if settings.public_webhook_base_url
            else None
        )
        sender = create_sms_sender(
            settings.twilio,
            engine=engine,
            identifier_key=settings.identifier_key,
            status_callback_url=status_callback,
        )
        return cls(
            engine=engine,
            sender=sender,
            suppression=sender.suppression,
            store=build_ephemeral_store(settings.redis_url),
            claim_keywords=_claim_keyword_replies(settings, engine),
        )


def process_resources(settings: ChannelSettings) -> ChannelResources:
    """This Rasa server's one set of channel resources (built on the first call, then shared)."""
    global _process_resources
    with _process_lock:
        if _process_resources is None:
            _process_resources = ChannelResources.build(settings)
        return _process_resources


def _claim_keyword_replies(settings: ChannelSettings, engine: Engine) -> ClaimKeywordReplies | None:
    if settings.pas is None:
        return None
    from pas_connector.factory import build_connector

    pas = settings.pas
    store = ClaimAlertStore(engine)
    return ClaimKeywordReplies(
        # Built on first use, inside the server's event loop (a connector belongs to one loop).
        lambda: build_connector(
            pas,
            settings.cache,
            database_url=settings.database_url,
            audit_hash_key=settings.identifier_key,
        ),
        store,
        AlertTexts(settings.carrier_name, settings.claims_phone),
        hash_key=settings.identifier_key,
    )
