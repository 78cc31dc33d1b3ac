"""TwiML shape: the pinned <Gather>, the disclosure, transfers by Enqueue or Dial, hold, hang-up."""

from __future__ import annotations

import json

import pytest

from channels.config import VoiceSettings
from channels.voice_twiml import Transfer, VoiceTwiml
from tests.channels.voice_support import parse

ACTION = "/webhooks/twilio_voice/webhook?seq=4"


def builder(**voice: object) -> VoiceTwiml:
    return VoiceTwiml(
        VoiceSettings(**voice), contact_centre_phone="+18005550100", claims_phone="+18005550199"
    )


def test_gather_listens_for_keys_and_speech_with_a_pinned_model_and_barge_in():
    root = parse(builder().listen(["What can I help you with?"], ACTION))
    gather = root.find("Gather")
    assert gather is not None
    assert gather.attrib == {
        "action": ACTION,
        "method": "POST",
        "input": "dtmf speech",
        "speechModel": "phone_call",
        "enhanced": "true",
        "speechTimeout": "2",
        "timeout": "6",
        "language": "en-US",
        "bargeIn": "true",
        "actionOnEmptyResult": "true",
        "finishOnKey": "#",
        "hints": gather.get("hints"),
    }
    assert "ID card" in gather.get("hints") and "claim" in gather.get("hints")
    assert [say.text for say in gather.findall("Say")] == ["What can I help you with?"]


def test_a_menu_of_keys_ends_the_gather_after_one_key():
    gather = parse(builder().listen(["Press 1 or 2."], ACTION, single_key=True)).find("Gather")
    assert gather.get("numDigits") == "1"


def test_what_is_said_before_listening_cannot_be_interrupted():
    root = parse(builder().listen(["How can I help?"], ACTION, before=["This call is recorded."]))
    assert [child.tag for child in root] == ["Say", "Gather"]
    assert root.find("Say").text == "This call is recorded."


def test_speech_settings_that_twilio_rejects_are_refused_at_start_up():
    from bot.settings import ConfigurationError

    with pytest.raises(ConfigurationError):
        VoiceSettings(speech_model="numbers_and_commands", enhanced=True)
    with pytest.raises(ConfigurationError):
        VoiceSettings(turn_deadline_s=20)


def test_a_transfer_with_a_taskrouter_workflow_enqueues_a_task_with_its_reasons():
    twiml = builder(taskrouter_workflow_sid="WW" + "0" * 32).transfer(
        ["Connecting you now."],
        Transfer(
            reason="coverage_question", intent="coverage_question", ticket="HO-12", verified=True
        ),
    )
    root = parse(twiml)
    assert [child.tag for child in root] == ["Say", "Enqueue"]
    enqueue = root.find("Enqueue")
    assert enqueue.get("workflowSid") == "WW" + "0" * 32
    attributes = json.loads(enqueue.find("Task").text)
    assert attributes["reason"] == "coverage_question"
    assert attributes["intent"] == "coverage_question"
    assert attributes["ticket"] == "HO-12"
    assert attributes["verified"] is True
    assert enqueue.find("Task").get("priority") is None


def test_an_urgent_transfer_gets_priority():
    twiml = builder(taskrouter_workflow_sid="WW1").transfer(
        [], Transfer(reason="report_claim", urgent=True, queue="claims")
    )
    assert parse(twiml).find("Enqueue/Task").get("priority") == "10"


def test_without_a_workflow_a_transfer_dials_the_contact_centre_or_the_claims_line():
    service = parse(builder().transfer(["One moment."], Transfer(reason="human_handoff")))
    claims = parse(builder().transfer([], Transfer(reason="report_claim", queue="claims")))
    assert service.find("Dial").text == "+18005550100"
    assert claims.find("Dial").text == "+18005550199"
    assert service.find("Enqueue") is None
    # Something is said if nobody answers.
    assert [child.tag for child in service] == ["Say", "Dial", "Say"]


def test_hold_says_one_moment_and_redirects_to_poll():
    root = parse(builder().hold("/webhooks/twilio_voice/webhook?seq=4&poll=1"))
    assert [child.tag for child in root] == ["Say", "Redirect"]
    assert root.find("Redirect").text == "/webhooks/twilio_voice/webhook?seq=4&poll=1"
    assert root.find("Redirect").get("method") == "POST"


def test_goodbye_hangs_up():
    root = parse(builder().goodbye(["Goodbye!"]))
    assert [child.tag for child in root] == ["Say", "Hangup"]
