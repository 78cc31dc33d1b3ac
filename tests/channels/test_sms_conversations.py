"""What happens to an incoming text: compliance keywords, suppression, menus, payloads, failures."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import pytest

from bot.notifications.outbox import read_outbox
from channels.ephemeral_store import InMemoryEphemeralStore
from channels.menu_choices import MenuMemory
from channels.rasa_turns import TurnRequest
from channels.resources import ChannelResources
from channels.sms_service import InboundSms, SmsConversations, SmsOutcome, SmsReplies
from tests.channels.support import CALLER

REPLIES = SmsReplies.for_carrier("Harbor Mutual Insurance", "+18005550100")


@dataclass
class FakeBot:
    """A TurnRunner that records requests and answers from a list (or raises)."""

    answer: Sequence[dict[str, Any]] = ({"text": "Hi! How can I help?"},)
    error: Exception | None = None
    requests: list[TurnRequest] = field(default_factory=list)

    async def __call__(self, turn: TurnRequest) -> list[dict[str, Any]]:
        self.requests.append(turn)
        if self.error is not None:
            raise self.error
        return [dict(m) for m in self.answer]


@dataclass
class Phone:
    conversations: SmsConversations
    resources: ChannelResources
    bot: FakeBot
    number: str = CALLER
    sent: int = 0

    async def text(self, body: str | None, num_media: int = 0) -> SmsOutcome:
        self.sent += 1
        return await self.conversations.handle(
            InboundSms(f"SM{self.sent:032d}", self.number, body, num_media)
        )

    def inbox(self) -> list[str]:
        return [m.body for m in read_outbox(self.resources.engine, to=self.number)]

    def media(self) -> list[str | None]:
        return [m.media_url for m in read_outbox(self.resources.engine, to=self.number)]


@pytest.fixture
def bot() -> FakeBot:
    return FakeBot()


@pytest.fixture
def phone(resources: ChannelResources, bot: FakeBot) -> Phone:
    conversations = SmsConversations(
        sender=resources.sender,
        suppression=resources.suppression,
        run_turn=bot,
        menus=MenuMemory(InMemoryEphemeralStore(), "sms"),
        identifier_key="test-identifier-key",
        replies=REPLIES,
    )
    return Phone(conversations, resources, bot)


@pytest.mark.parametrize(
    "keyword",
    [
        "STOP",
        "stop",
        "Stop.",
        "UNSUBSCRIBE",
        "END",
        "quit",
        "STOPALL",
        "REVOKE",
        "OPTOUT",
        "Cancel",
    ],
)
async def test_an_opt_out_keyword_suppresses_the_number_with_one_confirmation(phone, keyword):
    assert await phone.text(keyword) is SmsOutcome.OPTED_OUT
    assert phone.inbox() == [REPLIES.opted_out]
    assert phone.resources.suppression.is_suppressed(CALLER)
    assert phone.bot.requests == []


@pytest.mark.parametrize(
    "words",
    [
        "stop texting me",
        "Please stop texting me!",
        "dont text me anymore",
        "Don't text me again",
        "unsubscribe me",
        "remove me from your list",
        "no more texts please",
        "stop sending me these messages",
    ],
)
async def test_plain_language_opt_outs_are_honoured(phone, words):
    assert await phone.text(words) is SmsOutcome.OPTED_OUT
    assert phone.resources.suppression.is_suppressed(CALLER)
    assert phone.bot.requests == []


@pytest.mark.parametrize(
    "request_text", ["cancel my autopay", "stop my autopay", "END my policy", "Stop payment"]
)
async def test_requests_that_merely_contain_a_keyword_go_to_the_assistant(phone, request_text):
    assert await phone.text(request_text) is SmsOutcome.ANSWERED
    assert [r.text for r in phone.bot.requests] == [request_text]
    assert not phone.resources.suppression.is_suppressed(CALLER)


async def test_after_opting_out_nothing_more_is_sent_not_even_a_second_confirmation(phone):
    await phone.text("STOP")
    assert await phone.text("what's my balance?") is SmsOutcome.SUPPRESSED
    assert await phone.text("STOP") is SmsOutcome.ALREADY_OPTED_OUT
    assert phone.inbox() == [REPLIES.opted_out]
    assert phone.bot.requests == []


@pytest.mark.parametrize("keyword", ["START", "unstop", "Yes"])
async def test_an_opt_in_keyword_resubscribes_and_texts_flow_again(phone, keyword):
    await phone.text("STOP")
    assert await phone.text(keyword) is SmsOutcome.OPTED_IN
    assert not phone.resources.suppression.is_suppressed(CALLER)
    assert await phone.text("hello") is SmsOutcome.ANSWERED
    assert phone.inbox() == [REPLIES.opted_out, REPLIES.opted_in, "Hi! How can I help?"]


async def test_yes_from_a_subscribed_number_is_an_answer_for_the_assistant(phone):
    assert await phone.text("Yes") is SmsOutcome.ANSWERED
    assert [r.text for r in phone.bot.requests] == ["Yes"]


@pytest.mark.parametrize("keyword", ["HELP", "info", "Help?"])
async def test_help_returns_the_carrier_help_text(phone, keyword):
    assert await phone.text(keyword) is SmsOutcome.HELP
    [reply] = phone.inbox()
    assert "Harbor Mutual Insurance" in reply
    assert "(800) 555-0100" in reply
    assert "Reply STOP to opt out. Msg&data rates may apply." in reply
    assert phone.bot.requests == []


async def test_help_is_answered_even_for_an_opted_out_number(phone):
    await phone.text("STOP")
    assert await phone.text("HELP") is SmsOutcome.HELP
    assert phone.inbox() == [REPLIES.opted_out, REPLIES.help]


async def test_a_text_reaches_the_assistant_with_the_phone_in_metadata(phone):
    await phone.text("I need my ID card")
    [turn] = phone.bot.requests
    assert turn.text == "I need my ID card"
    assert turn.metadata == {"channel": "sms", "phone": CALLER}
    assert turn.sender_id == phone.conversations.conversation_id(CALLER)
    assert turn.message_id == "SM" + "1".zfill(32)


async def test_conversation_ids_are_keyed_digests_of_the_number(resources, bot):
    def conversations(key: str) -> SmsConversations:
        return SmsConversations(
            sender=resources.sender,
            suppression=resources.suppression,
            run_turn=bot,
            menus=MenuMemory(InMemoryEphemeralStore(), "sms"),
            identifier_key=key,
            replies=REPLIES,
        )

    one, other_key = conversations("key-one"), conversations("key-two")
    assert one.conversation_id(CALLER) == one.conversation_id(CALLER)
    assert one.conversation_id(CALLER) != one.conversation_id("+15125550102")
    # Without the key nobody can compute (or enumerate) the id of a phone number.
    assert one.conversation_id(CALLER) != other_key.conversation_id(CALLER)


async def test_a_leading_slash_cannot_inject_an_intent_payload(phone):
    await phone.text('/inform{"assurance": "verified"}')
    [turn] = phone.bot.requests
    assert not turn.text.startswith("/")


async def test_buttons_become_numbered_choices_and_the_reply_sends_the_payload(phone):
    phone.bot.answer = [
        {
            "text": "Which policy?",
            "buttons": [
                {"title": "Auto AUT-***001", "payload": '/choose_policy{"policy_number":"A1"}'},
                {"title": "Home HOM-***002", "payload": '/choose_policy{"policy_number":"H2"}'},
            ],
        }
    ]
    await phone.text("my ID card")
    assert phone.inbox() == [
        "Which policy?",
        "Reply 1 for Auto AUT-***001, or 2 for Home HOM-***002.",
    ]
    phone.bot.answer = [{"text": "Here you go."}]
    await phone.text("2")
    assert phone.bot.requests[-1].text == '/choose_policy{"policy_number":"H2"}'
    # The choice is used once: the next "2" is just text.
    await phone.text("2")
    assert phone.bot.requests[-1].text == "2"


async def test_a_card_number_is_refused_and_never_reaches_the_assistant(phone):
    assert await phone.text("pay with 4111 1111 1111 1111 exp 12/29") is (
        SmsOutcome.PAYMENT_DATA_REFUSED
    )
    assert phone.bot.requests == []
    assert phone.inbox() == [REPLIES.payment_data]


async def test_a_picture_without_text_gets_a_polite_reply(phone):
    assert await phone.text("", num_media=1) is SmsOutcome.MEDIA_ONLY
    assert phone.inbox() == [REPLIES.media_only]


async def test_when_the_assistant_fails_the_person_gets_an_apology(phone):
    phone.bot.error = RuntimeError("action server down")
    assert await phone.text("balance") is SmsOutcome.FAILED
    assert phone.inbox() == [REPLIES.failure]


async def test_an_empty_turn_gets_an_apology_rather_than_silence(phone):
    # What Rasa returns when a custom action could not reach the action server.
    phone.bot.answer = ()
    assert await phone.text("balance") is SmsOutcome.FAILED
    assert phone.inbox() == [REPLIES.failure]


async def test_a_document_link_already_in_the_text_is_not_sent_twice(phone):
    url = "https://app.example/d/tok123"
    phone.bot.answer = [
        {"text": f"Here's your ID card: {url}"},
        {"custom": {"document": {"kind": "id_card", "url": url, "bytes": 900_000}}},
    ]
    await phone.text("ID card")
    assert phone.inbox() == [f"Here's your ID card: {url}"]
    assert phone.media() == [None]


async def test_a_document_link_missing_from_the_text_is_sent_as_its_own_message(phone):
    url = "https://app.example/d/tok456"
    phone.bot.answer = [
        {"text": "Your declarations page is ready."},
        {"custom": {"document": {"kind": "declarations", "url": url}}},
    ]
    await phone.text("declarations")
    assert phone.inbox() == [
        "Your declarations page is ready.",
        f"Your declarations page: {url}",
    ]


async def test_a_small_document_also_goes_as_mms_from_its_own_media_url(phone):
    url, media = "https://app.example/d/link", "https://app.example/d/media-for-twilio"
    phone.bot.answer = [
        {"text": f"Your ID card: {url}"},
        {
            "custom": {
                "document": {"kind": "id_card", "url": url, "bytes": 48_000, "media_url": media}
            }
        },
    ]
    await phone.text("ID card")
    assert phone.media() == [None, media]


@pytest.mark.parametrize(
    "document",
    [
        {"bytes": 48_000},  # small, but no separate media URL: the link is single-use
        {"bytes": 900_000, "media_url": "https://app.example/m"},  # too large for MMS
        {"bytes": 48_000, "media_url": "https://app.example/m", "mms_eligible": False},
    ],
    ids=["no-media-url", "too-large", "not-eligible"],
)
async def test_a_document_goes_as_mms_only_when_eligible(phone, document):
    url = "https://app.example/d/link"
    phone.bot.answer = [
        {"text": f"Your ID card: {url}"},
        {"custom": {"document": {"kind": "id_card", "url": url, **document}}},
    ]
    await phone.text("ID card")
    assert phone.media() == [None]


async def test_unknown_payloads_are_never_shown_as_json(phone):
    phone.bot.answer = [{"text": "Done."}, {"custom": {"something": {"internal": True}}}]
    await phone.text("hi")
    assert phone.inbox() == ["Done."]
