"""Twilio settings for outbound SMS, as a small frozen value object.

Read from a mapping of environment variables (``TwilioSettings.from_mapping``) so tests pass their
own. The same fail-fast rule as ``bot.settings``: outside local/test, the auth token must be set
to something other than the public local default, and the REST credentials must be complete (the
local outbox is a stand-in, never a production fallback). A partial REST configuration is an error
everywhere: silently writing to the outbox because one variable had a typo would lose messages.

Variables: ``TWILIO_AUTH_TOKEN``, ``TWILIO_ACCOUNT_SID``, ``TWILIO_FROM_NUMBER``,
``TWILIO_HTTP_TIMEOUT_S`` (default 5 s: the REST client has no timeout unless given one).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from bot.settings import LOCAL_SECRETS, ConfigurationError

LOCAL_ENVIRONMENTS = ("local", "test")


@dataclass(frozen=True)
class TwilioSettings:
    """What outbound SMS needs to know about the Twilio account."""

    auth_token: str = LOCAL_SECRETS["TWILIO_AUTH_TOKEN"]
    account_sid: str | None = None
    from_number: str | None = None
    http_timeout_s: float = 5.0

    @property
    def rest_configured(self) -> bool:
        """True when messages go to the Twilio REST API rather than the local outbox."""
        return bool(self.account_sid and self.from_number)

    @classmethod
    def from_mapping(cls, env: Mapping[str, str]) -> TwilioSettings:
        """Settings from environment variables in ``env`` (see the module docstring)."""
        local = env.get("POLICYLINE_ENV", "local") in LOCAL_ENVIRONMENTS
        token = env.get("TWILIO_AUTH_TOKEN") or ""
        if not token:
            if not local:
                raise ConfigurationError(
                    "TWILIO_AUTH_TOKEN must be set when POLICYLINE_ENV is not local"
                )
            token = LOCAL_SECRETS["TWILIO_AUTH_TOKEN"]
        elif not local and token == LOCAL_SECRETS["TWILIO_AUTH_TOKEN"]:
            raise ConfigurationError(
                "TWILIO_AUTH_TOKEN is the public local default; set the account's real auth token"
            )
        account_sid = env.get("TWILIO_ACCOUNT_SID") or None
        from_number = env.get("TWILIO_FROM_NUMBER") or None
        if bool(account_sid) != bool(from_number):
            raise ConfigurationError(
                "set both TWILIO_ACCOUNT_SID and TWILIO_FROM_NUMBER (or "
                "neither, to use the local outbox)"
            )
        if not local and not account_sid:
            raise ConfigurationError(
                "TWILIO_ACCOUNT_SID and TWILIO_FROM_NUMBER must be set when "
                "POLICYLINE_ENV is not local"
            )
        raw_timeout = env.get("TWILIO_HTTP_TIMEOUT_S") or "5"
        try:
            timeout = float(raw_timeout)
        except ValueError as exc:
            raise ConfigurationError(
                f"TWILIO_HTTP_TIMEOUT_S must be a number, got {raw_timeout!r}"
            ) from exc
        if timeout <= 0:
            raise ConfigurationError("TWILIO_HTTP_TIMEOUT_S must be positive")
        return cls(
            auth_token=token,
            account_sid=account_sid,
            from_number=from_number,
            http_timeout_s=timeout,
        )
