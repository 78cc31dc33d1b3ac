"""Server-side sessions: the cookie carries only a random id; the data lives in ``web_sessions``.

- Cookie ``__Host-policyline-session`` (Secure, HttpOnly, SameSite=Lax, Path=/, no Domain): the
  ``__Host-`` prefix makes browsers refuse it unless it is Secure, host-only and Path=/. Over
  plain http the prefix and Secure flag are kept on loopback (Chromium and Firefox treat
  http://127.0.0.1 and http://localhost as secure contexts and store Secure cookies there); on any
  other plain-http host (local only: a phone on the LAN) the cookie is named without the prefix
  and is not Secure, and outside local/test that configuration is refused at start-up.
- The row is keyed by the SHA-256 of the id, so a database read does not yield live cookies.
- Idle timeout (``session_idle_s``, 15 min) from the last request that counts as activity (the
  JavaScript status poll does not), and an absolute lifetime (``session_absolute_s``) from
  sign-in. An expired session is deleted and replaced by an empty one carrying a notice.
- ``regenerate_session()`` issues a new id for the same data (at sign-in and at step-up), so a
  session id planted before sign-in (fixation) is worthless afterwards.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from datetime import datetime, timedelta
from typing import Any

from flask import Flask, Request, Response, g, session
from flask.sessions import SessionInterface, SessionMixin
from sqlalchemy import delete, insert, select, update
from sqlalchemy.engine import Engine
from werkzeug.datastructures import CallbackDict

from bot.accounts.tables import live_web_session, web_sessions
from bot.clock import Clock, as_utc

PASSIVE_FLAG = "policyline_passive_request"


def _id_hash(sid: str) -> str:
    return hashlib.sha256(sid.encode()).hexdigest()


class ServerSession(CallbackDict, SessionMixin):  # type: ignore[type-arg]
    def __init__(
        self,
        initial: dict[str, Any] | None = None,
        *,
        sid: str | None = None,
        created_at: datetime | None = None,
        last_seen_at: datetime | None = None,
    ) -> None:
        def on_update(_: Any) -> None:
            self.modified = True

        super().__init__(initial or {}, on_update)
        self.sid = sid
        self.new = sid is None
        self.created_at = created_at
        self.last_seen_at = last_seen_at
        self.modified = False
        self.regenerate = False
        self.reset_lifetime = False
        self.destroy = False


def regenerate_session(*, restart_lifetime: bool) -> None:
    """Give this session a new id at the end of the request (old id stops working)."""
    current = session._get_current_object()  # type: ignore[attr-defined]
    if isinstance(current, ServerSession):
        current.regenerate = True
        current.reset_lifetime = current.reset_lifetime or restart_lifetime
        current.modified = True


def destroy_session() -> None:
    """Delete this session (sign-out); the browser gets an expired cookie."""
    current = session._get_current_object()  # type: ignore[attr-defined]
    if isinstance(current, ServerSession):
        current.destroy = True
        current.clear()


def mark_passive() -> None:
    """This request does not count as activity (the idle-timeout status poll)."""
    g.setdefault(PASSIVE_FLAG, True)


def current_session_key() -> str | None:
    """The ``web_sessions`` row key of this request's session (``None`` before it is saved).
    What a hand-over token is bound to; a new id (sign-in, step-up) ends that binding."""
    current = session._get_current_object()  # type: ignore[attr-defined]
    if isinstance(current, ServerSession) and current.sid is not None:
        return _id_hash(current.sid)
    return None


def session_times() -> tuple[datetime | None, datetime | None]:
    """(created_at, last_seen_at) of this request's session."""
    current = session._get_current_object()  # type: ignore[attr-defined]
    if isinstance(current, ServerSession):
        return current.created_at, current.last_seen_at
    return None, None


class DatabaseSessionInterface(SessionInterface):
    def __init__(self, engine: Engine, clock: Clock, *, idle_s: int, absolute_s: int) -> None:
        self._engine = engine
        self._clock = clock
        self.idle = timedelta(seconds=idle_s)
        self.absolute = timedelta(seconds=absolute_s)

    def open_session(self, app: Flask, request: Request) -> ServerSession:
        sid = request.cookies.get(self.get_cookie_name(app))
        if not sid or len(sid) > 128:
            return ServerSession()
        with self._engine.connect() as conn:
            row = (
                conn.execute(select(web_sessions).where(web_sessions.c.id_hash == _id_hash(sid)))
                .mappings()
                .first()
            )
        if row is None:
            return ServerSession()
        now = self._clock()
        created = as_utc(row["created_at"])
        last_seen = as_utc(row["last_seen_at"])
        data = json.loads(row["data"])
        expired = None
        if now >= as_utc(row["expires_at"]):
            expired = "absolute"
        elif now - last_seen >= self.idle:
            expired = "idle"
        if expired:
            self._delete(sid)
            fresh = ServerSession()
            if data.get("principal") or data.get("auth"):
                fresh["notice"] = f"expired_{expired}"
            return fresh
        return ServerSession(data, sid=sid, created_at=created, last_seen_at=last_seen)

    def _delete(self, sid: str) -> None:
        with self._engine.begin() as conn:
            conn.execute(delete(web_sessions).where(web_sessions.c.id_hash == _id_hash(sid)))

    def delete_for_account(self, account_id: int) -> int:
        with self._engine.begin() as conn:
            result = conn.execute(
                delete(web_sessions).where(web_sessions.c.account_id == account_id)
            )
        return int(result.rowcount or 0)

    def purge_expired(self) -> None:
        now = self._clock()
        with self._engine.begin() as conn:
            conn.execute(delete(web_sessions).where(~live_web_session(now, self.idle)))

    def save_session(self, app: Flask, session: SessionMixin, response: Response) -> None:
        assert isinstance(session, ServerSession)
        name = self.get_cookie_name(app)
        cookie = {
            "domain": None,
            "path": "/",
            "secure": self.get_cookie_secure(app),
            "httponly": True,
            "samesite": self.get_cookie_samesite(app),
        }
        if session.destroy or (not session and session.sid is not None):
            if session.sid:
                self._delete(session.sid)
            response.delete_cookie(name, **cookie)  # type: ignore[arg-type]
            return
        if not session:
            return
        now = self._clock()
        passive = bool(g.get(PASSIVE_FLAG))
        account_id = _account_id(session)
        data = json.dumps(dict(session), separators=(",", ":"))
        if session.sid is not None and not session.regenerate:
            values: dict[str, Any] = {"data": data, "account_id": account_id}
            if not passive:
                values["last_seen_at"] = now
            with self._engine.begin() as conn:
                conn.execute(
                    update(web_sessions)
                    .where(web_sessions.c.id_hash == _id_hash(session.sid))
                    .values(**values)
                )
            return
        created = now if (session.new or session.reset_lifetime) else session.created_at or now
        if session.sid is not None:
            self._delete(session.sid)
        sid = secrets.token_urlsafe(32)
        with self._engine.begin() as conn:
            conn.execute(
                insert(web_sessions).values(
                    id_hash=_id_hash(sid),
                    account_id=account_id,
                    data=data,
                    created_at=created,
                    last_seen_at=now,
                    expires_at=created + self.absolute,
                )
            )
        response.set_cookie(name, sid, **cookie)  # type: ignore[arg-type]
        response.vary.add("Cookie")


def _account_id(data: ServerSession) -> int | None:
    principal = data.get("principal") or data.get("auth") or {}
    value = principal.get("account_id") if isinstance(principal, dict) else None
    return int(value) if value is not None else None
