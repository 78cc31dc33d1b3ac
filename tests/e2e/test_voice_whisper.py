"""A voice handoff end to end: through the real voice webhook with the trained model, the
transfer dials the agent with a whisper URL, and that URL (signed, as Twilio would fetch it)
reads the agent the handoff's stored summary before the caller is connected."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from defusedxml.ElementTree import fromstring

from bot.conversation.handoff import HandoffService
from bot.conversation.handoff_summary import whisper_text
from channels.twilio_requests import new_call_sid, voice_webhook_params
from channels.twilio_voice import VOICE_WEBHOOK_PATH
from tests.dialogue_suite.phones import StackClients

pytestmark = [pytest.mark.rasa, pytest.mark.slow]

CALLER = "+17375559311"  # on no policy: the caller stays anonymous
ASKED = "I want to talk to a real person"


def test_a_caller_asking_for_a_person_is_transferred_and_the_agent_hears_the_summary(
    clients: StackClients,
) -> None:
    webhook, call_sid = clients.webhook, new_call_sid()
    opening = webhook.post(
        VOICE_WEBHOOK_PATH,
        voice_webhook_params(call_sid=call_sid, from_number=CALLER, call_status="ringing"),
    )
    action = fromstring(opening.text).find("Gather").get("action")
    transfer = webhook.post(
        action, voice_webhook_params(call_sid=call_sid, from_number=CALLER, speech=ASKED)
    )
    number = fromstring(transfer.text).find("Dial/Number")
    assert number is not None, transfer.text
    url = number.get("url")
    [ticket] = parse_qs(urlsplit(url).query)["ticket"]
    assert set(parse_qs(urlsplit(url).query)) == {"ticket"}

    handoff = HandoffService(clients.app_db).get(ticket)
    assert handoff is not None and handoff.structured_summary is not None
    assert handoff.conversation_id == call_sid

    agent_leg = voice_webhook_params(
        call_sid=new_call_sid(), from_number=CALLER, to_number=number.text or ""
    )
    heard = webhook.post(url, agent_leg)
    assert heard.status_code == 200
    [said] = [el.text for el in fromstring(heard.text).iter("Say")]
    assert said == whisper_text(handoff.structured_summary)
    assert "They did not prove who they are." in said
    assert f"They said: {ASKED}." in said
