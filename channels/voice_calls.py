"""The IVR call flow, protocol-free: one Twilio voice request in, one TwiML document out.

A call is a chain of requests. The first (no ``seq`` in the URL) gets the disclosure (an
automated assistant, how to reach a person, and the recording notice when ``CALLS_RECORDED``:
``small_talk.call_opening``), a welcome and the keypad menu; later requests never repeat it.
Every ``<Gather>`` posts back to ``?seq=N`` (the next number), so each request of a call has its
own sequence number, signed into the URL by Twilio:

- de-duplication is by (``CallSid``, ``seq``): a retried request gets the same answer, never a
  second turn;
- the conversation id is the ``CallSid`` (caller ID only *finds* a policy: metadata ``phone``);
- a turn runs under a deadline (8 s): if Rasa is slower, the caller hears "one moment" and Twilio
  is ``<Redirect>``ed to ``?seq=N&poll=1`` to collect the result, which the still-running turn
  stores; after ``max_hold_polls`` the call goes to a person;
- silence and unknown keys are retried twice (``&miss=K`` in the URL), then the call goes to a
  person;
- a single key picks from the bot's choices ("press 1 for ...") or, when there are none, from the
  main menu; longer key sequences (policy number, date of birth, ZIP) are passed on as text;
- card and bank numbers, said or keyed, never reach Rasa.

Answers are rewritten for the ear (``voice_text.speak``); documents and pay links are texted to
the number on file the payload names (``sms_to``) through the outbound SMS sender; a handoff
payload transfers the call.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from bot.conversation.answers.small_talk import call_opening
from bot.notifications.sms import SmsSender
from bot.payments.ivr import call_has_ended
from bot.phone_numbers import to_e164
from bot.settings import DisclosureSettings
from channels.bot_messages import BotTurn, read_bot_turn
from channels.config import VoiceSettings
from channels.ephemeral_store import EphemeralStore, claim_once
from channels.inbound_text import clean_user_text, contains_payment_account_number
from channels.menu_choices import (
    MenuOption,
    decode_menu,
    encode_menu,
    number_choices,
    resolve_choice,
    voice_menu_text,
)
from channels.rasa_turns import BotMessages, ConversationReader, TurnRequest, TurnRunner
from channels.voice_menu import MAIN_MENU, main_menu_prompt
from channels.voice_text import keypad_hint, speak
from channels.voice_twiml import TextPayLinks, Transfer, VoicePaymentHook, VoiceTwiml

log = logging.getLogger("channels.voice")

INPUT_CHANNEL = "twilio_voice"
# How long a (CallSid, seq) claim, a stored result and the last prompt are kept.
TURN_TTL_S = 2 * 3600
RESULT_TTL_S = 15 * 60
PROMPT_TTL_S = 2 * 3600
POLL_INTERVAL_S = 0.2
HUMAN_PAYLOAD = "/human_handoff"


@dataclass(frozen=True)
class VoiceRequest:
    """The parts of a Twilio voice webhook (form and our own signed query) we use."""

    call_sid: str
    caller: str | None = None
    seq: int | None = None  # None: the call's first request
    poll: int = 0
    misses: int = 0
    digits: str | None = None
    speech: str | None = None
    call_status: str | None = None


@dataclass(frozen=True)
class VoiceReplies:
    """Fixed things the IVR says."""

    disclosure: str
    welcome: str
    no_input: str
    no_match: str
    transfer_after_retries: str
    system_error: str
    too_slow: str
    still_working: str
    payment_data: str
    no_number_on_file: str
    texts_turned_off: str
    could_not_text: str
    anything_else: str

    @classmethod
    def for_carrier(
        cls, carrier_name: str, disclosure: DisclosureSettings | None = None
    ) -> VoiceReplies:
        disclosure = disclosure or DisclosureSettings()
        return cls(
            disclosure=call_opening(
                carrier_name,
                wording=disclosure.wording,
                recorded=disclosure.calls_recorded,
                recording_notice=disclosure.recording_notice,
            ),
            welcome="How can I help you today?",
            no_input="Sorry, I didn't hear anything.",
            no_match="Sorry, that key isn't one of the choices.",
            transfer_after_retries="I'm having trouble hearing you, so I'll connect you with a "
            "colleague.",
            system_error="Sorry, something went wrong on our side. Let me connect you with a "
            "colleague.",
            too_slow="Sorry, this is taking longer than it should. Let me connect you with a "
            "colleague.",
            still_working="One moment, please.",
            payment_data=(
                "For your security, please don't say or key in card or bank account numbers. "
                "I can text you a secure payment link instead."
            ),
            no_number_on_file="I couldn't text you the link, because there's no mobile number "
            "on file for your policy.",
            texts_turned_off="I couldn't text you the link, because texts to your number are "
            "turned off. Text START to us to turn them back on.",
            could_not_text="I couldn't send the text just now. Please try again in a few minutes.",
            anything_else="What else can I help you with?",
        )


@dataclass
class PromptState:
    """What the caller last heard, to repeat it after silence, and the choices it offered."""

    spoken: list[str] = field(default_factory=list)
    menu: list[MenuOption] = field(default_factory=list)

    @property
    def offers_choices(self) -> bool:
        return bool(self.menu)

    def encode(self) -> str:
        return json.dumps({"spoken": self.spoken, "menu": encode_menu(self.menu)})

    @classmethod
    def decode(cls, raw: str | None) -> PromptState | None:
        if not raw:
            return None
        try:
            data = json.loads(raw)
            return cls(spoken=[str(s) for s in data["spoken"]], menu=decode_menu(data["menu"]))
        except (ValueError, TypeError, KeyError):
            return None


def opening_prompt(replies: VoiceReplies) -> PromptState:
    return PromptState(spoken=[replies.welcome, main_menu_prompt()])


class VoiceCalls:
    """Answers the voice webhook of every call."""

    def __init__(
        self,
        *,
        twiml: VoiceTwiml,
        voice: VoiceSettings,
        store: EphemeralStore,
        run_turn: TurnRunner,
        read_facts: ConversationReader,
        sender: SmsSender,
        replies: VoiceReplies,
        webhook_url: str,
        payment_hook: VoicePaymentHook | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
    ) -> None:
        self._twiml = twiml
        self._voice = voice
        self._store = store
        self._run_turn = run_turn
        self._read_facts = read_facts
        self._sender = sender
        self._replies = replies
        self._webhook_url = webhook_url
        self._payment_hook = payment_hook or TextPayLinks()
        self._clock = clock
        self._sleep = sleep
        self._tasks: set[asyncio.Task[Any]] = set()

    # -- URLs and stored state ---------------------------------------------------------------

    def action_url(self, seq: int, *, misses: int = 0, poll: int = 0) -> str:
        """Where Twilio posts the next request of the call."""
        query: dict[str, int] = {"seq": seq}
        if misses:
            query["miss"] = misses
        if poll:
            query["poll"] = poll
        return f"{self._webhook_url}?{urlencode(query)}"

    @staticmethod
    def _result_key(call_sid: str, seq: int) -> str:
        return f"voice:result:{call_sid}:{seq}"

    @staticmethod
    def _prompt_key(call_sid: str) -> str:
        return f"voice:prompt:{call_sid}"

    async def _save(self, call_sid: str, seq: int, twiml: str, prompt: PromptState | None) -> None:
        try:
            await self._store.put(self._result_key(call_sid, seq), twiml, RESULT_TTL_S)
            if prompt is not None:
                await self._store.put(self._prompt_key(call_sid), prompt.encode(), PROMPT_TTL_S)
        except Exception:  # the caller still gets this answer; only retries lose it
            log.warning("could not store a voice turn's result", exc_info=True)

    async def _last_prompt(self, call_sid: str) -> PromptState:
        try:
            raw = await self._store.get(self._prompt_key(call_sid))
        except Exception:
            log.warning("could not read the last voice prompt", exc_info=True)
            raw = None
        return PromptState.decode(raw) or opening_prompt(self._replies)

    # -- the webhook ---------------------------------------------------------------------------

    async def respond(self, request: VoiceRequest) -> str:
        """The TwiML answer to one voice webhook request."""
        if call_has_ended(request.call_status):
            return self._twiml.empty()
        seq = request.seq or 0
        if request.poll:
            return await self._collect(request.call_sid, seq, request.poll)
        if not await claim_once(self._store, f"voice:turn:{request.call_sid}:{seq}", TURN_TTL_S):
            # Twilio retried a request we are answering or answered: same answer, no new turn.
            log.info("voice request %s#%s is a retry", request.call_sid, seq)
            return await self._collect(request.call_sid, seq, poll=1)
        if request.seq is None:
            return await self._opening(request.call_sid)
        return await self._answer(request, seq)

    async def _opening(self, call_sid: str) -> str:
        prompt = opening_prompt(self._replies)
        twiml = self._twiml.listen(
            prompt.spoken, self.action_url(1), before=[self._replies.disclosure]
        )
        await self._save(call_sid, 0, twiml, prompt)
        return twiml

    async def _answer(self, request: VoiceRequest, seq: int) -> str:
        prompt = await self._last_prompt(request.call_sid)
        digits = re.sub(r"[^0-9*]", "", request.digits or "")
        speech = clean_user_text(request.speech or "")
        if not digits and not speech:
            return await self._retry(request, seq, prompt, self._replies.no_input, "no_input")
        if digits == "*":
            # Star repeats what was said, without counting as a miss.
            return await self._reply(request, seq, prompt, [], misses=request.misses)
        text: str
        if digits:
            digits = digits.replace("*", "")
            if len(digits) == 1:
                choice = self._pick(digits, prompt)
                if choice is None:
                    return await self._retry(
                        request, seq, prompt, self._replies.no_match, "no_match"
                    )
                return await self._turn(request, seq, choice.payload, "dtmf")
            text, mode = digits, "dtmf"
        else:
            choice = resolve_choice(speech, prompt.menu) if prompt.offers_choices else None
            if choice is not None:
                return await self._turn(request, seq, choice.payload, "speech")
            text, mode = speech, "speech"
        if contains_payment_account_number(text):
            log.info("voice request %s#%s held a card or bank number: refused, not recorded",
                     request.call_sid, seq)  # fmt: skip
            return await self._reply(request, seq, prompt, [self._replies.payment_data])
        return await self._turn(request, seq, text, mode)

    @staticmethod
    def _pick(key: str, prompt: PromptState) -> MenuOption | None:
        if prompt.offers_choices:
            choice = resolve_choice(key, prompt.menu)
            if choice is None and key == "0":
                # 0 always reaches a person, whatever the bot offered.
                return MenuOption("0", "a person", HUMAN_PAYLOAD)
            return choice
        return resolve_choice(key, MAIN_MENU)

    async def _reply(
        self,
        request: VoiceRequest,
        seq: int,
        prompt: PromptState,
        first: list[str],
        *,
        misses: int = 0,
    ) -> str:
        """Say ``first`` and the last prompt again, listening for the next request."""
        twiml = self._twiml.listen(
            [*first, *prompt.spoken],
            self.action_url(seq + 1, misses=misses),
            single_key=prompt.offers_choices and len(prompt.menu) <= 9,
        )
        await self._save(request.call_sid, seq, twiml, None)
        return twiml

    async def _retry(
        self, request: VoiceRequest, seq: int, prompt: PromptState, sorry: str, reason: str
    ) -> str:
        misses = request.misses + 1
        if misses <= self._voice.max_retries:
            return await self._reply(request, seq, prompt, [sorry], misses=misses)
        facts = await self._read_facts(request.call_sid)
        twiml = self._twiml.transfer(
            [self._replies.transfer_after_retries],
            Transfer(reason=reason, verified=facts.verified),
        )
        await self._save(request.call_sid, seq, twiml, None)
        return twiml

    # -- turns under a deadline ----------------------------------------------------------------

    async def _turn(self, request: VoiceRequest, seq: int, text: str, mode: str) -> str:
        task = asyncio.create_task(self._run_and_render(request, seq, text, mode))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        done, _ = await asyncio.wait({task}, timeout=self._voice.turn_deadline_s)
        if task in done:
            return task.result()
        log.info("voice turn %s#%s is past its deadline: holding", request.call_sid, seq)
        return self._twiml.hold(self.action_url(seq, poll=1), self._replies.still_working)

    async def drain(self) -> None:
        """Wait for turns still running past their deadline (tests and shutdown)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def _collect(self, call_sid: str, seq: int, poll: int) -> str:
        """The stored result of ``seq``, waiting up to the turn deadline for it."""
        give_up_at = self._clock() + self._voice.turn_deadline_s
        while True:
            try:
                result = await self._store.get(self._result_key(call_sid, seq))
            except Exception:
                log.warning("could not read a voice turn's result", exc_info=True)
                result = None
            if result:
                return result
            if self._clock() >= give_up_at:
                break
            await self._sleep(POLL_INTERVAL_S)
        if poll >= self._voice.max_hold_polls:
            facts = await self._read_facts(call_sid)
            return self._twiml.transfer(
                [self._replies.too_slow], Transfer(reason="timeout", verified=facts.verified)
            )
        return self._twiml.hold(self.action_url(seq, poll=poll + 1), self._replies.still_working)

    async def _run_and_render(self, request: VoiceRequest, seq: int, text: str, mode: str) -> str:
        prompt: PromptState | None
        try:
            messages = await self._run_turn(
                TurnRequest(
                    sender_id=request.call_sid,
                    text=text,
                    input_channel=INPUT_CHANNEL,
                    metadata={"channel": "voice", "phone": to_e164(request.caller), "input": mode},
                    message_id=f"{request.call_sid}:{seq}",
                )
            )
            twiml, prompt = await self._render(request.call_sid, seq, messages)
        except Exception as exc:  # the caller must hear something: apologise and transfer
            log.error("voice turn %s#%s failed: %s", request.call_sid, seq, type(exc).__name__)
            log.debug("voice turn failure", exc_info=True)
            twiml = self._twiml.transfer(
                [self._replies.system_error], Transfer(reason="system_error")
            )
            prompt = None
        await self._save(request.call_sid, seq, twiml, prompt)
        return twiml

    # -- rendering a bot turn for the ear ------------------------------------------------------

    async def _render(
        self, call_sid: str, seq: int, messages: BotMessages
    ) -> tuple[str, PromptState | None]:
        turn = read_bot_turn(messages)
        facts = await self._read_facts(call_sid)
        # A text that carries a link is replaced by "I've texted you a link ..." below.
        links = [d.url for d in turn.documents] + [p.url for p in turn.pay_links]
        spoken = [
            said
            for said in (speak(t) for t in turn.texts if not any(url in t for url in links))
            if said
        ]
        pay = next(
            (
                verb
                for verb in (self._payment_hook.pay_verb(link, call_sid) for link in turn.pay_links)
                if verb is not None
            ),
            None,
        )
        spoken.extend(await self._text_links(turn, include_pay_links=pay is None))
        if turn.handoff is not None and turn.handoff.callback:
            # Outside staffed hours nobody can take a transfer: the answer says when they call
            # back, and the call ends.
            return self._twiml.goodbye(spoken), None
        if turn.handoff is not None:
            handoff = turn.handoff
            verified = facts.verified if handoff.verified is None else handoff.verified
            transfer = Transfer(
                reason=handoff.reason,
                intent=handoff.intent,
                ticket=handoff.ticket,
                verified=verified,
                urgent=handoff.urgent,
                queue=handoff.queue,
            )
            return self._twiml.transfer(spoken, transfer), None
        if turn.end_call or facts.latest_intent == "goodbye":
            return self._twiml.goodbye(spoken), None
        if pay is not None:
            return self._twiml.pay(spoken, pay), None
        menu = number_choices(turn.buttons)
        if menu:
            spoken.append(voice_menu_text(menu))
        elif turn.texts:
            hint = keypad_hint(turn.texts[-1])
            if hint:
                spoken.append(hint)
        if not spoken:
            spoken = [self._replies.anything_else]
        prompt = PromptState(spoken=self._reprompt(spoken, bool(menu)), menu=menu)
        twiml = self._twiml.listen(
            spoken, self.action_url(seq + 1), single_key=bool(menu) and len(menu) <= 9
        )
        return twiml, prompt

    def _reprompt(self, spoken: list[str], offers_choices: bool) -> list[str]:
        """What to repeat after silence: the last question (or choices) onward, never the
        whole answer; after a plain statement, "What else can I help you with?"."""
        if offers_choices:
            return spoken[-2:] if len(spoken) > 1 else spoken
        questions = [i for i, line in enumerate(spoken) if "?" in line]
        return spoken[questions[-1] :] if questions else [self._replies.anything_else]

    async def _text_links(self, turn: BotTurn, *, include_pay_links: bool) -> list[str]:
        """Text each document / pay link to the number on file; what to say about it."""
        said: list[str] = []
        for document in turn.documents:
            said.append(
                await self._text_link(
                    document.sms_to,
                    f"Your {document.label}: {document.url}",
                    f"I've texted you a link to your {document.label}.",
                )
            )
        if include_pay_links:
            for link in turn.pay_links:
                said.append(
                    await self._text_link(
                        link.sms_to,
                        f"Pay securely here: {link.url}",
                        "I've texted you a secure link to make your payment.",
                    )
                )
        return said

    async def _text_link(self, to: str | None, body: str, texted: str) -> str:
        if not to:
            return self._replies.no_number_on_file
        result = await asyncio.to_thread(self._sender.send_sms, to, body)
        if result.accepted:
            return texted
        if result.status == "suppressed":
            return self._replies.texts_turned_off
        return self._replies.could_not_text
