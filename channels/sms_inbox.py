"""Texts acknowledged to Twilio but not answered yet: kept in the app database until answered.

Twilio gets ``<Response/>`` before the turn runs (``channels.twilio_sms``), so from then on the
text is ours to answer. A row is written before the acknowledgement and deleted once the answer
has been handed to the SMS sender. If the server stops first, the text is not lost:

- graceful stop (SIGTERM): turns still running after the drain period are *released*;
- crash or SIGKILL: the row's lease simply runs out (``LEASE_S``; a running server renews the
  leases of its own turns while they run).

A starting server answers every released or expired row (``claim_due``), and keeps looking every
``SWEEP_INTERVAL_S``, so a peer's texts are picked up too. Claims are atomic per row (an UPDATE
that only succeeds on an expired lease), so two servers never answer the same row at once. A
text whose turn failed ``MAX_ATTEMPTS`` times gets the apology (try again, or call us) instead of
another try, so a text that breaks the bot cannot loop forever, nor go unanswered.

The sender's number and the text are personal data: they are stored sealed with Fernet under
``TRACKER_ENCRYPTION_KEY`` (like stored conversations), only while the text waits for its
answer. Logs name the ``MessageSid`` only.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from datetime import timedelta

from cryptography.fernet import Fernet, InvalidToken
from sqlalchemy import delete, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from bot.clock import Clock, utc_now
from bot.notifications.sms_inbound import sms_inbound
from channels.sms_service import InboundSms

log = logging.getLogger("channels.sms")

LEASE_S = 30.0
SWEEP_INTERVAL_S = 10.0
MAX_ATTEMPTS = 3


@dataclass
class Claimed:
    """What ``claim_due`` leased to this server."""

    answer: list[InboundSms] = field(default_factory=list)
    # Failed ``MAX_ATTEMPTS`` times: these get the apology instead of another try.
    give_up: list[InboundSms] = field(default_factory=list)


class SmsInbox:
    """The ``sms_inbound`` table: accept, finish, release, claim. Every call blocks (DB)."""

    def __init__(
        self,
        engine: Engine,
        key: str,
        *,
        lease_s: float = LEASE_S,
        clock: Clock = utc_now,
    ) -> None:
        self._engine = engine
        self._fernet = Fernet(key.encode())
        self._lease = timedelta(seconds=lease_s)
        self._clock = clock

    def accept(self, sms: InboundSms) -> bool:
        """Keep ``sms`` until ``done``, leased to this server; False if it is kept already."""
        now = self._clock()
        payload = {"from": sms.from_number, "body": sms.body, "num_media": sms.num_media}
        try:
            with self._engine.begin() as conn:
                conn.execute(
                    sms_inbound.insert().values(
                        message_sid=sms.message_sid,
                        sealed=self._fernet.encrypt(json.dumps(payload).encode()).decode(),
                        received_at=now,
                        lease_until=now + self._lease,
                        attempts=1,
                    )
                )
        except IntegrityError:
            return False  # a Twilio retry that reached another server: that one answers it
        return True

    def done(self, message_sid: str) -> None:
        """The text has been answered (or needs no answer): forget it."""
        with self._engine.begin() as conn:
            conn.execute(delete(sms_inbound).where(sms_inbound.c.message_sid == message_sid))

    def renew(self, message_sids: list[str]) -> None:
        """Extend the leases of turns this server is still running."""
        if not message_sids:
            return
        with self._engine.begin() as conn:
            conn.execute(
                update(sms_inbound)
                .where(sms_inbound.c.message_sid.in_(message_sids))
                .values(lease_until=self._clock() + self._lease)
            )

    def release(self, message_sids: list[str]) -> None:
        """This server stops before answering these: the next start (or a peer) answers them.

        An orderly stop is not a failed attempt, so it does not count towards ``MAX_ATTEMPTS``.
        """
        if not message_sids:
            return
        with self._engine.begin() as conn:
            conn.execute(
                update(sms_inbound)
                .where(sms_inbound.c.message_sid.in_(message_sids))
                .values(lease_until=self._clock(), attempts=sms_inbound.c.attempts - 1)
            )

    def claim_due(self, limit: int = 50) -> Claimed:
        """Texts whose lease ran out or was released, now leased to this server."""
        now = self._clock()
        with self._engine.connect() as conn:
            rows = conn.execute(
                select(sms_inbound.c.message_sid, sms_inbound.c.attempts)
                .where(sms_inbound.c.lease_until <= now)
                .order_by(sms_inbound.c.received_at)
                .limit(limit)
            ).all()
        claimed = Claimed()
        for message_sid, attempts in rows:
            with self._engine.begin() as conn:
                won = conn.execute(
                    update(sms_inbound)
                    .where(sms_inbound.c.message_sid == message_sid)
                    .where(sms_inbound.c.lease_until <= now)
                    .values(lease_until=now + self._lease, attempts=attempts + 1)
                ).rowcount
                sealed = conn.execute(
                    select(sms_inbound.c.sealed).where(sms_inbound.c.message_sid == message_sid)
                ).scalar_one_or_none()
            if not won or sealed is None:
                continue  # another server claimed it first
            inbound = self._open(message_sid, sealed)
            if inbound is None:
                continue
            if attempts >= MAX_ATTEMPTS:
                log.error("sms %s failed %d times: apologising instead", message_sid, attempts)
                claimed.give_up.append(inbound)
            else:
                claimed.answer.append(inbound)
        return claimed

    def pending(self) -> int:
        """How many texts wait for an answer (for tests and the logs)."""
        with self._engine.connect() as conn:
            return len(conn.execute(select(sms_inbound.c.message_sid)).all())

    def _open(self, message_sid: str, sealed: str) -> InboundSms | None:
        try:
            payload = json.loads(self._fernet.decrypt(sealed.encode()))
        except (InvalidToken, ValueError):
            # Sealed under a key rotated away: it cannot be answered; do not retry it forever.
            log.error("sms %s cannot be opened (TRACKER_ENCRYPTION_KEY changed): dropped",
                      message_sid)  # fmt: skip
            self.done(message_sid)
            return None
        return InboundSms(
            message_sid=message_sid,
            from_number=str(payload["from"]),
            body=payload.get("body"),
            num_media=int(payload.get("num_media") or 0),
        )
