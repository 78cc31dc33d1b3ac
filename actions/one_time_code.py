"""The one-time code step: possession of the number on file (docs/architecture.md "Identity").

Web chat has no phone number to stand for possession, and an SMS or call from a number that is
not on file proves nothing either. So when the date of birth and ZIP match there
(``action_verify_identity`` gets ``CODE_REQUIRED``), a code is texted to the number on file
(``send_one_time_code``) and
``one_time_code_form`` asks for it; ``action_check_one_time_code`` checks it. A wrong code counts
as a failed verification (three lock the conversation and the policyholder for 15 minutes); an
expired or used-up code starts verification again. The code slot is cleared after every check.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.base import PolicylineAction, SafeFormValidation, Turn
from bot.conversation.answers.common import OFFER_PERSON
from bot.conversation.answers.one_time_codes import code_budget_spent
from bot.conversation.identity import VerificationStatus
from bot.conversation.one_time_codes import CheckStatus, SendStatus, read_code
from bot.conversation.outcomes import Outcome
from bot.conversation.send_budget import SendSource

_CLEAR_CODE = [SlotSet("one_time_code", None)]


async def send_one_time_code(turn: Turn, holder_id: str) -> list[EventType]:
    """Text a code to the number on file and ask for it (or explain why it cannot be sent)."""
    # The source of the request: the number an SMS or call came from, else the chat session.
    source = SendSource.phone(turn.phone) if turn.phone else SendSource.chat(turn.conversation_id)
    sent = await turn.services.one_time_codes.send(turn.conversation_id, holder_id, source=source)
    if sent.status is SendStatus.SENT and sent.phone_hint:
        minutes = turn.services.one_time_codes.policy.minutes
        turn.say(
            "Thanks. To finish, I've texted a 6-digit code to the number we have on file ending "
            f"in {sent.phone_hint[-2:]}. It expires in {minutes} minutes."
        )
        return [SlotSet("code_sent", True), FollowupAction("one_time_code_form")]
    if sent.status is SendStatus.LIMITED and sent.retry_after is not None:
        # Explain and offer a person, then listen (as for a lock): no code, no code form.
        contact = turn.services.settings.contact_centre_phone
        turn.say(f"{code_budget_spent(contact, sent.retry_after)} {OFFER_PERSON}")
        await turn.record(turn.slot("pending_task"), Outcome.FAILED, reason="code_send_limit")
        return [SlotSet("code_sent", False), SlotSet("pending_task", None)]
    turn.say(
        "Sorry, I can't text a code to the number we have on file, so I can't verify you in "
        f"this chat. {OFFER_PERSON}"
    )
    await turn.record(turn.slot("pending_task"), Outcome.FAILED, reason="code_not_sent")
    return [SlotSet("code_sent", False), SlotSet("pending_task", None)]


class ValidateOneTimeCodeForm(SafeFormValidation):
    """Accepts 6 digits (spaces and dashes allowed); anything else is asked again."""

    def name(self) -> str:
        return "validate_one_time_code_form"

    def validate_one_time_code(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        code = read_code(str(value or ""))
        if code is None:
            dispatcher.utter_message(
                text="Please type the 6-digit code from the text message we sent you."
            )
            return {"one_time_code": None}
        return {"one_time_code": code}


class ActionCheckOneTimeCode(PolicylineAction):
    """Checks the code: right → verified and the task resumes; wrong → counted, asked again."""

    def name(self) -> str:
        return "action_check_one_time_code"

    async def act(self, turn: Turn) -> list[EventType]:
        code = read_code(str(turn.slot("one_time_code") or ""))
        if code is None:
            return [
                *_CLEAR_CODE,
                SlotSet("verification_result", "code_retry"),
                FollowupAction("one_time_code_form"),
            ]
        check = await turn.services.one_time_codes.check(turn.conversation_id, code)
        identity = turn.services.identity
        if check.status is CheckStatus.VALID and check.holder_id:
            await identity.second_factor_passed(
                conversation_id=turn.conversation_id, holder_id=check.holder_id
            )
            turn.say("Thanks, you're verified.")
            return [
                *_CLEAR_CODE,
                SlotSet("code_sent", False),
                SlotSet("assurance", "verified"),
                SlotSet("holder_id", check.holder_id),
                SlotSet("identity_locked", False),
                SlotSet("fallback_count", 0.0),
                SlotSet("verification_result", "verified"),
                FollowupAction("action_resume_task"),
            ]
        if check.status is CheckStatus.WRONG and check.holder_id:
            counted = await identity.second_factor_failed(
                conversation_id=turn.conversation_id, holder_id=check.holder_id
            )
            if counted.status is VerificationStatus.LOCKED:
                # actions.identity imports this module: import its wording here, not at the top.
                from actions.identity import locked_text

                turn.say(locked_text(counted.locked_until))
                return [
                    *_CLEAR_CODE,
                    SlotSet("code_sent", False),
                    SlotSet("identity_locked", True),
                    SlotSet("verification_result", "locked"),
                    FollowupAction("action_handoff"),
                ]
            left = min(check.attempts_left, counted.attempts_left)
            if left > 0:
                tries = "1 more try" if left == 1 else f"{left} more tries"
                turn.say(f"Sorry, that code doesn't match. You have {tries}.")
                return [
                    *_CLEAR_CODE,
                    SlotSet("verification_result", "code_retry"),
                    FollowupAction("one_time_code_form"),
                ]
            turn.say("Sorry, that code doesn't match and can't be used again. Let's start over.")
        else:
            turn.say(
                "That code has expired. Let's check your details again and I'll send a new one."
            )
        return [
            *_CLEAR_CODE,
            SlotSet("code_sent", False),
            SlotSet("verification_result", "retry"),
            FollowupAction("verification_form"),
        ]
