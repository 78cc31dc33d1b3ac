"""Claim status alerts: read the PAS claim timeline as a change feed and tell opted-in holders.

Why the timeline and not polling each claim: the carrier's PAS cannot be changed (no change feed,
no webhooks), but the read replica already carries the claims timeline, one row per milestone,
with a key that grows as rows are written. Reading ``id > cursor`` is one indexed query per poll,
whatever the size of the book, and it sees every milestone, including ones a claim passes
between two polls (a snapshot diff of claim detail would call the API once per open claim per
poll and would miss them). The API is called only for a claim that changed, and only the policy
and policyholder of a claim someone opted in for.

One poll (``poll_once``):

1. Read timeline rows after the cursor (at most ``batch_size``). On the very first start the
   cursor is set to the newest row: history is never announced. A feed whose newest row is below
   the cursor was rebuilt (a sandbox reset, a restored replica): the cursor follows it back.
2. For each row: skip it when it is older than ``max_event_age`` (a late alert is noise) or when
   its change already has deliveries; else look up the claim (policy), the opt-ins, then the
   policyholder (number, address, state) and plan one delivery per opted-in channel, held until
   the end of quiet hours in the holder's time zone. The unique key (change, channel) makes this
   idempotent across restarts and concurrent notifiers.
3. Advance the cursor past rows handled. A hole in the ids (a writer that has not committed yet,
   on databases whose sequences are not commit-ordered) holds the cursor for ``gap_settle`` so
   the late row is not skipped; rows after it are handled meanwhile, and re-reading them is free.
   A PAS failure stops the batch; the cursor stays and the rows are read again next poll.

``deliver_due`` then sends what is due (claimed row by row, see ``claim_alerts_store``), checking
the opt-in again and, for texts, the suppression list (``SmsSender`` enforces STOP).
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.clock import Clock, utc_now
from bot.notifications.claim_alerts_messages import AlertTexts
from bot.notifications.claim_alerts_quiet_hours import QuietHours, zone_for_state
from bot.notifications.claim_alerts_store import (
    ClaimAlertStore,
    DueDelivery,
    PlannedDelivery,
    recipient_key,
)
from bot.notifications.email_sender import EmailSender, is_plausible_address
from bot.notifications.sms import SmsSender
from bot.phone_numbers import to_e164
from pas_connector.connector import PasConnector
from pas_connector.errors import PasError, PasNotFound
from pas_connector.models import ClaimChange

log = logging.getLogger("bot.notifications.claim_alerts")

FEED = "pas-claim-timeline"


@dataclass(frozen=True)
class NotifierConfig:
    """How the notifier polls and sends (defaults match ``ClaimAlertSettings``)."""

    batch_size: int = 500
    max_event_age: timedelta = timedelta(hours=72)
    gap_settle: timedelta = timedelta(seconds=60)
    lease: timedelta = timedelta(minutes=2)
    send_batch: int = 200
    concurrency: int = 8  # claims looked up at once (the PAS client also rate-limits)
    max_attempts: int = 5
    retry_base: timedelta = timedelta(seconds=30)


@dataclass
class PollResult:
    read: int = 0
    planned: int = 0
    cursor: int = 0


@dataclass
class DeliveryResult:
    sent: int = 0
    suppressed: int = 0
    unsubscribed: int = 0
    failed: int = 0
    retried: int = 0


@dataclass
class NotifierStatus:
    """What ``/health`` shows."""

    cursor: int | None = None
    last_poll_at: datetime | None = None
    last_error: str | None = None
    totals: dict[str, int] = field(default_factory=dict)


class ClaimAlertNotifier:
    """Finds claim changes and sends the alerts. One per process; several may share a database."""

    def __init__(
        self,
        *,
        connector: PasConnector,
        store: ClaimAlertStore,
        sms: SmsSender,
        email: EmailSender,
        texts: AlertTexts,
        quiet_hours: QuietHours,
        hash_key: str,
        config: NotifierConfig | None = None,
        clock: Clock = utc_now,
        instance_id: str | None = None,
    ) -> None:
        self._connector = connector
        self._store = store
        self._sms = sms
        self._email = email
        self._texts = texts
        self._quiet = quiet_hours
        self._hash_key = hash_key
        self._config = config or NotifierConfig()
        self._clock = clock
        self.instance_id = instance_id or f"notifier-{uuid.uuid4().hex[:12]}"
        self._gaps: dict[int, datetime] = {}  # missing id -> when first seen missing
        self.status = NotifierStatus()

    # --- detection -----------------------------------------------------------------------------

    async def poll_once(self) -> PollResult:
        """Read the feed after the cursor and plan the alerts for what changed."""
        cursor = await asyncio.to_thread(self._store.cursor, FEED)
        if cursor is None:
            head = await self._connector.latest_claim_change_id()
            cursor = await asyncio.to_thread(self._store.start_cursor, FEED, head)
            log.info("claim alert cursor started at the newest timeline row (%d)", cursor)
        changes = await self._connector.claim_changes_after(cursor, self._config.batch_size)
        result = PollResult(read=len(changes), cursor=cursor)
        if not changes:
            head = await self._connector.latest_claim_change_id()
            if head < cursor:
                log.warning(
                    "claim timeline was rebuilt (newest row %d < cursor %d): following it back",
                    head,
                    cursor,
                )
                await asyncio.to_thread(self._store.reset_cursor, FEED, head)
                result.cursor = head
            self._mark_polled(result.cursor)
            return result

        now = self._clock()
        handled = await self._plan_all(changes, now, result)
        advance_to, blocked = cursor, False
        for change in changes:
            if change.event_id != advance_to + 1 and not blocked:
                blocked = not self._gap_settled(advance_to + 1, now)
            if blocked or not handled.get(change.event_id, False):
                break
            advance_to = change.event_id
        if advance_to > cursor:
            await asyncio.to_thread(self._store.advance_cursor, FEED, advance_to)
            self._gaps = {k: v for k, v in self._gaps.items() if k > advance_to}
        result.cursor = advance_to
        self._mark_polled(advance_to)
        return result

    async def _plan_all(
        self, changes: tuple[ClaimChange, ...], now: datetime, result: PollResult
    ) -> dict[int, bool]:
        """Plan every change; which rows were handled (False: retry them next poll).

        Claims are planned concurrently (the PAS lookups dominate), each claim's changes in
        order, so its alerts are queued, and sent, in the order they happened.
        """
        by_claim: dict[str, list[ClaimChange]] = {}
        for change in changes:
            by_claim.setdefault(change.claim_number, []).append(change)
        handled: dict[int, bool] = {}
        limit = asyncio.Semaphore(self._config.concurrency)

        async def plan_claim(claim_changes: list[ClaimChange]) -> None:
            for change in claim_changes:
                try:
                    async with limit:
                        planned = await self._plan(change, now)
                    result.planned += planned
                except PasError as exc:
                    # The claim, policy or holder could not be read: try again next poll.
                    log.warning(
                        "claim alert planning stopped at row %d: %s",
                        change.event_id,
                        type(exc).__name__,
                    )
                    self.status.last_error = type(exc).__name__
                    return
                handled[change.event_id] = True

        await asyncio.gather(*(plan_claim(group) for group in by_claim.values()))
        return handled

    def _gap_settled(self, missing_id: int, now: datetime) -> bool:
        first_seen = self._gaps.setdefault(missing_id, now)
        settled = now - first_seen >= self._config.gap_settle
        if settled:
            log.info("timeline row %d never appeared; moving past it", missing_id)
        return settled

    def _mark_polled(self, cursor: int) -> None:
        self.status.cursor = cursor
        self.status.last_poll_at = self._clock()

    async def _plan(self, change: ClaimChange, now: datetime) -> int:
        if now - change.occurred_at > self._config.max_event_age:
            return 0
        if await asyncio.to_thread(self._store.is_planned, change.change_key):
            return 0
        try:
            claim = (await self._connector.get_claim(change.claim_number)).value
        except PasNotFound:
            log.warning("timeline row %d names a claim the PAS does not know", change.event_id)
            return 0
        opt_ins = await asyncio.to_thread(self._store.opt_ins, claim.policy_number)
        channels = [o.channel for o in opt_ins if o.active]
        if not channels:
            return 0
        policy = (await self._connector.get_policy(claim.policy_number)).value
        holder = (await self._connector.get_policyholder(policy.holder_id)).value
        zone = zone_for_state(holder.address.state)
        not_before = self._quiet.release_at(now, zone)
        planned = 0
        for channel in channels:
            destination = self._destination(channel, holder.phone, holder.email)
            if destination is None:
                log.info(
                    "no usable %s on file for a claim alert (row %d)", channel, change.event_id
                )
                continue
            if channel == "sms":
                subject, body = None, self._texts.sms(change.claim_number, change.milestone)
            else:
                subject, body = self._texts.email(
                    change.claim_number, change.milestone, change.next_action
                )
            delivery = PlannedDelivery(
                change_key=change.change_key,
                channel=channel,
                claim_number=change.claim_number,
                policy_number=claim.policy_number,
                recipient_key=recipient_key(self._hash_key, channel, destination),
                destination=destination,
                time_zone=zone.key,
                subject=subject,
                body=body,
                not_before=not_before,
            )
            planned += await asyncio.to_thread(self._store.plan, delivery)
        return planned

    @staticmethod
    def _destination(channel: str, phone: str, email: str) -> str | None:
        if channel == "sms":
            return to_e164(phone)
        return email if is_plausible_address(email) else None

    # --- delivery ------------------------------------------------------------------------------

    async def deliver_due(self) -> DeliveryResult:
        """Send every delivery that is due and that this notifier manages to claim."""
        result = DeliveryResult()
        due = await asyncio.to_thread(
            self._store.claim_due,
            self.instance_id,
            limit=self._config.send_batch,
            lease=self._config.lease,
        )
        for delivery in due:
            await self._send(delivery, result)
        return result

    async def _send(self, delivery: DueDelivery, result: DeliveryResult) -> None:
        store, owner = self._store, self.instance_id
        opted_in = await asyncio.to_thread(
            store.is_opted_in, delivery.policy_number, delivery.channel
        )
        if not opted_in:
            await asyncio.to_thread(store.finish, delivery.id, owner, "unsubscribed")
            result.unsubscribed += 1
            return
        if delivery.channel == "sms":
            sms = await asyncio.to_thread(self._sms.send_sms, delivery.destination, delivery.body)
            if sms.accepted:
                await asyncio.to_thread(store.finish, delivery.id, owner, "sent", sms.message_id)
                result.sent += 1
            elif sms.status == "suppressed":
                await asyncio.to_thread(store.finish, delivery.id, owner, "suppressed")
                result.suppressed += 1
            elif sms.status == "invalid_number":
                await asyncio.to_thread(store.finish, delivery.id, owner, "failed")
                result.failed += 1
            else:
                await self._retry_or_fail(delivery, result)
            return
        mail = await asyncio.to_thread(
            self._email.send_email, delivery.destination, delivery.subject or "", delivery.body
        )
        if mail.accepted:
            await asyncio.to_thread(store.finish, delivery.id, owner, "sent", mail.message_id)
            result.sent += 1
        elif mail.status == "invalid_address":
            await asyncio.to_thread(store.finish, delivery.id, owner, "failed")
            result.failed += 1
        else:
            await self._retry_or_fail(delivery, result)

    async def _retry_or_fail(self, delivery: DueDelivery, result: DeliveryResult) -> None:
        if delivery.attempts >= self._config.max_attempts:
            await asyncio.to_thread(self._store.finish, delivery.id, self.instance_id, "failed")
            result.failed += 1
            return
        backoff = self._config.retry_base * (2 ** (delivery.attempts - 1))
        zone = ZoneInfo(delivery.time_zone)
        not_before = self._quiet.release_at(self._clock() + backoff, zone)
        await asyncio.to_thread(self._store.retry_later, delivery.id, self.instance_id, not_before)
        result.retried += 1

    # --- the loop ------------------------------------------------------------------------------

    async def run_once(self) -> tuple[PollResult, DeliveryResult]:
        """One poll, then one round of deliveries."""
        polled = await self.poll_once()
        delivered = await self.deliver_due()
        self.status.totals = await asyncio.to_thread(self._store.count_by_state)
        return polled, delivered

    async def run_forever(self, stop: asyncio.Event, interval_s: float) -> None:
        """Poll and deliver every ``interval_s`` until ``stop`` is set; errors are logged."""
        while not stop.is_set():
            try:
                polled, delivered = await self.run_once()
                self.status.last_error = None
                if polled.planned or delivered.sent or delivered.failed:
                    log.info(
                        "claim alerts: %d rows read, %d planned, %d sent, %d suppressed, %d failed",
                        polled.read,
                        polled.planned,
                        delivered.sent,
                        delivered.suppressed,
                        delivered.failed,
                    )
            except PasError as exc:
                self.status.last_error = type(exc).__name__
                log.warning("claim alert poll failed: %s", type(exc).__name__)
            except Exception as exc:  # keep the loop alive; the next poll retries
                self.status.last_error = type(exc).__name__
                log.exception("claim alert poll crashed")
            try:
                await asyncio.wait_for(stop.wait(), timeout=interval_s)
            except asyncio.TimeoutError:
                pass
