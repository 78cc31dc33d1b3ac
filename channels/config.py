"""Channel configuration as small frozen value objects, built from a mapping of variables.

``ChannelSettings.from_mapping(env)`` reads what the Twilio channels need on top of
``bot.settings.Settings``; tests pass their own mapping. ``load_channel_settings()`` passes the
variables ``bot.settings.Settings.from_env`` read (``Settings.environ``).

Variables (all optional locally):

- ``PUBLIC_WEBHOOK_BASE_URL``: the scheme and host (and path prefix, if any) Twilio is configured
  to call, e.g. ``https://bot.example.com``. Signatures are checked against it plus the request's
  path and query. Required outside local/test unless ``TRUST_FORWARDED_HEADERS`` is on.
- ``TRUST_FORWARDED_HEADERS``: ``true`` to rebuild the public URL from ``X-Forwarded-Proto`` /
  ``X-Forwarded-Host`` when no base URL is set. Only behind a proxy that overwrites them.
- ``TWILIO_*``: see ``bot.notifications.config``; ``TWILIO_TASKROUTER_WORKFLOW_SID`` turns
  voice hand-offs into ``<Enqueue>`` with a TaskRouter task instead of ``<Dial>``.
- ``TWILIO_VOICE_NAME`` (``Polly.Joanna-Neural``), ``VOICE_TURN_DEADLINE_S`` (8).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from bot.notifications.config import LOCAL_ENVIRONMENTS, TwilioSettings
from bot.settings import LOCAL_SECRETS, ConfigurationError, Settings
from pas_connector.config import CacheSettings, PasSettings

# Speech models a <Gather> may pin, and the one model "enhanced" works with (Twilio docs).
SPEECH_MODELS = ("phone_call", "numbers_and_commands", "experimental_conversations",
                 "experimental_utterances", "default")  # fmt: skip
ENHANCED_MODEL = "phone_call"


@dataclass(frozen=True)
class VoiceSettings:
    """How the IVR speaks and listens."""

    voice: str = "Polly.Joanna-Neural"
    language: str = "en-US"
    # Pinned: the default model mis-hears numbers and rejects speechTimeout="auto"
    # (docs/architecture.md, "Budgets and library facts").
    speech_model: str = ENHANCED_MODEL
    enhanced: bool = True
    # Seconds of silence that end an utterance (numeric: "auto" is invalid with phone_call).
    speech_timeout_s: int = 2
    # Seconds to wait for the caller to start speaking or pressing keys.
    gather_timeout_s: int = 6
    # A voice turn that takes longer answers "one moment" and <Redirect>s to poll for the result.
    turn_deadline_s: float = 8.0
    # How many "one moment" polls before apologising and transferring.
    max_hold_polls: int = 3
    # No-input / no-match retries before transferring to a person.
    max_retries: int = 2
    taskrouter_workflow_sid: str | None = None

    def __post_init__(self) -> None:
        if self.speech_model not in SPEECH_MODELS:
            raise ConfigurationError(f"unknown Twilio speech model {self.speech_model!r}")
        if self.enhanced and self.speech_model != ENHANCED_MODEL:
            raise ConfigurationError("enhanced speech recognition needs speech model phone_call")
        if self.speech_timeout_s <= 0 or self.gather_timeout_s <= 0:
            raise ConfigurationError("speech and gather timeouts must be positive seconds")
        if not 0 < self.turn_deadline_s < 14:
            # Twilio gives a webhook 15 s; leave room to build and send the TwiML.
            raise ConfigurationError("VOICE_TURN_DEADLINE_S must be between 0 and 14 seconds")


@dataclass(frozen=True)
class ChannelSettings:
    """Everything the Twilio channels and simulators read."""

    env: str = "local"
    twilio: TwilioSettings = field(default_factory=TwilioSettings)
    voice: VoiceSettings = field(default_factory=VoiceSettings)
    public_webhook_base_url: str | None = None
    trust_forwarded_headers: bool = False
    redis_url: str | None = None
    database_url: str = "sqlite://"
    # Keys the digests that stand in for phone numbers (conversation ids, suppression rows).
    identifier_key: str = "local-audit-hash-key-not-for-production"
    # Seals texts waiting for their answer (channels.sms_inbox), like stored conversations.
    tracker_encryption_key: str = LOCAL_SECRETS["TRACKER_ENCRYPTION_KEY"]
    carrier_name: str = "Harbor Mutual Insurance"
    contact_centre_phone: str = "+18005550100"
    claims_phone: str = "+18005550199"
    # Longest SMS part we send (two concatenated segments' worth of text).
    sms_part_chars: int = 320
    # Larger webhook bodies are refused before parsing (Twilio's are a few KB).
    max_body_bytes: int = 64 * 1024
    # The PAS, for STATUS / ADJUSTER replies to claim alerts (None: those go to the assistant).
    pas: PasSettings | None = None
    cache: CacheSettings = field(default_factory=CacheSettings)

    @classmethod
    def from_mapping(cls, env: Mapping[str, str]) -> ChannelSettings:
        """Settings from environment variables in ``env`` (see the module docstring)."""
        base = Settings.from_env(env)
        base_url = (env.get("PUBLIC_WEBHOOK_BASE_URL") or "").strip().rstrip("/") or None
        if base_url is not None and not base_url.startswith(("http://", "https://")):
            raise ConfigurationError("PUBLIC_WEBHOOK_BASE_URL must start with http:// or https://")
        trust_forwarded = _flag(env, "TRUST_FORWARDED_HEADERS")
        if base.env not in LOCAL_ENVIRONMENTS and base_url is None and not trust_forwarded:
            raise ConfigurationError(
                "set PUBLIC_WEBHOOK_BASE_URL (the URL Twilio calls) outside local/test: "
                "signatures are checked against it"
            )
        voice = VoiceSettings(
            voice=env.get("TWILIO_VOICE_NAME") or VoiceSettings.voice,
            turn_deadline_s=_number(env, "VOICE_TURN_DEADLINE_S", VoiceSettings.turn_deadline_s),
            taskrouter_workflow_sid=env.get("TWILIO_TASKROUTER_WORKFLOW_SID") or None,
        )
        return cls(
            env=base.env,
            twilio=TwilioSettings.from_mapping(env),
            voice=voice,
            public_webhook_base_url=base_url,
            trust_forwarded_headers=trust_forwarded,
            redis_url=base.cache.redis_url,
            database_url=base.database_url,
            identifier_key=base.audit_hash_key,
            tracker_encryption_key=base.tracker_encryption_key,
            carrier_name=base.carrier_name,
            contact_centre_phone=base.contact_centre_phone,
            claims_phone=base.claims_phone,
            pas=base.pas,
            cache=base.cache,
        )


def load_channel_settings() -> ChannelSettings:
    """Settings for this process, from its environment."""
    return ChannelSettings.from_mapping(Settings.from_env().environ)


def _flag(env: Mapping[str, str], name: str) -> bool:
    raw = (env.get(name) or "").strip().lower()
    if raw in ("", "0", "false", "no", "off"):
        return False
    if raw in ("1", "true", "yes", "on"):
        return True
    raise ConfigurationError(f"{name} must be true or false, got {raw!r}")


def _number(env: Mapping[str, str], name: str, default: float) -> float:
    raw = env.get(name)
    if not raw:
        return default
    try:
        return float(raw)
    except ValueError as exc:
        raise ConfigurationError(f"{name} must be a number, got {raw!r}") from exc
