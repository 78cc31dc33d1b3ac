"""Reading ahead of verification: the PAS reads a verified answer will need, started early.

A verified answer needs the policyholder's record (to check the date of birth and ZIP), the
holder's policy list (to choose the policy) and the task's own reads (billing, claims, the policy
summary). Made one after the other once the person is verified, they cost three or four PAS
round trips in the turn that answers. They are needed anyway, so they start as soon as the
policyholder is known, while the person is still answering the verification questions: by the
channel's number on file (SMS sender, caller ID) or by the policy number they give. What they
read goes only into the connector's cache (and is joined there by single-flight if still in
flight); the answer reads it back from there once verification has succeeded.

Gated: a read-ahead returns nothing to its caller. Nothing it reads reaches a message, a slot or
a log before the server-side verification record exists, because every task reads the PAS itself
(through the cache) only after that record says who the person is. docs/security.md, "What an
unverified person can cause to be read", says what may be read and how it is bounded:

- at most ``MAX_PER_CONVERSATION`` read-aheads per conversation in ``WINDOW_S`` (the same holder
  and task read again inside the window is not read again);
- at most ``MAX_RUNNING`` read-aheads in flight per process (more are skipped, not queued);
- at most ``MAX_POLICIES`` policies per holder;
- every read goes through the connector: audited (``pas_audit``), cached, rate-limited.

This module plans and runs the reads; who may start them (lockouts, the phone index, the policy
number) is decided by ``IdentityService.read_ahead``.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from typing import Any, Protocol

from bot.conversation.tasks import Chooses, Reads, Task
from pas_connector.models import Billing, Claim, Fresh, Policy, Policyholder, PolicyRef

logger = logging.getLogger(__name__)

WINDOW_S = 60.0
MAX_PER_CONVERSATION = 3
MAX_RUNNING = 64
MAX_POLICIES = 6


class ReadAheadPas(Protocol):
    """The PAS reads a read-ahead makes (a subset of ``PasConnector``)."""

    async def get_policyholder(self, holder_id: str) -> Fresh[Policyholder]: ...

    async def list_policies(self, holder_id: str) -> Fresh[tuple[PolicyRef, ...]]: ...

    async def get_policy(self, policy_number: str) -> Fresh[Policy]: ...

    async def get_billing(self, policy_number: str) -> Fresh[Billing]: ...

    async def list_claims(self, policy_number: str) -> Fresh[tuple[Claim, ...]]: ...


class ReadAhead:
    """Runs read-aheads in the background of one event loop, within the bounds above."""

    def __init__(
        self,
        pas: ReadAheadPas,
        *,
        window_s: float = WINDOW_S,
        max_per_conversation: int = MAX_PER_CONVERSATION,
        max_running: int = MAX_RUNNING,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._pas = pas
        self._window_s = window_s
        self._max_per_conversation = max_per_conversation
        self._max_running = max_running
        self._monotonic = monotonic
        # (conversation, what) -> when it started; insertion order is start order.
        self._started: dict[tuple[str, str], float] = {}
        self._per_conversation: Counter[str] = Counter()
        self._running: set[asyncio.Task[None]] = set()

    def start(
        self, conversation: str, what: str, job: Callable[[], Coroutine[Any, Any, None]]
    ) -> bool:
        """Run ``job`` in the background unless the bounds say no; whether it was started."""
        now = self._monotonic()
        self._forget_before(now - self._window_s)
        key = (conversation, what)
        if (
            key in self._started
            or self._per_conversation[conversation] >= self._max_per_conversation
            or len(self._running) >= self._max_running
        ):
            return False
        self._started[key] = now
        self._per_conversation[conversation] += 1
        task = asyncio.get_running_loop().create_task(self._quietly(job()))
        self._running.add(task)
        task.add_done_callback(self._running.discard)
        return True

    async def warm(self, holder_id: str, known: Sequence[str], task: Task | None) -> None:
        """Read what verifying ``holder_id`` and then answering ``task`` will read.

        ``known`` are policy numbers already known to be the holder's (the one given, or the only
        one on the phone index): their task reads start in the same round as the holder's record
        and policy list. The other policies' reads wait for the list (eligibility, how many).
        """
        reads = task.reads if task is not None else ()
        first: list[Awaitable[object]] = [
            self._pas.get_policyholder(holder_id),
            self._pas.list_policies(holder_id),
        ]
        first += [read for number in known[:MAX_POLICIES] for read in self._reads(number, reads)]
        results = await asyncio.gather(*first, return_exceptions=True)
        listed = results[1]
        if task is None or not isinstance(listed, Fresh):
            return
        refs: tuple[PolicyRef, ...] = listed.value
        candidates = [r.policy_number for r in refs if task.eligible(r)][:MAX_POLICIES]
        later = [read for n in candidates if n not in known for read in self._reads(n, reads)]
        if len(candidates) > 1 and task.chooses is Chooses.POLICY and Reads.POLICY not in reads:
            # Choosing between policies reads each one's summary (vehicles, addresses).
            later += [self._pas.get_policy(n) for n in candidates]
        await asyncio.gather(*later, return_exceptions=True)

    async def drain(self) -> None:
        """Wait for every read-ahead in flight (tests; shutdown)."""
        while self._running:
            await asyncio.gather(*list(self._running), return_exceptions=True)

    async def aclose(self) -> None:
        """Stop every read-ahead in flight."""
        for task in list(self._running):
            task.cancel()
        await self.drain()

    def _reads(self, policy_number: str, reads: Sequence[Reads]) -> list[Awaitable[object]]:
        calls: dict[Reads, Callable[[str], Awaitable[object]]] = {
            Reads.POLICY: self._pas.get_policy,
            Reads.BILLING: self._pas.get_billing,
            Reads.CLAIMS: self._pas.list_claims,
        }
        return [calls[read](policy_number) for read in reads]

    def _forget_before(self, cutoff: float) -> None:
        while self._started:
            key, started = next(iter(self._started.items()))
            if started > cutoff:
                return
            del self._started[key]
            conversation = key[0]
            self._per_conversation[conversation] -= 1
            if self._per_conversation[conversation] <= 0:
                del self._per_conversation[conversation]

    @staticmethod
    async def _quietly(job: Coroutine[Any, Any, None]) -> None:
        # Nobody waits for a read-ahead: a failure only means the answer reads for itself.
        try:
            await job
        except Exception as exc:
            logger.info("read-ahead stopped: %s", type(exc).__name__)
