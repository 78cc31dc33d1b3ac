"""What the Twilio channels read, taken from the one settings tree (``bot.settings``).

``ChannelSettings.from_settings(settings)`` picks the channels' values from ``Settings`` (no
environment variable is read here); ``from_mapping(env)`` is ``Settings.from_env(env)`` first, for
tests that pass their own mapping; ``load_channel_settings()`` reads this process's environment.
The variables (``PUBLIC_WEBHOOK_BASE_URL``, ``TRUST_FORWARDED_HEADERS``, ``TWILIO_*``,
``TWILIO_VOICE_NAME``, ``VOICE_TURN_DEADLINE_S``) are documented in ``bot.settings`` and
``.env.example``. Outside local/test the channels refuse to start without
``PUBLIC_WEBHOOK_BASE_URL`` unless ``TRUST_FORWARDED_HEADERS`` is on: signatures are checked
against it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from bot.settings import (
    LOCAL_SECRETS,
    ConfigurationError,
    DisclosureSettings,
    Settings,
    TwilioSettings,
    VoiceSettings,
)
from pas_connector.config import CacheSettings, PasSettings

__all__ = ["ChannelSettings", "VoiceSettings", "load_channel_settings"]


@dataclass(frozen=True)
class ChannelSettings:
    """Everything the Twilio channels and simulators read."""

    env: str = Settings.env
    twilio: TwilioSettings = field(default_factory=TwilioSettings)
    voice: VoiceSettings = field(default_factory=VoiceSettings)
    public_webhook_base_url: str | None = None
    trust_forwarded_headers: bool = False
    redis_url: str | None = None
    database_url: str = "sqlite://"
    # Keys the digests that stand in for phone numbers (conversation ids, suppression rows).
    identifier_key: str = LOCAL_SECRETS["AUDIT_HASH_KEY"]
    # Seals texts waiting for their answer (channels.sms_inbox), like stored conversations.
    tracker_encryption_key: str = LOCAL_SECRETS["TRACKER_ENCRYPTION_KEY"]
    carrier_name: str = Settings.carrier_name
    contact_centre_phone: str = Settings.contact_centre_phone
    claims_phone: str = Settings.claims_phone
    # Longest SMS part we send (two concatenated segments' worth of text).
    sms_part_chars: int = 320
    # Larger webhook bodies are refused before parsing (Twilio's are a few KB).
    max_body_bytes: int = 64 * 1024
    # The PAS, for STATUS / ADJUSTER replies to claim alerts (None: those go to the assistant).
    pas: PasSettings | None = None
    cache: CacheSettings = field(default_factory=CacheSettings)
    # What the first reply says about who answers (AI_DISCLOSURE, CALLS_RECORDED, ...).
    disclosure: DisclosureSettings = field(default_factory=DisclosureSettings)

    @classmethod
    def from_settings(cls, base: Settings) -> ChannelSettings:
        """The channels' part of ``base``."""
        twilio = base.twilio
        if (
            not base.is_local
            and twilio.public_webhook_base_url is None
            and not twilio.trust_forwarded_headers
        ):
            raise ConfigurationError(
                "set PUBLIC_WEBHOOK_BASE_URL (the URL Twilio calls) outside local/test: "
                "signatures are checked against it"
            )
        return cls(
            env=base.env,
            twilio=twilio,
            voice=base.voice,
            public_webhook_base_url=twilio.public_webhook_base_url,
            trust_forwarded_headers=twilio.trust_forwarded_headers,
            redis_url=base.cache.redis_url,
            database_url=base.database_url,
            identifier_key=base.audit_hash_key,
            tracker_encryption_key=base.tracker_encryption_key,
            carrier_name=base.carrier_name,
            contact_centre_phone=base.contact_centre_phone,
            claims_phone=base.claims_phone,
            pas=base.pas,
            cache=base.cache,
            disclosure=base.disclosure,
        )

    @classmethod
    def from_mapping(cls, env: Mapping[str, str]) -> ChannelSettings:
        """Settings from environment variables in ``env`` (through ``bot.settings``)."""
        return cls.from_settings(Settings.from_env(env))


def load_channel_settings() -> ChannelSettings:
    """Settings for this process, from its environment."""
    return ChannelSettings.from_settings(Settings.from_env())
