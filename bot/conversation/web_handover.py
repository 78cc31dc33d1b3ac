"""The web hand-over token: carries a signed-in web session's identity into a chat conversation.

The web app mints it right after login (with MFA) and the chat widget sends it as message
metadata ``web_token``; the actions verify it. Signed with the app secret (itsdangerous), valid
for 120 seconds, carrying only the holder id and the assurance level reached on the web.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal, cast

from itsdangerous import BadSignature, SignatureExpired, TimestampSigner, URLSafeTimedSerializer

from bot.conversation.clock import Clock, utc_now

HANDOVER_MAX_AGE_S = 120
_SALT = "policyline.web-handover.v1"
Assurance = Literal["anonymous", "verified", "mfa"]
_CARRIED: tuple[str, ...] = ("verified", "mfa")


class InvalidHandover(Exception):
    """The token is forged, malformed or older than its maximum age."""


@dataclass(frozen=True)
class WebHandover:
    """What a valid hand-over token says."""

    holder_id: str
    assurance: Assurance


class WebHandoverSigner:
    """Mints and verifies hand-over tokens with an injected clock."""

    def __init__(
        self, secret_key: str, *, clock: Clock = utc_now, max_age_s: int = HANDOVER_MAX_AGE_S
    ) -> None:
        if not secret_key:
            raise ValueError("a secret key is required to sign hand-over tokens")
        clock_ref = clock

        class _ClockedSigner(TimestampSigner):
            def get_timestamp(self) -> int:
                return int(clock_ref().timestamp())

        self._serializer = URLSafeTimedSerializer(secret_key, salt=_SALT, signer=_ClockedSigner)
        self._max_age_s = max_age_s

    def mint(self, holder_id: str, assurance: Assurance) -> str:
        """A token for ``holder_id`` at ``assurance`` (``verified`` or ``mfa``)."""
        if assurance not in _CARRIED:
            raise ValueError(f"a hand-over carries verified or mfa, not {assurance!r}")
        return self._serializer.dumps({"h": holder_id, "a": assurance})

    def verify(self, token: str) -> WebHandover:
        """The hand-over in ``token``; raises ``InvalidHandover`` when it is not valid now."""
        try:
            payload: Any = self._serializer.loads(token, max_age=self._max_age_s)
        except SignatureExpired as exc:
            raise InvalidHandover("hand-over token expired") from exc
        except BadSignature as exc:
            raise InvalidHandover("hand-over token is not valid") from exc
        if not isinstance(payload, dict) or payload.get("a") not in _CARRIED:
            raise InvalidHandover("hand-over token has an unexpected payload")
        holder_id = payload.get("h")
        if not isinstance(holder_id, str) or not holder_id:
            raise InvalidHandover("hand-over token has no holder")
        return WebHandover(holder_id=holder_id, assurance=cast(Assurance, payload["a"]))


def _default_signer(secret_key: str | None, clock: Clock) -> WebHandoverSigner:
    if secret_key is None:
        from bot.settings import load_settings

        secret_key = load_settings().app_secret_key
    return WebHandoverSigner(secret_key, clock=clock)


def mint_web_handover(
    holder_id: str, assurance: Assurance, *, secret_key: str | None = None, clock: Clock = utc_now
) -> str:
    """Mint a hand-over token (the web app calls this after sign-in); secret from settings."""
    return _default_signer(secret_key, clock).mint(holder_id, assurance)


def verify_web_handover(
    token: str, *, secret_key: str | None = None, clock: Clock = utc_now
) -> WebHandover:
    """Verify a hand-over token; raises ``InvalidHandover``. Secret from settings by default."""
    return _default_signer(secret_key, clock).verify(token)
