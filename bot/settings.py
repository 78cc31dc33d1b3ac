"""All configuration, read once from environment variables.

Every value has a safe local default so that ``make run`` works on a fresh machine with no
accounts. Secrets have *local* defaults only: when ``POLICYLINE_ENV`` is anything but ``local`` or
``test``, a missing secret is an error at start-up (fail fast), never a silent default.
Documented in ``.env.example``; nothing is read from ``os.environ`` outside this module.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from pas_connector.config import CacheSettings, PasSettings

PROJECT_ROOT = Path(__file__).resolve().parent.parent

# Local-only defaults for secrets. They are public (they are in this file), so they are refused
# outside local and test environments.
LOCAL_SECRETS = {
    "PAS_HMAC_SECRET": "local-pas-hmac-secret-not-for-production",
    "PAS_SANDBOX_ADMIN_TOKEN": "local-sandbox-admin-token",
    "AUDIT_HASH_KEY": "local-audit-hash-key-not-for-production",
    "APP_SECRET_KEY": "local-app-secret-key-not-for-production",
    "TWILIO_AUTH_TOKEN": "local-twilio-auth-token",
    "STRIPE_WEBHOOK_SECRET": "whsec_local_policyline",
    # A Fernet key (32 url-safe base64 bytes) for TOTP secrets at rest.
    "MFA_ENCRYPTION_KEY": "scK_anW5SrttSJ2obwOdmWOpO43mUIcLKdj7Rwc7Fzc=",
    # Fernet key sealing dates of birth, policy numbers and codes in stored conversations.
    "TRACKER_ENCRYPTION_KEY": "0Gr9JKc0JqTdYb4Wm0tqvqJ3gq8cQmBv5Zc6vH4Yx0Q=",
    "STRIPE_SECRET_KEY": "sk_test_policyline_local",
    # Shared secret every call from the Rasa server to the action server carries.
    "ACTION_SERVER_SECRET": "local-action-server-secret-not-for-production",
}
# The publishable key that goes with the local secret key (localstripe accepts any pk_ key).
LOCAL_STRIPE_PUBLISHABLE_KEY = "pk_test_policyline_local"


class ConfigurationError(RuntimeError):
    """A required setting is missing or malformed."""


@dataclass(frozen=True)
class SandboxSettings:
    host: str = "127.0.0.1"
    port: int = 8100
    seed: int = 20261125
    policyholders: int = 200
    admin_token: str = LOCAL_SECRETS["PAS_SANDBOX_ADMIN_TOKEN"]
    # The carrier API's latency the sandbox imitates (``--latency`` syntax): a lognormal with the
    # reference deployment's median 282 ms and sigma 0.438 (mean 310 ms, p99 780 ms), so the local
    # stack is tried as it will run; ``none`` answers at once.
    latency: str = "lognormal:282:0.438"


@dataclass(frozen=True)
class WebChatSettings:
    """The web chat widget and its socket.io channel (channels/web_chat.py, bot/web/chat.py)."""

    # Where the browser reaches the Rasa server's socket.io endpoint.
    rasa_public_url: str = "http://127.0.0.1:5005"
    # Origins (scheme://host[:port]) allowed to open a chat socket; ``:*`` (any port) local only.
    allowed_origins: tuple[str, ...] = ("http://127.0.0.1:8000", "http://localhost:8000")
    # Longest message accepted from the widget, in characters.
    max_message_chars: int = 2000
    # How long a browser tab may resume its conversation with its signed session token.
    session_max_age_s: int = 12 * 3600


@dataclass(frozen=True)
class WebBodyLimits:
    """Largest request bodies the web app reads (``bot.web.body_limits``): forms and JSON on every
    route, files only on the routes that take uploads (claim photos)."""

    form_bytes: int = 64 * 1024
    upload_bytes: int = 10 * 1024 * 1024


@dataclass(frozen=True)
class StripeSettings:
    """Stripe keys and where the API is. ``api_base`` is localstripe's URL with the local key,
    ``None`` (Stripe itself) with real keys: switching needs no code change."""

    secret_key: str = LOCAL_SECRETS["STRIPE_SECRET_KEY"]
    publishable_key: str = LOCAL_STRIPE_PUBLISHABLE_KEY
    webhook_secret: str = LOCAL_SECRETS["STRIPE_WEBHOOK_SECRET"]
    api_base: str | None = "http://127.0.0.1:8420"
    webhook_tolerance_s: int = 300
    http_timeout_s: float = 10.0
    max_network_retries: int = 2
    currency: str = "usd"
    # Twilio <Pay> connector name; empty → calls get a texted pay link instead of <Pay>.
    twilio_pay_connector: str = ""

    @property
    def is_local(self) -> bool:
        return self.api_base is not None

    @property
    def js_url(self) -> str:
        """Stripe.js, or localstripe's stand-in for it."""
        return (
            f"{self.api_base}/js.stripe.com/v3/" if self.api_base else "https://js.stripe.com/v3/"
        )


@dataclass(frozen=True)
class AuthSettings:
    """Web sign-in, MFA and session knobs (``bot.accounts``, ``bot.web.auth``)."""

    mfa_encryption_key: str = LOCAL_SECRETS["MFA_ENCRYPTION_KEY"]
    password_min_length: int = 12
    session_idle_s: int = 15 * 60
    session_absolute_s: int = 12 * 3600
    session_warning_s: int = 2 * 60
    step_up_max_age_s: int = 5 * 60
    login_max_failures: int = 5
    lockout_s: int = 15 * 60
    sms_code_ttl_s: int = 10 * 60
    sms_code_max_attempts: int = 5
    rate_limit_auth: str = "10 per minute;60 per hour"


@dataclass(frozen=True)
class CodeSendSettings:
    """The one send budget of one-time codes, every channel together (``bot.conversation.
    send_budget``): at most this many codes per policyholder, per destination number and per
    source (client address, sending or calling number, chat session) in any ``window_s``."""

    per_holder: int = 3
    per_destination: int = 3
    # Two policyholders' worth: a household or an office behind one address still gets through.
    per_source: int = 6
    window_s: int = 15 * 60


@dataclass(frozen=True)
class SmtpSettings:
    """Outbound e-mail. Without ``host`` (local default) e-mails go to the local outbox table."""

    host: str | None = None
    port: int = 587
    user: str | None = None
    password: str | None = None
    sender: str = "Harbor Mutual Insurance <claims@harbormutual.example>"
    security: str = "starttls"  # starttls | ssl | none
    timeout_s: float = 10.0


@dataclass(frozen=True)
class ClaimAlertSettings:
    """The claim status notifier (``policyline notifier``)."""

    poll_interval_s: float = 15.0
    batch_size: int = 500
    quiet_start: str = "21:00"  # policyholder's local time
    quiet_end: str = "08:00"
    max_event_age_h: float = 72.0  # older timeline rows are never announced
    health_port: int = 8130


LOCAL_ENVIRONMENTS = ("local", "test")
# Speech models a <Gather> may pin, and the one model "enhanced" works with (Twilio docs).
SPEECH_MODELS = ("phone_call", "numbers_and_commands", "experimental_conversations",
                 "experimental_utterances", "default")  # fmt: skip
ENHANCED_MODEL = "phone_call"


@dataclass(frozen=True)
class TwilioSettings:
    """The Twilio account (outbound SMS) and how its webhooks reach us (signature checks).

    Outside local/test the auth token must be set to something other than the public local
    default, and the REST credentials must be complete (the local outbox is a stand-in, never a
    production fallback). A partial REST configuration is an error everywhere: silently writing
    to the outbox because one variable had a typo would lose messages.
    """

    auth_token: str = LOCAL_SECRETS["TWILIO_AUTH_TOKEN"]
    account_sid: str | None = None
    from_number: str | None = None
    # The REST client has no timeout unless given one.
    http_timeout_s: float = 5.0
    # The scheme and host (and path prefix, if any) Twilio calls, e.g. https://bot.example.com:
    # webhook signatures are checked against it plus the request's path and query.
    public_webhook_base_url: str | None = None
    # Rebuild the public URL from X-Forwarded-Proto/-Host when no base URL is set (only behind
    # a proxy that overwrites them).
    trust_forwarded_headers: bool = False

    @property
    def rest_configured(self) -> bool:
        """True when messages go to the Twilio REST API rather than the local outbox."""
        return bool(self.account_sid and self.from_number)

    @classmethod
    def from_mapping(cls, env: Mapping[str, str]) -> TwilioSettings:
        """Only the Twilio part of the settings tree, from ``env`` (same reader, same rules)."""
        return _twilio_settings(_Reader(env))


@dataclass(frozen=True)
class VoiceSettings:
    """How the IVR speaks and listens (channels/twilio_voice.py)."""

    voice: str = "Polly.Joanna-Neural"
    language: str = "en-US"
    # Pinned: the default model mis-hears numbers and rejects speechTimeout="auto".
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
class DisclosureSettings:
    """What the first reply on every channel says about who answers
    (``bot.conversation.answers.small_talk.ai_disclosure``). The first reply comes before anyone
    is verified, so the wording is the deployment's: set the words your state's rule requires."""

    # Replaces "This is {carrier}'s automated assistant, not a person." ({carrier}: CARRIER_NAME);
    # how to reach a person is added per channel. AI_DISCLOSURE.
    wording: str | None = None
    # Calls are recorded: the call's first words add the recording notice. CALLS_RECORDED.
    calls_recorded: bool = False
    # Replaces the default recording notice. CALL_RECORDING_NOTICE.
    recording_notice: str | None = None


@dataclass(frozen=True)
class Settings:
    env: str = "local"
    var_dir: Path = PROJECT_ROOT / "var"
    database_url: str = ""
    # Connections each process keeps open to it, and how many more it may open when busy (bot.db)
    database_pool_size: int = 5
    database_max_overflow: int = 10
    # The Rasa tracker store the staff console reads (bot.transcripts)
    tracker_database_url: str = ""
    audit_hash_key: str = LOCAL_SECRETS["AUDIT_HASH_KEY"]
    app_secret_key: str = LOCAL_SECRETS["APP_SECRET_KEY"]
    tracker_encryption_key: str = LOCAL_SECRETS["TRACKER_ENCRYPTION_KEY"]
    action_server_secret: str = LOCAL_SECRETS["ACTION_SERVER_SECRET"]
    public_base_url: str = "http://127.0.0.1:8000"
    # Rendered ID cards and declarations pages kept per process (bot.documents.render_cache)
    document_cache_size: int = 128
    rasa_port: int = 5005
    actions_port: int = 5055
    # The action server's interface: loopback unless it is deployed behind a firewall.
    actions_host: str = "127.0.0.1"
    web_port: int = 8000
    localstripe_port: int = 8420
    carrier_name: str = "Harbor Mutual Insurance"
    contact_centre_phone: str = "+18005550100"
    claims_phone: str = "+18005550199"
    # When people staff the contact centre (bot.conversation.staffed_hours): "always", or e.g.
    # "mon-fri 08:00-20:00; sat 09:00-13:00"; outside them a handoff offers a callback.
    contact_centre_hours: str = "always"
    contact_centre_timezone: str = "America/Chicago"
    # Failed identity checks for one policyholder, across conversations, before the knowledge
    # route (policy number + DOB + ZIP) locks for 15 minutes; each conversation or number locks
    # after 3 (bot.conversation.identity).
    identity_holder_max_failures: int = 10
    pas: PasSettings = field(default_factory=PasSettings)
    cache: CacheSettings = field(default_factory=CacheSettings)
    sandbox: SandboxSettings = field(default_factory=SandboxSettings)
    # The variables these settings were read from, for the component settings built from the same
    # mapping (Twilio: bot.notifications.config, channels: channels.config). Never os.environ
    # elsewhere: tests pass one mapping and every part sees it.
    environ: Mapping[str, str] = field(default_factory=dict, repr=False, compare=False)
    web_chat: WebChatSettings = field(default_factory=WebChatSettings)
    web_body_limits: WebBodyLimits = field(default_factory=WebBodyLimits)
    auth: AuthSettings = field(default_factory=AuthSettings)
    code_sends: CodeSendSettings = field(default_factory=CodeSendSettings)
    stripe: StripeSettings = field(default_factory=StripeSettings)
    smtp: SmtpSettings = field(default_factory=SmtpSettings)
    claim_alerts: ClaimAlertSettings = field(default_factory=ClaimAlertSettings)
    twilio: TwilioSettings = field(default_factory=TwilioSettings)
    voice: VoiceSettings = field(default_factory=VoiceSettings)
    disclosure: DisclosureSettings = field(default_factory=DisclosureSettings)

    @property
    def is_local(self) -> bool:
        return self.env in LOCAL_ENVIRONMENTS

    @property
    def twilio_callback_base_url(self) -> str:
        """Where Twilio reaches the callbacks we generate (``<Pay>`` actions), which are built and
        signature-checked against this one base: ``PUBLIC_WEBHOOK_BASE_URL`` (the URL Twilio
        calls, in front of every process), or, when it is unset, the web app's own URL."""
        return self.twilio.public_webhook_base_url or self.public_base_url

    def with_overrides(self, **changes: Any) -> Settings:
        return replace(self, **changes)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Settings from ``environ`` (``os.environ`` by default). Every default is the field's
        own (the dataclasses above): it is written once."""
        env = dict(os.environ if environ is None else environ)
        reader = _Reader(env)
        d, pas, cache, sandbox, auth = (
            cls(),
            PasSettings(),
            CacheSettings(),
            SandboxSettings(),
            AuthSettings(),
        )
        var_dir = Path(reader.text("POLICYLINE_VAR_DIR", str(d.var_dir)))
        sandbox_port = reader.integer("PAS_SANDBOX_PORT", sandbox.port)
        settings = cls(
            environ=env,
            env=reader.text("POLICYLINE_ENV", d.env),
            var_dir=var_dir,
            database_url=reader.text("DATABASE_URL", f"sqlite:///{var_dir / 'policyline.sqlite'}"),
            database_pool_size=reader.integer("DATABASE_POOL_SIZE", d.database_pool_size),
            database_max_overflow=reader.integer("DATABASE_MAX_OVERFLOW", d.database_max_overflow),
            tracker_database_url=reader.text(
                "TRACKER_DATABASE_URL",
                f"sqlite:///{reader.text('TRACKER_DB', str(var_dir / 'rasa_tracker.sqlite'))}",
            ),
            audit_hash_key=reader.secret("AUDIT_HASH_KEY"),
            app_secret_key=reader.secret("APP_SECRET_KEY"),
            tracker_encryption_key=reader.secret("TRACKER_ENCRYPTION_KEY"),
            action_server_secret=reader.secret("ACTION_SERVER_SECRET"),
            public_base_url=reader.text("PUBLIC_BASE_URL", d.public_base_url).rstrip("/"),
            document_cache_size=reader.integer("DOCUMENT_CACHE_SIZE", d.document_cache_size),
            rasa_port=reader.integer("RASA_PORT", d.rasa_port),
            actions_port=reader.integer("ACTIONS_PORT", d.actions_port),
            actions_host=reader.text("ACTIONS_HOST", d.actions_host),
            web_port=reader.integer("WEB_PORT", d.web_port),
            localstripe_port=reader.integer("LOCALSTRIPE_PORT", d.localstripe_port),
            carrier_name=reader.text("CARRIER_NAME", d.carrier_name),
            contact_centre_phone=reader.text("CONTACT_CENTRE_PHONE", d.contact_centre_phone),
            claims_phone=reader.text("CLAIMS_PHONE", d.claims_phone),
            contact_centre_hours=reader.text("CONTACT_CENTRE_HOURS", d.contact_centre_hours),
            contact_centre_timezone=reader.text(
                "CONTACT_CENTRE_TIMEZONE", d.contact_centre_timezone
            ),
            identity_holder_max_failures=reader.integer(
                "IDENTITY_HOLDER_MAX_FAILURES", d.identity_holder_max_failures
            ),
            pas=PasSettings(
                base_url=reader.text("PAS_BASE_URL", f"http://127.0.0.1:{sandbox_port}").rstrip(
                    "/"
                ),
                key_id=reader.text("PAS_KEY_ID", pas.key_id),
                hmac_secret=reader.secret("PAS_HMAC_SECRET"),
                replica_url=reader.text(
                    "PAS_REPLICA_URL", f"sqlite:///{var_dir / 'pas_replica.sqlite'}"
                ),
                connect_timeout_s=reader.number("PAS_CONNECT_TIMEOUT_S", pas.connect_timeout_s),
                read_timeout_s=reader.number("PAS_READ_TIMEOUT_S", pas.read_timeout_s),
                read_attempts=reader.integer("PAS_READ_ATTEMPTS", pas.read_attempts),
                read_budget_s=reader.number("PAS_READ_BUDGET_S", pas.read_budget_s),
                rate_limit_per_s=reader.number("PAS_RATE_LIMIT_PER_S", pas.rate_limit_per_s),
                breaker_threshold=reader.integer("PAS_BREAKER_THRESHOLD", pas.breaker_threshold),
                breaker_ttl_s=reader.number("PAS_BREAKER_TTL_S", pas.breaker_ttl_s),
                max_connections=reader.integer("PAS_MAX_CONNECTIONS", pas.max_connections),
            ),
            cache=CacheSettings(
                redis_url=reader.text("REDIS_URL", "") or None,
                policy_ttl_s=reader.number("CACHE_POLICY_TTL_S", cache.policy_ttl_s),
                billing_ttl_s=reader.number("CACHE_BILLING_TTL_S", cache.billing_ttl_s),
                claims_ttl_s=reader.number("CACHE_CLAIMS_TTL_S", cache.claims_ttl_s),
                stale_max_s=reader.number("CACHE_STALE_MAX_S", cache.stale_max_s),
            ),
            sandbox=SandboxSettings(
                host=reader.text("PAS_SANDBOX_HOST", sandbox.host),
                port=sandbox_port,
                seed=reader.integer("PAS_SANDBOX_SEED", sandbox.seed),
                policyholders=reader.integer("PAS_SANDBOX_POLICYHOLDERS", sandbox.policyholders),
                admin_token=reader.secret("PAS_SANDBOX_ADMIN_TOKEN"),
                latency=reader.text("PAS_SANDBOX_LATENCY", sandbox.latency),
            ),
            web_chat=_web_chat_settings(reader, env.get("PUBLIC_BASE_URL")),
            web_body_limits=_web_body_limits(reader),
            auth=AuthSettings(
                mfa_encryption_key=reader.secret("MFA_ENCRYPTION_KEY"),
                password_min_length=reader.integer(
                    "AUTH_PASSWORD_MIN_LENGTH", auth.password_min_length
                ),
                session_idle_s=reader.integer("AUTH_SESSION_IDLE_S", auth.session_idle_s),
                session_absolute_s=reader.integer(
                    "AUTH_SESSION_ABSOLUTE_S", auth.session_absolute_s
                ),
                session_warning_s=reader.integer("AUTH_SESSION_WARNING_S", auth.session_warning_s),
                step_up_max_age_s=reader.integer("AUTH_STEP_UP_MAX_AGE_S", auth.step_up_max_age_s),
                login_max_failures=reader.integer(
                    "AUTH_LOGIN_MAX_FAILURES", auth.login_max_failures
                ),
                lockout_s=reader.integer("AUTH_LOCKOUT_S", auth.lockout_s),
                sms_code_ttl_s=reader.integer("AUTH_SMS_CODE_TTL_S", auth.sms_code_ttl_s),
                sms_code_max_attempts=reader.integer(
                    "AUTH_SMS_CODE_MAX_ATTEMPTS", auth.sms_code_max_attempts
                ),
                rate_limit_auth=reader.text("AUTH_RATE_LIMIT", auth.rate_limit_auth),
            ),
            stripe=_stripe_settings(reader, d.localstripe_port),
            code_sends=_code_send_settings(reader),
            smtp=_smtp_settings(reader),
            claim_alerts=_claim_alert_settings(reader),
            twilio=_twilio_settings(reader),
            voice=_voice_settings(reader),
            disclosure=DisclosureSettings(
                wording=reader.text("AI_DISCLOSURE", "").strip() or None,
                calls_recorded=reader.flag("CALLS_RECORDED", DisclosureSettings.calls_recorded),
                recording_notice=reader.text("CALL_RECORDING_NOTICE", "").strip() or None,
            ),
        )
        return settings


def _web_body_limits(reader: _Reader) -> WebBodyLimits:
    defaults = WebBodyLimits()
    limits = WebBodyLimits(
        form_bytes=reader.integer("WEB_MAX_FORM_BYTES", defaults.form_bytes),
        upload_bytes=reader.integer("WEB_MAX_UPLOAD_BYTES", defaults.upload_bytes),
    )
    if limits.form_bytes < 1024:
        raise ConfigurationError("WEB_MAX_FORM_BYTES must be at least 1024")
    if limits.upload_bytes < limits.form_bytes:
        raise ConfigurationError("WEB_MAX_UPLOAD_BYTES must be at least WEB_MAX_FORM_BYTES")
    return limits


def _web_chat_settings(reader: _Reader, public_base_url: str | None) -> WebChatSettings:
    default_origins = ",".join(
        dict.fromkeys(
            [_origin(public_base_url or Settings.public_base_url), *WebChatSettings.allowed_origins]
        )
    )
    origins = tuple(
        origin.strip().rstrip("/")
        for origin in reader.text("WEB_CHAT_ALLOWED_ORIGINS", default_origins).split(",")
        if origin.strip()
    )
    if not reader.is_local and any(origin.endswith(":*") or origin == "*" for origin in origins):
        raise ConfigurationError("WEB_CHAT_ALLOWED_ORIGINS may not use wildcards outside local")
    max_chars = reader.integer("WEB_CHAT_MAX_MESSAGE_CHARS", WebChatSettings.max_message_chars)
    if not 1 <= max_chars <= 10_000:
        raise ConfigurationError("WEB_CHAT_MAX_MESSAGE_CHARS must be between 1 and 10000")
    return WebChatSettings(
        rasa_public_url=reader.text("RASA_PUBLIC_URL", WebChatSettings.rasa_public_url).rstrip("/"),
        allowed_origins=origins,
        max_message_chars=max_chars,
        session_max_age_s=reader.integer(
            "WEB_CHAT_SESSION_MAX_AGE_S", WebChatSettings.session_max_age_s
        ),
    )


def _origin(url: str) -> str:
    """``scheme://host[:port]`` of ``url`` (what a browser sends as ``Origin``)."""
    scheme, _, rest = url.partition("://")
    return f"{scheme}://{rest.split('/', 1)[0]}"


def _code_send_settings(reader: _Reader) -> CodeSendSettings:
    defaults = CodeSendSettings()
    settings = CodeSendSettings(
        per_holder=reader.integer("CODE_SENDS_PER_HOLDER", defaults.per_holder),
        per_destination=reader.integer("CODE_SENDS_PER_DESTINATION", defaults.per_destination),
        per_source=reader.integer("CODE_SENDS_PER_SOURCE", defaults.per_source),
        window_s=reader.integer("CODE_SEND_WINDOW_S", defaults.window_s),
    )
    if min(settings.per_holder, settings.per_destination, settings.per_source) < 1:
        raise ConfigurationError("CODE_SENDS_PER_* must be at least 1")
    if settings.window_s < 1:
        raise ConfigurationError("CODE_SEND_WINDOW_S must be at least 1")
    return settings


def _smtp_settings(reader: _Reader) -> SmtpSettings:
    d = SmtpSettings()
    security = reader.text("SMTP_SECURITY", d.security)
    if security not in ("starttls", "ssl", "none"):
        raise ConfigurationError("SMTP_SECURITY must be starttls, ssl or none")
    return SmtpSettings(
        host=reader.text("SMTP_HOST", "") or None,
        port=reader.integer("SMTP_PORT", d.port),
        user=reader.text("SMTP_USER", "") or None,
        password=reader.text("SMTP_PASSWORD", "") or None,
        sender=reader.text("SMTP_FROM", d.sender),
        security=security,
        timeout_s=reader.number("SMTP_TIMEOUT_S", d.timeout_s),
    )


def _claim_alert_settings(reader: _Reader) -> ClaimAlertSettings:
    d = ClaimAlertSettings()
    return ClaimAlertSettings(
        poll_interval_s=reader.number("CLAIM_ALERTS_POLL_INTERVAL_S", d.poll_interval_s),
        batch_size=reader.integer("CLAIM_ALERTS_BATCH_SIZE", d.batch_size),
        quiet_start=reader.text("CLAIM_ALERTS_QUIET_START", d.quiet_start),
        quiet_end=reader.text("CLAIM_ALERTS_QUIET_END", d.quiet_end),
        max_event_age_h=reader.number("CLAIM_ALERTS_MAX_EVENT_AGE_H", d.max_event_age_h),
        health_port=reader.integer("NOTIFIER_PORT", d.health_port),
    )


class _Reader:
    def __init__(self, env: Mapping[str, str]) -> None:
        self._env = env
        self._local = env.get("POLICYLINE_ENV", Settings.env) in LOCAL_ENVIRONMENTS

    @property
    def is_local(self) -> bool:
        return self._local

    def text(self, name: str, default: str) -> str:
        value = self._env.get(name)
        return default if value is None or value == "" else value

    def integer(self, name: str, default: int) -> int:
        raw = self._env.get(name)
        if not raw:
            return default
        try:
            return int(raw)
        except ValueError as exc:
            raise ConfigurationError(f"{name} must be a whole number, got {raw!r}") from exc

    def number(self, name: str, default: float) -> float:
        raw = self._env.get(name)
        if not raw:
            return default
        try:
            return float(raw)
        except ValueError as exc:
            raise ConfigurationError(f"{name} must be a number, got {raw!r}") from exc

    def flag(self, name: str, default: bool) -> bool:
        raw = (self._env.get(name) or "").strip().lower()
        if raw == "":
            return default
        if raw in ("0", "false", "no", "off"):
            return False
        if raw in ("1", "true", "yes", "on"):
            return True
        raise ConfigurationError(f"{name} must be true or false, got {raw!r}")

    def secret(self, name: str) -> str:
        value = self._env.get(name)
        if value:
            if not self._local and value == LOCAL_SECRETS[name]:
                raise ConfigurationError(f"{name} is the public local default; set a real secret")
            return value
        if self._local:
            return LOCAL_SECRETS[name]
        raise ConfigurationError(f"{name} must be set when POLICYLINE_ENV is not local")


def _twilio_settings(reader: _Reader) -> TwilioSettings:
    d = TwilioSettings()
    token = reader.secret("TWILIO_AUTH_TOKEN")
    account_sid = reader.text("TWILIO_ACCOUNT_SID", "") or None
    from_number = reader.text("TWILIO_FROM_NUMBER", "") or None
    if bool(account_sid) != bool(from_number):
        raise ConfigurationError(
            "set both TWILIO_ACCOUNT_SID and TWILIO_FROM_NUMBER (or "
            "neither, to use the local outbox)"
        )
    if not reader.is_local and not account_sid:
        raise ConfigurationError(
            "TWILIO_ACCOUNT_SID and TWILIO_FROM_NUMBER must be set when POLICYLINE_ENV is not local"
        )
    timeout = reader.number("TWILIO_HTTP_TIMEOUT_S", d.http_timeout_s)
    if timeout <= 0:
        raise ConfigurationError("TWILIO_HTTP_TIMEOUT_S must be positive")
    base_url = reader.text("PUBLIC_WEBHOOK_BASE_URL", "").strip().rstrip("/") or None
    if base_url is not None and not base_url.startswith(("http://", "https://")):
        raise ConfigurationError("PUBLIC_WEBHOOK_BASE_URL must start with http:// or https://")
    return TwilioSettings(
        auth_token=token,
        account_sid=account_sid,
        from_number=from_number,
        http_timeout_s=timeout,
        public_webhook_base_url=base_url,
        trust_forwarded_headers=reader.flag("TRUST_FORWARDED_HEADERS", d.trust_forwarded_headers),
    )


def _voice_settings(reader: _Reader) -> VoiceSettings:
    d = VoiceSettings()
    return VoiceSettings(
        voice=reader.text("TWILIO_VOICE_NAME", d.voice),
        turn_deadline_s=reader.number("VOICE_TURN_DEADLINE_S", d.turn_deadline_s),
        taskrouter_workflow_sid=reader.text("TWILIO_TASKROUTER_WORKFLOW_SID", "") or None,
    )


def _stripe_settings(reader: _Reader, localstripe_port: int) -> StripeSettings:
    d = StripeSettings()
    secret_key = reader.secret("STRIPE_SECRET_KEY")
    local_key = secret_key == LOCAL_SECRETS["STRIPE_SECRET_KEY"]
    localstripe = f"http://127.0.0.1:{reader.integer('LOCALSTRIPE_PORT', localstripe_port)}"
    api_base = reader.text("STRIPE_API_BASE", localstripe if local_key else "").rstrip("/")
    publishable_key = reader.text(
        "STRIPE_PUBLISHABLE_KEY", LOCAL_STRIPE_PUBLISHABLE_KEY if local_key else ""
    )
    if not publishable_key:
        raise ConfigurationError("STRIPE_PUBLISHABLE_KEY must be set with a real STRIPE_SECRET_KEY")
    return StripeSettings(
        secret_key=secret_key,
        publishable_key=publishable_key,
        webhook_secret=reader.secret("STRIPE_WEBHOOK_SECRET"),
        api_base=api_base or None,
        webhook_tolerance_s=reader.integer("STRIPE_WEBHOOK_TOLERANCE_S", d.webhook_tolerance_s),
        http_timeout_s=reader.number("STRIPE_HTTP_TIMEOUT_S", d.http_timeout_s),
        max_network_retries=reader.integer("STRIPE_MAX_NETWORK_RETRIES", d.max_network_retries),
        currency=reader.text("STRIPE_CURRENCY", d.currency).lower(),
        twilio_pay_connector=reader.text("TWILIO_PAY_CONNECTOR", d.twilio_pay_connector),
    )


def load_settings() -> Settings:
    """Settings for this process, from its environment."""
    return Settings.from_env()
