"""What happens to one incoming text, after its signature and de-duplication were checked.

In order: compliance keywords first (STOP and plain-language opt-outs, START, HELP: answered here,
never by the bot), then nothing at all for an opted-out number, then polite replies for texts over
Twilio's 1,600 characters (never read further), empty, media-only or card-number messages, then a
Rasa turn whose answer is sent through the
``SmsSender`` (which enforces the suppression list again, for messages racing an opt-out). The
first answer of a conversation starts with the AI disclosure (``first_reply``).

The conversation id is ``sms-`` + a keyed digest of the sender's number: stable per phone (Rasa
needs that to keep the conversation), but no phone number in tracker keys, lock keys, URLs of
Rasa's HTTP API or logs. The number itself travels in the message metadata, which the actions
need to find the policyholder.
"""

from __future__ import annotations

import asyncio
import enum
import logging
from dataclasses import dataclass

from bot.keyed_digest import pseudonym
from bot.notifications.claim_alerts_replies import ClaimKeywordReplies
from bot.notifications.sms import SmsSender
from bot.notifications.suppression import SuppressionList
from bot.phone_numbers import display_phone, to_e164
from channels.bot_messages import read_bot_turn
from channels.first_reply import FirstReplyDisclosure
from channels.inbound_text import (
    MAX_USER_TEXT_CHARS,
    clean_user_text,
    contains_payment_account_number,
)
from channels.menu_choices import MenuMemory, resolve_choice
from channels.rasa_turns import TurnRequest, TurnRunner
from channels.sms_keywords import (
    SmsKeyword,
    claim_alert_keyword,
    classify_sms_keyword,
    opt_out_source,
)
from channels.sms_rendering import OutgoingSms, render_sms_turn
from channels.sms_splitting import DEFAULT_PART_CHARS, split_sms

log = logging.getLogger("channels.sms")

CONVERSATION_PURPOSE = "sms-conversation"
INPUT_CHANNEL = "twilio_sms"


@dataclass(frozen=True)
class InboundSms:
    """The parts of Twilio's incoming-message webhook we use."""

    message_sid: str
    from_number: str
    body: str | None
    num_media: int = 0


class SmsOutcome(enum.Enum):
    OPTED_OUT = "opted_out"
    ALREADY_OPTED_OUT = "already_opted_out"
    OPTED_IN = "opted_in"
    HELP = "help"
    SUPPRESSED = "suppressed"  # an opted-out number wrote: nothing is sent
    EMPTY = "empty"
    MEDIA_ONLY = "media_only"
    TOO_LONG = "too_long"  # over Twilio's 1,600 characters: answered without a Rasa turn
    PAYMENT_DATA_REFUSED = "payment_data_refused"
    ANSWERED = "answered"
    CLAIM_KEYWORD = "claim_keyword"  # STATUS / ADJUSTER answered for a claim alert recipient
    FAILED = "failed"
    INVALID_SENDER = "invalid_sender"


@dataclass(frozen=True)
class SmsReplies:
    """The fixed replies of the SMS channel (carrier name and contact number filled in)."""

    help: str
    opted_out: str
    opted_in: str
    empty: str
    media_only: str
    too_long: str
    payment_data: str
    failure: str

    @classmethod
    def for_carrier(cls, carrier_name: str, contact_phone: str) -> SmsReplies:
        phone = display_phone(contact_phone)
        return cls(
            help=(
                f"{carrier_name}: policy help by text. Ask about ID cards, bills, payments or "
                f"claims, or call us at {phone}. Reply STOP to opt out. Msg&data rates may apply."
            ),
            opted_out=(
                f"{carrier_name}: you're unsubscribed and won't get more texts from this number. "
                "Reply START to resubscribe."
            ),
            opted_in=(
                f"{carrier_name}: you're subscribed again. Reply HELP for help, STOP to opt out. "
                "Msg&data rates may apply."
            ),
            empty=(
                "Sorry, your message came through empty. What can I help you with? For example: "
                "'ID card', 'my balance' or 'claim status'."
            ),
            media_only=(
                "Thanks. I can only read text, not pictures or files. Please type what you need, "
                f"or call us at {phone}."
            ),
            too_long=(
                "Sorry, that message is too long for me. Please send it in shorter parts, or "
                f"call us at {phone}."
            ),
            payment_data=(
                "For your security, please don't text card or bank account numbers. I can send "
                "you a secure payment link instead: just reply 'make a payment'."
            ),
            failure=(
                "Sorry, something went wrong on our side. Please try again in a few minutes, or "
                f"call us at {phone}."
            ),
        )


class SmsConversations:
    """Handles incoming texts: compliance keywords, suppression, and Rasa turns."""

    def __init__(
        self,
        *,
        sender: SmsSender,
        suppression: SuppressionList,
        run_turn: TurnRunner,
        menus: MenuMemory,
        identifier_key: str,
        replies: SmsReplies,
        part_chars: int = DEFAULT_PART_CHARS,
        claim_keywords: ClaimKeywordReplies | None = None,
        disclosure: FirstReplyDisclosure | None = None,
    ) -> None:
        self._claim_keywords = claim_keywords
        self._disclosure = disclosure
        self._sender = sender
        self._suppression = suppression
        self._run_turn = run_turn
        self._menus = menus
        self._identifier_key = identifier_key
        self._replies = replies
        self._part_chars = part_chars

    def conversation_id(self, e164: str) -> str:
        """The Rasa sender id for texts from ``e164``."""
        return "sms-" + pseudonym(self._identifier_key, CONVERSATION_PURPOSE, e164)

    async def handle(self, inbound: InboundSms) -> SmsOutcome:
        """Answer one incoming text (never raises for a bot failure: it apologises instead)."""
        phone = to_e164(inbound.from_number)
        if phone is None:
            # Short codes and alphanumeric senders cannot be answered; nothing to do.
            log.info("sms %s ignored: sender is not a phone number", inbound.message_sid)
            return SmsOutcome.INVALID_SENDER
        body = inbound.body or ""
        suppressed = await asyncio.to_thread(self._suppression.is_suppressed, phone)
        keyword = classify_sms_keyword(body, opted_out=suppressed)
        if keyword is SmsKeyword.OPT_OUT:
            return await self._opt_out(phone, body)
        if keyword is SmsKeyword.OPT_IN:
            await asyncio.to_thread(self._suppression.opt_in, phone)
            await self._send(phone, [OutgoingSms(self._replies.opted_in)])
            return SmsOutcome.OPTED_IN
        if keyword is SmsKeyword.HELP:
            await asyncio.to_thread(self._sender.send_compliance_reply, phone, self._replies.help)
            return SmsOutcome.HELP
        if suppressed:
            log.info("sms %s from an opted-out number: not answered", inbound.message_sid)
            return SmsOutcome.SUPPRESSED
        if len(body) > MAX_USER_TEXT_CHARS:
            # Twilio never delivers more: nothing of it is read further or shown to the bot.
            log.info("sms %s is over %d characters: refused", inbound.message_sid,
                     MAX_USER_TEXT_CHARS)  # fmt: skip
            await self._send(phone, [OutgoingSms(self._replies.too_long)])
            return SmsOutcome.TOO_LONG
        claim_keyword = claim_alert_keyword(body) if self._claim_keywords else None
        if claim_keyword is not None and self._claim_keywords is not None:
            reply = await self._claim_keywords.answer(claim_keyword, phone)
            if reply is not None:
                await self._send(phone, [OutgoingSms(reply)])
                return SmsOutcome.CLAIM_KEYWORD
        text = clean_user_text(body)
        if not text:
            media_only = inbound.num_media > 0
            reply = self._replies.media_only if media_only else self._replies.empty
            await self._send(phone, [OutgoingSms(reply)])
            return SmsOutcome.MEDIA_ONLY if media_only else SmsOutcome.EMPTY
        if contains_payment_account_number(text):
            log.info("sms %s held a card or bank number: refused, not recorded",
                     inbound.message_sid)  # fmt: skip
            await self._send(phone, [OutgoingSms(self._replies.payment_data)])
            return SmsOutcome.PAYMENT_DATA_REFUSED
        return await self._converse(inbound, phone, text)

    async def apologise(self, inbound: InboundSms) -> SmsOutcome:
        """Send the failure reply for a text the bot could not answer (suppression still holds)."""
        phone = to_e164(inbound.from_number)
        if phone is None:
            return SmsOutcome.INVALID_SENDER
        await self._send(phone, [OutgoingSms(self._replies.failure)])
        return SmsOutcome.FAILED

    async def _opt_out(self, phone: str, body: str) -> SmsOutcome:
        source = opt_out_source(body)
        first = await asyncio.to_thread(self._suppression.opt_out, phone, source)
        if not first:
            # One confirmation only: a second STOP gets silence.
            return SmsOutcome.ALREADY_OPTED_OUT
        await asyncio.to_thread(self._sender.send_compliance_reply, phone, self._replies.opted_out)
        return SmsOutcome.OPTED_OUT

    async def _converse(self, inbound: InboundSms, phone: str, text: str) -> SmsOutcome:
        conversation_id = self.conversation_id(phone)
        choice = resolve_choice(text, await self._menus.recall(conversation_id))
        try:
            messages = await self._run_turn(
                TurnRequest(
                    sender_id=conversation_id,
                    text=choice.payload if choice else text,
                    input_channel=INPUT_CHANNEL,
                    metadata={"channel": "sms", "phone": phone},
                    message_id=inbound.message_sid,
                )
            )
        except Exception as exc:  # the bot failed: apologise rather than leave them waiting
            log.error("sms turn %s failed: %s", inbound.message_sid, type(exc).__name__)
            log.debug("sms turn failure", exc_info=True)
            await self._send(phone, [OutgoingSms(self._replies.failure)])
            return SmsOutcome.FAILED
        turn = read_bot_turn(messages)
        rendered = render_sms_turn(turn, self._part_chars)
        if not rendered.messages:
            # Rasa answers a failed custom action (action server down or restarting) with an
            # empty turn: the text must not go unanswered (tests/faults).
            log.error("sms turn %s produced no reply: apologising", inbound.message_sid)
            await self._send(phone, [OutgoingSms(self._replies.failure)])
            return SmsOutcome.FAILED
        disclosure = await self._disclosure.for_reply(conversation_id) if self._disclosure else None
        if disclosure is not None:
            rendered = render_sms_turn(turn, self._part_chars, disclosure=disclosure)
        await self._menus.remember(conversation_id, rendered.menu)
        await self._send(phone, rendered.messages)
        return SmsOutcome.ANSWERED

    async def _send(self, phone: str, messages: list[OutgoingSms]) -> None:
        for message in messages:
            parts = split_sms(message.body, self._part_chars) or [""]
            for i, part in enumerate(parts):
                media = message.media_url if i == 0 else None
                result = await asyncio.to_thread(self._sender.send_sms, phone, part, media)
                if result.status == "suppressed":
                    return  # opted out while we were answering: stop here
