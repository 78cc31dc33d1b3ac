"""Follow-ups: details read as inform still start their request; a non-answer after a miss is
one more miss; a change of mind after an answer redoes the task."""

from __future__ import annotations

from actions.follow_up import ActionFollowUp
from tests.actions.conftest import JOSE, MARIA, Conversation, run


def _details(talk: Conversation, text: str, ranking: list[str], **entities: str) -> Conversation:
    talk.user(text, "inform")
    talk.latest["entities"] = [
        {"entity": name, "value": value, "start": 0, "end": 0} for name, value in entities.items()
    ]
    talk.latest["intent_ranking"] = [{"name": n, "confidence": 0.0} for n in ranking]
    talk.latest["intent_ranking"][0]["confidence"] = 1.0
    return talk


async def test_a_date_of_birth_with_a_request_starts_that_request(services, domain):
    talk = _details(
        Conversation(phone=MARIA.phone),
        "balance pls, dob 04/12/1985",
        ["inform", "check_balance", "bot_challenge"],
        date_of_birth="04/12/1985",
    )
    result = await run(ActionFollowUp(), talk, domain)
    assert result.slot("pending_task") == "check_balance"
    assert result.followup == "action_start_task"


async def test_a_policy_number_alone_starts_nothing(services, domain):
    talk = _details(
        Conversation(phone=MARIA.phone),
        "AUT-1000001",
        ["inform", "policy_summary"],
        policy_number="AUT-1000001",
    )
    result = await run(ActionFollowUp(), talk, domain)
    assert result.followup is None
    assert [m["response"] for m in result.messages] == ["utter_ask_task"]


async def test_gibberish_read_as_no_after_a_miss_counts_as_not_understood(services, domain):
    talk = Conversation(phone=MARIA.phone).user("lkjh poiu", "nlu_fallback")
    talk.events.append({"event": "slot", "name": "form_misses", "value": 1.0})
    talk.user("xcvb nm,.", "deny")
    result = await run(ActionFollowUp(), talk, domain)
    assert result.followup == "action_understanding_fallback"


async def test_a_plain_no_is_a_decline(services, domain):
    talk = Conversation(phone=MARIA.phone).user("nope", "deny")
    result = await run(ActionFollowUp(), talk, domain)
    assert result.followup is None
    assert [m["response"] for m in result.messages] == ["utter_no_problem"]


async def test_the_other_one_after_an_answer_redoes_the_task_for_the_other_policy(services, domain):
    talk = Conversation(phone=JOSE.phone).user("home summary", "policy_summary")
    talk.verified("H0000005")
    talk.slots.update({"last_task": "policy_summary", "policy_number": "HOM-2000002"})
    talk.user("no sorry, the other one", "deny")
    result = await run(ActionFollowUp(), talk, domain)
    assert result.followup == "action_resume_task"
    assert result.slot("pending_task") == "policy_summary"
    assert result.slot("policy_number") == "AUT-1000003"
