"""What each channel gets to deliver a document: MMS media on SMS, the number on file on voice."""

from __future__ import annotations

import pytest

from actions.documents import ActionSendIdCard
from tests.actions.conftest import MARIA, PUBLIC_BASE_URL, Conversation, run


def maria_on(channel: str) -> Conversation:
    talk = Conversation(channel=channel, phone=MARIA.phone)
    return talk.user("id card", "request_id_card").verified("H0000001")


async def test_sms_gets_a_separate_media_link_for_the_mms_attachment(services, domain):
    result = await run(ActionSendIdCard(), maria_on("sms"), domain)
    [payload] = result.payloads
    document = payload["document"]
    assert document["mms_eligible"] is True
    assert document["media_url"].startswith(f"{PUBLIC_BASE_URL}/d/")
    assert document["media_url"] != document["url"]
    assert "sms_to" not in document


async def test_voice_gets_the_number_on_file_to_text_the_link_to(services, domain):
    result = await run(ActionSendIdCard(), maria_on("voice"), domain)
    document = result.payloads[0]["document"]
    assert document["sms_to"] == MARIA.phone
    assert "media_url" not in document


@pytest.mark.parametrize("channel", ["web_chat", "rest"])
async def test_web_chat_never_receives_a_phone_number_or_media_link(services, domain, channel):
    result = await run(ActionSendIdCard(), maria_on(channel), domain)
    document = result.payloads[0]["document"]
    assert "sms_to" not in document and "media_url" not in document
    assert MARIA.phone not in str(result.payloads)
