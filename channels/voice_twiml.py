"""TwiML for the IVR, built with twilio's ``VoiceResponse``: listen, hold, transfer, hang up.

Every prompt is spoken *inside* ``<Gather input="dtmf speech" bargeIn="true">`` so a caller can
interrupt with a word or a key. The speech model is pinned (``phone_call``, enhanced) with a
numeric ``speechTimeout`` ("auto" is invalid with it), hints carry our vocabulary, and
``actionOnEmptyResult`` makes Twilio call us back on silence so we can count no-input retries.

Transfers: with a TaskRouter workflow configured, ``<Enqueue workflowSid>`` with a ``<Task>`` whose
JSON attributes tell the agent why the caller is coming (reason, intent, ticket, verified);
otherwise ``<Dial>`` to the contact centre (claims line for the claims queue). A transfer with a
handoff ticket carries the whisper: ``<Dial><Number url="…/whisper?ticket=…">`` makes Twilio play
the handoff summary to the agent before the caller is connected (``voice_whisper``); on TaskRouter
the task's ``whisper_url`` attribute is that URL, for the assignment callback's ``call``
instruction (its ``url`` is played to the worker's leg). The URL carries the ticket id only.

Payments by phone are a hook: ``VoicePaymentHook.pay_verb`` may return a ``<Pay>`` verb (Stripe
connector; card data never reaches us). Until the payments work provides one, pay links are texted.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol
from urllib.parse import urlencode

from twilio.twiml.voice_response import Gather, Pay, VoiceResponse

from channels.bot_messages import PayLink
from channels.config import VoiceSettings
from channels.voice_menu import SPEECH_HINTS

DIAL_TIMEOUT_S = 30


@dataclass(frozen=True)
class Transfer:
    """Why and where a call goes to a person."""

    reason: str
    intent: str | None = None
    ticket: str | None = None
    verified: bool = False
    urgent: bool = False
    queue: str = "service"

    def task_attributes(self) -> dict[str, object]:
        """The TaskRouter task attributes an agent's screen shows."""
        return {
            "reason": self.reason,
            "intent": self.intent,
            "ticket": self.ticket,
            "verified": self.verified,
            "queue": self.queue,
            "urgent": self.urgent,
            "channel": "voice",
        }


class VoicePaymentHook(Protocol):
    """Where the payments work plugs in ``<Pay>``: return the verb, or None to text the link."""

    def pay_verb(self, link: PayLink, call_sid: str) -> Pay | None: ...


class TextPayLinks:
    """The default payment hook: no ``<Pay>`` on calls; the pay link is texted instead."""

    def pay_verb(self, link: PayLink, call_sid: str) -> Pay | None:
        return None


class VoiceTwiml:
    """Builds the TwiML documents of the call flow."""

    def __init__(
        self,
        voice: VoiceSettings,
        *,
        contact_centre_phone: str,
        claims_phone: str,
        whisper_url: str | None = None,
    ) -> None:
        self._voice = voice
        self._contact_centre_phone = contact_centre_phone
        self._claims_phone = claims_phone
        self._whisper_url = whisper_url

    def whisper_url(self, ticket: str | None) -> str | None:
        """Where Twilio fetches what the agent hears before the caller of handoff ``ticket`` is
        connected (None without a ticket or a whisper endpoint). The ticket id is all it holds."""
        if not ticket or not self._whisper_url:
            return None
        return f"{self._whisper_url}?{urlencode({'ticket': ticket})}"

    def _say(self, parent: VoiceResponse | Gather, text: str) -> None:
        if text:
            parent.say(text, voice=self._voice.voice, language=self._voice.language)

    def _gather(self, action_url: str, *, single_key: bool) -> Gather:
        return Gather(
            input="dtmf speech",
            action=action_url,
            method="POST",
            timeout=self._voice.gather_timeout_s,
            speech_timeout=str(self._voice.speech_timeout_s),
            speech_model=self._voice.speech_model,
            enhanced=self._voice.enhanced,
            language=self._voice.language,
            hints=SPEECH_HINTS,
            barge_in=True,
            action_on_empty_result=True,
            finish_on_key="#",
            num_digits=1 if single_key else None,
        )

    def listen(
        self,
        spoken: Sequence[str],
        action_url: str,
        *,
        before: Sequence[str] = (),
        single_key: bool = False,
    ) -> str:
        """Say ``before`` (not interruptible), then ``spoken`` while listening."""
        response = VoiceResponse()
        for text in before:
            self._say(response, text)
        gather = self._gather(action_url, single_key=single_key)
        for text in spoken:
            self._say(gather, text)
        response.append(gather)
        return str(response)

    def pay(self, spoken: Sequence[str], pay: Pay) -> str:
        """Say ``spoken``, then ``<Pay>`` (whose action URL continues the call)."""
        response = VoiceResponse()
        for text in spoken:
            self._say(response, text)
        response.append(pay)
        return str(response)

    def hold(self, redirect_url: str, message: str = "One moment, please.") -> str:
        """Tell the caller to wait, then come back for the result."""
        response = VoiceResponse()
        self._say(response, message)
        response.redirect(redirect_url, method="POST")
        return str(response)

    def transfer(self, spoken: Sequence[str], transfer: Transfer) -> str:
        """Say ``spoken``, then hand the call to a person (Enqueue with a task, or Dial)."""
        response = VoiceResponse()
        for text in spoken:
            self._say(response, text)
        workflow = self._voice.taskrouter_workflow_sid
        whisper = self.whisper_url(transfer.ticket)
        if workflow:
            attributes = transfer.task_attributes()
            if whisper:
                attributes["whisper_url"] = whisper
            enqueue = response.enqueue(workflow_sid=workflow)
            enqueue.task(
                json.dumps(attributes, separators=(",", ":")),
                priority=10 if transfer.urgent else None,
            )
        else:
            claims = transfer.queue == "claims"
            number = self._claims_phone if claims else self._contact_centre_phone
            if whisper:
                dial = response.dial(timeout=DIAL_TIMEOUT_S, answer_on_bridge=True)
                # Played to the agent who answers; the caller is connected when it ends.
                dial.number(number, url=whisper, method="POST")
            else:
                response.dial(number, timeout=DIAL_TIMEOUT_S, answer_on_bridge=True)
            # Reached only if nobody answered.
            self._say(
                response,
                "Sorry, no one could take your call right now. Please call us back later.",
            )
        return str(response)

    def whisper(self, spoken: str) -> str:
        """What the agent hears before a transferred caller is connected (then the call is
        bridged: the document simply ends)."""
        response = VoiceResponse()
        self._say(response, spoken)
        return str(response)

    def goodbye(self, spoken: Sequence[str]) -> str:
        """Say ``spoken`` and hang up."""
        response = VoiceResponse()
        for text in spoken:
            self._say(response, text)
        response.hangup()
        return str(response)

    @staticmethod
    def empty() -> str:
        """Nothing to do (e.g. a status callback for a call that has ended)."""
        return str(VoiceResponse())
