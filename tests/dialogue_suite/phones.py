"""Talking to the running assistant the way Twilio does: signed SMS and voice webhooks.

``SmsPhone`` posts one signed incoming-message webhook per line to the Rasa server's SMS channel
and reads the answer from the local outbox. It knows a turn is over without waiting for silence:
the channel keeps each acknowledged text in the ``sms_inbound`` table until its answer has been
handed to the SMS sender (``channels.sms_inbox``), so the row's disappearance is the end of the
turn, and the outbox then holds every part of the answer.

``place_call`` plays one call through the IVR simulator (``devtools.simulators.ivr_caller``) and
splits what was heard into one reply per line said or keyed.

An SMS conversation's id is derived from the phone number (``channels.sms_service``), so a
persona's texts always land in the same conversation. ``forget_sms_conversation`` wipes it (the
stored events and the server-side verification record) so each scripted conversation starts
fresh and leaves nothing behind for other tests that text from the same number.
"""

from __future__ import annotations

import argparse
import io
import itertools
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import httpx
from sqlalchemy import create_engine, delete, select, text
from sqlalchemy.engine import Engine

from bot.conversation.verified_conversations import verified_conversations
from bot.db import make_engine
from bot.keyed_digest import pseudonym
from bot.notifications.outbox import latest_outbox_id, read_outbox
from bot.notifications.sms_inbound import sms_inbound
from bot.settings import Settings
from channels.config import ChannelSettings
from channels.sms_service import CONVERSATION_PURPOSE
from channels.twilio_requests import LOCAL_TWILIO_NUMBER, new_message_sid, sms_webhook_params
from devtools.simulators import ivr_caller
from devtools.simulators.local_webhook import HTTP_TIMEOUT_S, LocalWebhook
from devtools.simulators.sms_phone import SMS_WEBHOOK_PATH
from tests.support.rasa_stack import RasaStack
from tests.support.waiting import wait_until

# A turn with several PAS calls on a busy two-core machine; far above the usual 0.1-0.5 s.
TURN_TIMEOUT_S = 45.0
CODE = re.compile(r"\b(\d{6})\b")


@dataclass(frozen=True)
class Reply:
    """What came back for one line: the texts (or speech) and any media links."""

    text: str
    media: tuple[str, ...] = ()

    @property
    def everything(self) -> str:
        """The text and media links together (what a checker reads)."""
        return "\n".join([self.text, *self.media])


@dataclass
class StackClients:
    """The settings, HTTP client and app database of one running stack, shared by a session."""

    stack: RasaStack
    settings: Settings = field(init=False)
    channel: ChannelSettings = field(init=False)
    http: httpx.Client = field(init=False)
    app_db: Engine = field(init=False)
    tracker_db: Engine = field(init=False)

    def __post_init__(self) -> None:
        self.settings = Settings.from_env(self.stack.env).with_overrides(
            rasa_port=self.stack.rasa_port
        )
        self.channel = ChannelSettings.from_mapping(self.stack.env)
        self.http = httpx.Client(timeout=HTTP_TIMEOUT_S)
        self.app_db = make_engine(self.stack.env["DATABASE_URL"])
        self.tracker_db = create_engine(f"sqlite:///{self.stack.env['TRACKER_DB']}")

    @property
    def webhook(self) -> LocalWebhook:
        return LocalWebhook(
            self.http,
            f"http://127.0.0.1:{self.stack.rasa_port}",
            self.channel.twilio.auth_token,
            self.channel.public_webhook_base_url,
        )

    def close(self) -> None:
        self.http.close()
        self.app_db.dispose()
        self.tracker_db.dispose()

    def sms_conversation_id(self, phone: str) -> str:
        """The Rasa conversation texts from ``phone`` land in (as the SMS channel names it)."""
        return "sms-" + pseudonym(self.channel.identifier_key, CONVERSATION_PURPOSE, phone)

    def forget_sms_conversation(self, phone: str) -> None:
        """Wipe the SMS conversation of ``phone``: its stored events and its verification."""
        conversation_id = self.sms_conversation_id(phone)
        with self.tracker_db.begin() as conn:
            exists = conn.execute(
                text("SELECT name FROM sqlite_master WHERE type='table' AND name='events'")
            ).first()
            if exists:
                conn.execute(
                    text("DELETE FROM events WHERE sender_id = :id"), {"id": conversation_id}
                )
        subject = "conversation:" + pseudonym(
            self.settings.audit_hash_key, "conversation", conversation_id
        )
        with self.app_db.begin() as conn:
            conn.execute(
                delete(verified_conversations).where(verified_conversations.c.subject == subject)
            )

    def code_texted_to(self, phone: str) -> str:
        """The newest six-digit code in the outbox for ``phone``."""
        codes = [
            match.group(1)
            for message in read_outbox(self.app_db, to=phone, limit=1000)
            if (match := CODE.search(message.body))
        ]
        assert codes, f"no one-time code was texted to {phone}"
        return codes[-1]


class SmsPhone:
    """One phone texting the assistant: ``send`` returns the whole answer to one text."""

    def __init__(self, clients: StackClients, phone: str) -> None:
        self._clients = clients
        self.phone = phone
        self._last_outbox_id = latest_outbox_id(clients.app_db)

    def _pending(self, message_sid: str) -> bool:
        with self._clients.app_db.connect() as conn:
            row = conn.execute(
                select(sms_inbound.c.message_sid).where(sms_inbound.c.message_sid == message_sid)
            ).first()
        return row is not None

    def send(self, body: str) -> Reply:
        sid = new_message_sid()
        to_number = self._clients.channel.twilio.from_number or LOCAL_TWILIO_NUMBER
        params = sms_webhook_params(
            from_number=self.phone, to_number=to_number, body=body, message_sid=sid
        )
        response = self._clients.webhook.post(SMS_WEBHOOK_PATH, params)
        assert response.status_code == 200, f"SMS webhook answered {response.status_code}"
        wait_until(
            lambda: not self._pending(sid),
            timeout=TURN_TIMEOUT_S,
            what=f"the answer to {body!r}",
            interval=0.02,
        )
        messages = read_outbox(
            self._clients.app_db, to=self.phone, after_id=self._last_outbox_id, limit=1000
        )
        if messages:
            self._last_outbox_id = messages[-1].id
        return Reply(
            text="\n".join(message.body for message in messages),
            media=tuple(message.media_url for message in messages if message.media_url),
        )


def place_call(
    clients: StackClients, phone: str, lines: Iterable[str | Callable[[], str]]
) -> list[Reply]:
    """One call: ``[greeting, reply to line 1, reply to line 2, ...]`` as heard (and texted).

    A line is words (speech) or keys (digits, or anything starting with ``#``), as the IVR
    simulator reads it; a callable works its line out when it is due (a texted code).
    """
    out = io.StringIO()
    marks: list[int] = []
    pending = list(lines)

    def read_line() -> str:
        marks.append(len(out.getvalue()))
        if not pending:
            raise EOFError
        line = pending.pop(0)
        return line() if callable(line) else line

    args = argparse.Namespace(from_number=phone, to_number=None, rasa_url=None)
    code = ivr_caller.run_with(
        args, clients.settings, clients.channel, read_line=read_line, out=out, client=clients.http
    )
    heard = out.getvalue()
    assert code == 0, heard
    bounds = [0, *marks, len(heard)]
    replies = []
    for start, end in itertools.pairwise(bounds):
        chunk = heard[start:end]
        media = tuple(re.findall(r"\[MMS: (\S+)\]", chunk))
        replies.append(Reply(chunk, media))
    # One reply per line plus the greeting; a call that ended early has fewer.
    return replies
