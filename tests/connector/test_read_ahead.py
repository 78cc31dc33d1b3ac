"""Reads ahead of verification: the answer finds them in the cache, nothing is disclosed before
verification, and they stay within their bounds.

The conversation tests run the real actions on the PAS sandbox (``pas_flow``) and count PAS
requests where they arrive (the sandbox's request counter).
"""

from __future__ import annotations

import asyncio
from collections import Counter
from typing import Any

from actions.identity import ActionVerifyIdentity
from bot.conversation.read_ahead import ReadAhead
from bot.conversation.tasks import task_for
from pas_connector.models import Fresh, PolicyRef
from tests.actions.conftest import Conversation
from tests.connector.pas_flow import Flow
from tests.support.personas import JOSE, MARIA

CLAIM_BY_NUMBER = "GET /api/v1/claims/{claim_number}"


def routes(sandbox: Any) -> dict[str, int]:
    stats = sandbox.stats()["requests"]
    return {route: sum(by_status.values()) for route, by_status in stats.items()}


def said(flow: Flow, turns: slice) -> str:
    return "\n".join(text for turn in flow.messages[turns] for text in turn)


def slots_set(flow: Flow, turns: slice) -> dict[str, Any]:
    return {
        e["name"]: e["value"]
        for turn in flow.events[turns]
        for e in turn
        if e.get("event") == "slot" and e.get("value") is not None
    }


# --- a verified answer waits for nothing ---------------------------------------------------------


async def test_a_verified_balance_answer_makes_no_pas_request_of_its_own(services, sandbox, domain):
    flow = Flow(services, sandbox, domain, Conversation(phone=MARIA.phone))

    request, date_of_birth, zip_and_answer = await flow.verified_request(MARIA, "balance")

    assert "Your balance on policy" in said(flow, slice(-1, None))
    # The holder's record, policy list and billing, read while the questions were answered.
    assert request == 3
    assert (date_of_birth, zip_and_answer) == (0, 0)


async def test_a_claim_answer_reads_each_thing_once_and_never_the_claim_again(
    services, sandbox, domain
):
    flow = Flow(services, sandbox, domain, Conversation(phone=MARIA.phone))

    turns = await flow.verified_request(MARIA, "claim status")

    assert "Your adjuster is" in said(flow, slice(-1, None))
    assert sum(turns) == 3, routes(sandbox)  # holder, policy list, claim list
    assert turns[-1] == 0
    assert CLAIM_BY_NUMBER not in routes(sandbox)
    assert max(routes(sandbox).values()) == 1


async def test_a_second_task_on_cached_data_makes_no_pas_request(services, sandbox, domain):
    flow = Flow(services, sandbox, domain, Conversation(phone=MARIA.phone))
    await flow.verified_request(MARIA, "balance")

    assert await flow.task("autopay status") == 0
    assert await flow.task("balance") == 0
    assert "Autopay is" in said(flow, slice(-2, -1))


async def test_a_holder_with_two_policies_gets_the_choice_without_waiting(
    services, sandbox, domain
):
    flow = Flow(services, sandbox, domain, Conversation(phone=JOSE.phone))

    turns = await flow.verified_request(JOSE, "balance")

    assert "Which one" in said(flow, slice(-1, None))
    assert turns[-1] == 0  # policy list and both summaries (what the choice reads) were read


# --- gated by verification -----------------------------------------------------------------------


async def test_reads_ahead_of_verification_disclose_nothing_before_it_succeeds(
    services, sandbox, domain
):
    flow = Flow(services, sandbox, domain, Conversation(phone=MARIA.phone))
    await flow.turn("what's my balance", "check_balance", "action_check_balance")
    flow.talk.slots["requested_slot"] = "date_of_birth"
    await flow.turn(
        MARIA.date_of_birth_typed,
        "inform",
        "verification_form",
        date_of_birth=MARIA.date_of_birth_typed,
    )
    flow.talk.slots["requested_slot"] = "zip_code"
    await flow.turn("99999", "inform", "verification_form", zip_code="99999")

    assert sum(flow.requests) >= 3  # the records were read (into the cache) ...
    everything_said = said(flow, slice(None))
    assert "doesn't match our records" in everything_said
    # ... and none of them reached a message or a slot: no balance, policy, name or address.
    for secret in ("412", "balance on", MARIA.policy_number, MARIA.name, MARIA.holder_id):
        assert secret not in everything_said
    leaked = slots_set(flow, slice(None))
    assert MARIA.holder_id not in leaked.values()
    assert leaked.get("assurance") in (None, "anonymous")
    assert await services.identity.verified_identity(flow.talk.sender_id) is None


async def test_a_locked_conversation_causes_no_read_ahead(services, sandbox, domain):
    talk = Conversation(phone=MARIA.phone)
    flow = Flow(services, sandbox, domain, talk)
    for _ in range(3):
        talk.user("99999", "inform")
        talk.slots.update(date_of_birth="1985-04-12", zip_code="99999")
        await ActionVerifyIdentity().run(*flow_call(flow))
    await services.connector.invalidate_policy(MARIA.policy_number)

    again = Conversation(sender_id=talk.sender_id, phone=talk.phone)
    other = Flow(services, sandbox, domain, again)
    other.talk.slots["pending_task"] = "check_balance"
    other.talk.slots["requested_slot"] = "date_of_birth"
    made = await other.turn("april 12 1985", "inform", "verification_form")

    assert made == 0


def flow_call(flow: Flow) -> tuple[Any, Any, Any]:
    from rasa_sdk.executor import CollectingDispatcher

    return CollectingDispatcher(), flow.talk.tracker(), flow.domain


async def test_a_number_not_on_file_without_a_policy_number_reads_nothing(
    services, sandbox, domain
):
    flow = Flow(services, sandbox, domain, Conversation(phone="+15125559876"))

    made = await flow.turn("what's my balance", "check_balance", "action_check_balance")

    assert made == 0


# --- the read-ahead's own bounds -----------------------------------------------------------------


class CountingPas:
    """A fake PAS with two auto policies for one holder; counts each read."""

    def __init__(self) -> None:
        self.reads: Counter[str] = Counter()

    async def _read(self, what: str, value: Any) -> Fresh[Any]:
        self.reads[what] += 1
        await asyncio.sleep(0)
        return Fresh(value, fetched_at=None)  # type: ignore[arg-type]

    async def get_policyholder(self, holder_id: str) -> Fresh[Any]:
        return await self._read(f"holder {holder_id}", object())

    async def list_policies(self, holder_id: str) -> Fresh[Any]:
        refs = (
            PolicyRef("AUT-1", "auto", "active"),
            PolicyRef("HOM-2", "home", "cancelled"),
        )
        return await self._read(f"policies {holder_id}", refs)

    async def get_policy(self, number: str) -> Fresh[Any]:
        return await self._read(f"policy {number}", object())

    async def get_billing(self, number: str) -> Fresh[Any]:
        return await self._read(f"billing {number}", object())

    async def list_claims(self, number: str) -> Fresh[Any]:
        return await self._read(f"claims {number}", ())


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


async def test_a_read_ahead_reads_the_tasks_data_for_eligible_policies_only():
    pas = CountingPas()
    reader = ReadAhead(pas)

    await reader.warm("H1", (), task_for("autopay_enroll"))  # in-force policies only

    assert pas.reads == Counter({"holder H1": 1, "policies H1": 1, "billing AUT-1": 1})


async def test_a_read_ahead_is_not_repeated_inside_its_window_and_conversations_are_capped():
    pas = CountingPas()
    clock = Clock()
    reader = ReadAhead(pas, window_s=60, max_per_conversation=2, monotonic=clock)

    async def job() -> None:
        await reader.warm("H1", ("AUT-1",), task_for("check_balance"))

    assert reader.start("c1", "a", job) is True
    assert reader.start("c1", "a", job) is False  # the same, inside the window
    assert reader.start("c1", "b", job) is True
    assert reader.start("c1", "c", job) is False  # this conversation's cap
    assert reader.start("c2", "a", job) is True  # another conversation has its own
    await reader.drain()
    clock.now = 61.0
    assert reader.start("c1", "a", job) is True  # the window has passed
    await reader.drain()
    assert pas.reads["holder H1"] == 4


async def test_a_failing_read_ahead_is_dropped_quietly():
    class DownPas(CountingPas):
        async def list_policies(self, holder_id: str) -> Fresh[Any]:
            raise RuntimeError("unreachable")

    pas = DownPas()
    reader = ReadAhead(pas)

    async def job() -> None:
        await reader.warm("H1", (), task_for("check_balance"))

    assert reader.start("c1", "a", job)
    await reader.drain()  # no error reaches anyone
    assert pas.reads["holder H1"] == 1
