"""The web hand-over token: carries a signed-in web session's identity into a chat conversation.

The web app mints it when it renders the chat widget for a signed-in policyholder (MFA done) and
the widget sends it as message metadata ``web_token``; the actions accept it
(``IdentityService.accept_handover``). Signed with the app secret (itsdangerous), valid for 120
seconds, carrying only the holder id, the assurance level reached on the web, and a random id.

A token is good for one conversation, and only while the web session that minted it lives:

- each mint records a *grant* (``web_handover_grants``): the token's random id (``jti``) and the
  web session it was minted in (the ``web_sessions`` row key, itself a hash of the cookie);
- accepting is one conditional UPDATE that marks the grant used only if it is unused, not
  revoked, not expired, and its web session is still alive (``live_web_session``: before its
  absolute end and not idle), so of any number of concurrent accepts exactly one succeeds, and
  a token outliving its web session (sign-out, idle or absolute timeout, a new session id at
  step-up) is refused;
- signing out revokes every grant of the session (``revoke_session``).

The token never reaches the tracker store: ``stored_events`` drops ``web_token`` from every event.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Literal, cast

from itsdangerous import BadSignature, SignatureExpired, TimestampSigner, URLSafeTimedSerializer
from sqlalchemy import Column, DateTime, String, Table, delete, insert, select, update
from sqlalchemy.engine import Engine

from bot.accounts.tables import live_web_session, web_sessions
from bot.clock import Clock, utc_now
from bot.db import metadata

HANDOVER_MAX_AGE_S = 120
_SALT = "policyline.web-handover.v1"
Assurance = Literal["anonymous", "verified", "mfa"]
_CARRIED: tuple[str, ...] = ("verified", "mfa")

web_handover_grants = Table(
    "web_handover_grants",
    metadata,
    Column("jti", String(64), primary_key=True),  # the token's random id (useless unsigned)
    # ``web_sessions.id_hash`` of the session that minted it (SHA-256 of the cookie's id)
    Column("web_session", String(64), nullable=False, index=True),
    Column("minted_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False, index=True),
    Column("used_at", DateTime(timezone=True), nullable=True),
    Column("revoked_at", DateTime(timezone=True), nullable=True),
)


class InvalidHandover(Exception):
    """The token is forged, malformed, expired, already used, revoked, or its session ended."""


@dataclass(frozen=True)
class WebHandover:
    """What a valid hand-over token says."""

    holder_id: str
    assurance: Assurance


class HandoverGrants:
    """The single-use records of minted tokens, bound to web sessions."""

    def __init__(self, engine: Engine, *, session_idle_s: int, clock: Clock = utc_now) -> None:
        self._engine = engine
        self._session_idle = timedelta(seconds=session_idle_s)
        self._clock = clock

    def grant(self, web_session: str, max_age_s: int) -> str:
        """A new token id bound to ``web_session``; expired grants are forgotten meanwhile."""
        jti = secrets.token_urlsafe(24)
        now = self._clock()
        with self._engine.begin() as conn:
            conn.execute(delete(web_handover_grants).where(web_handover_grants.c.expires_at <= now))
            conn.execute(
                insert(web_handover_grants).values(
                    jti=jti,
                    web_session=web_session,
                    minted_at=now,
                    expires_at=now + timedelta(seconds=max_age_s),
                )
            )
        return jti

    def consume(self, jti: str) -> bool:
        """Mark the grant used; True only for the one caller that did, while its session lives."""
        now = self._clock()
        grant = web_handover_grants.c
        session_alive = (
            select(web_sessions.c.id_hash)
            .where(web_sessions.c.id_hash == grant.web_session)
            .where(live_web_session(now, self._session_idle))
            .exists()
        )
        with self._engine.begin() as conn:
            used = conn.execute(
                update(web_handover_grants)
                .where(grant.jti == jti)
                .where(grant.used_at.is_(None), grant.revoked_at.is_(None))
                .where(grant.expires_at > now)
                .where(session_alive)
                .values(used_at=now)
            )
        return int(used.rowcount) == 1

    def revoke_session(self, web_session: str) -> int:
        """Revoke every unused grant minted in ``web_session`` (sign-out); how many."""
        grant = web_handover_grants.c
        with self._engine.begin() as conn:
            revoked = conn.execute(
                update(web_handover_grants)
                .where(grant.web_session == web_session)
                .where(grant.used_at.is_(None), grant.revoked_at.is_(None))
                .values(revoked_at=self._clock())
            )
        return int(revoked.rowcount or 0)


class WebHandoverSigner:
    """Mints, reads and accepts hand-over tokens with an injected clock.

    Minting and accepting need ``grants`` (the single-use records); without them a signer can
    only ``verify`` a token's signature, age and payload, which never accepts it.
    """

    def __init__(
        self,
        secret_key: str,
        *,
        clock: Clock = utc_now,
        max_age_s: int = HANDOVER_MAX_AGE_S,
        grants: HandoverGrants | None = None,
    ) -> None:
        if not secret_key:
            raise ValueError("a secret key is required to sign hand-over tokens")
        clock_ref = clock

        class _ClockedSigner(TimestampSigner):
            def get_timestamp(self) -> int:
                return int(clock_ref().timestamp())

        self._serializer = URLSafeTimedSerializer(secret_key, salt=_SALT, signer=_ClockedSigner)
        self._max_age_s = max_age_s
        self._grants = grants

    def mint(self, holder_id: str, assurance: Assurance, *, web_session: str) -> str:
        """A token for ``holder_id`` at ``assurance`` (``verified`` or ``mfa``), good once and
        only while ``web_session`` (a ``web_sessions.id_hash``) lives."""
        if assurance not in _CARRIED:
            raise ValueError(f"a hand-over carries verified or mfa, not {assurance!r}")
        jti = self._require_grants().grant(web_session, self._max_age_s)
        return self._serializer.dumps({"h": holder_id, "a": assurance, "j": jti})

    def verify(self, token: str) -> WebHandover:
        """What ``token`` says, if signed by us and young enough; raises ``InvalidHandover``.
        Reading a token does not accept it: ``accept`` does."""
        return self._read(token)[0]

    def accept(self, token: str) -> WebHandover:
        """Accept ``token`` for one conversation; raises ``InvalidHandover`` when it is not
        valid now, was accepted before, was revoked, or its web session ended."""
        handover, jti = self._read(token)
        if self._grants is None or jti is None or not self._grants.consume(jti):
            raise InvalidHandover("hand-over token is used, revoked or its session ended")
        return handover

    def revoke_session(self, web_session: str) -> int:
        """Revoke the unused tokens minted in ``web_session`` (sign-out)."""
        return self._require_grants().revoke_session(web_session)

    def _require_grants(self) -> HandoverGrants:
        if self._grants is None:
            raise RuntimeError("this signer keeps no hand-over grants: use build_web_handovers")
        return self._grants

    def _read(self, token: str) -> tuple[WebHandover, str | None]:
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
        jti = payload.get("j")
        handover = WebHandover(holder_id=holder_id, assurance=cast(Assurance, payload["a"]))
        return handover, jti if isinstance(jti, str) and jti else None


def build_web_handovers(
    secret_key: str, engine: Engine, *, session_idle_s: int, clock: Clock = utc_now
) -> WebHandoverSigner:
    """The signer both ends use on the application database: the web app mints and revokes
    with it, the action server accepts with it (``session_idle_s``: the web session idle
    timeout, ``AUTH_SESSION_IDLE_S``)."""
    grants = HandoverGrants(engine, session_idle_s=session_idle_s, clock=clock)
    return WebHandoverSigner(secret_key, clock=clock, grants=grants)


def mint_web_handover(
    holder_id: str,
    assurance: Assurance,
    *,
    web_session: str,
    engine: Engine,
    secret_key: str | None = None,
    clock: Clock = utc_now,
) -> str:
    """Mint a token bound to ``web_session`` (scripts and tests; the web app keeps one signer,
    ``bot.web.auth.flow.handovers``). Secret and idle timeout from settings by default."""
    from bot.settings import load_settings

    settings = load_settings()
    return build_web_handovers(
        secret_key or settings.app_secret_key,
        engine,
        session_idle_s=settings.auth.session_idle_s,
        clock=clock,
    ).mint(holder_id, assurance, web_session=web_session)


def verify_web_handover(
    token: str, *, secret_key: str | None = None, clock: Clock = utc_now
) -> WebHandover:
    """Read a token (signature, age, payload) without accepting it; raises ``InvalidHandover``.
    Secret from settings by default."""
    if secret_key is None:
        from bot.settings import load_settings

        secret_key = load_settings().app_secret_key
    return WebHandoverSigner(secret_key, clock=clock).verify(token)
