"""STATUS and ADJUSTER texted back to a claim alert, through the signed Twilio SMS webhook: they
are answered from the PAS before the assistant, and only for numbers that received an alert."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.notifications.outbox import read_outbox
from channels.resources import ChannelResources
from channels.twilio_requests import sms_webhook_params
from channels.twilio_sms import TwilioSmsInput
from pas_connector.config import CacheSettings
from tests.channels.support import ChannelApp, ScriptedAgent, make_settings
from tests.notifications.conftest import HASH_KEY, AlertRig, SettableClock, pas_settings
from tests.support.app_database import upgrade
from tests.support.servers import SandboxHandle

WEBHOOK = "/webhooks/twilio_sms/webhook"
MARIA = "+15125550101"  # AUT-1000001, open claim CLM-50000001 with Dana Brooks
JOSE = "+17185550105"  # open claims, but no alert sent to him in these tests


@dataclass
class KeywordRig:
    alerts: AlertRig
    channel: TwilioSmsInput
    agent: ScriptedAgent

    def texts_to(self, number: str) -> list[str]:
        return [m.body for m in read_outbox(self.channel.resources.engine, to=number)]


@pytest.fixture
async def keywords(sandbox: SandboxHandle, tmp_path: Path) -> AsyncIterator[KeywordRig]:
    settings = make_settings(
        tmp_path, identifier_key=HASH_KEY, pas=pas_settings(sandbox), cache=CacheSettings()
    )
    resources = ChannelResources.build(settings)
    alerts = AlertRig(sandbox, settings.database_url, resources.engine, SettableClock())
    rig = KeywordRig(alerts, TwilioSmsInput(settings, resources), ScriptedAgent())
    try:
        yield rig
    finally:
        if resources.claim_keywords is not None:
            await resources.claim_keywords.aclose()
        await alerts.aclose()


async def send_alert_to_maria(rig: KeywordRig) -> None:
    upgrade(rig.alerts.store.engine)
    rig.alerts.store.opt_in("AUT-1000001", "sms", "cli")
    notifier = rig.alerts.notifier()
    await notifier.poll_once()
    rig.alerts.sandbox.advance_claim("CLM-50000001")  # estimate -> repair
    assert (await notifier.run_once())[1].sent == 1


async def text(rig: KeywordRig, sender: str, body: str) -> None:
    async with ChannelApp([rig.channel], rig.agent) as app:
        response = await app.post(WEBHOOK, sms_webhook_params(from_number=sender, body=body))
        await app.drain()
    assert response.status_code == 200


async def test_status_from_an_alerted_number_gets_the_claim_stage_and_next_step(keywords):
    await send_alert_to_maria(keywords)
    await text(keywords, MARIA, "status")
    alert, reply = keywords.texts_to(MARIA)
    assert "is now: Repair authorized" in alert
    assert reply == (
        "Claim ...0001: Repair authorized. Next: Repairs are under way; send the final invoice "
        "to your adjuster when they are done."
    )
    assert keywords.agent.received == []  # answered before the assistant


async def test_adjuster_from_an_alerted_number_gets_the_adjusters_name_and_phone(keywords):
    await send_alert_to_maria(keywords)
    await text(keywords, MARIA, "ADJUSTER")
    reply = keywords.texts_to(MARIA)[-1]
    assert reply.startswith("Claim ...0001: your adjuster is Dana Brooks, (800) 555-014")
    assert keywords.agent.received == []


async def test_a_number_that_got_no_alert_goes_to_the_assistant_for_verification(keywords):
    await send_alert_to_maria(keywords)
    await text(keywords, JOSE, "STATUS")
    [message] = keywords.agent.received
    assert message.text == "STATUS"
    # the scripted assistant's answer, led by the AI disclosure as any first answer to a number
    [answer] = keywords.texts_to(JOSE)
    assert answer.endswith("You said: STATUS")
    assert "automated assistant, not a person" in answer.split("You said:")[0]


async def test_after_stop_the_number_gets_neither_replies_nor_alerts(keywords):
    await send_alert_to_maria(keywords)
    await text(keywords, MARIA, "STOP")
    assert "unsubscribed" in keywords.texts_to(MARIA)[-1]
    await text(keywords, MARIA, "STATUS")
    keywords.alerts.sandbox.advance_claim("CLM-50000001")
    notifier = keywords.alerts.notifier()
    _, delivered = await notifier.run_once()
    assert delivered.suppressed == 1
    assert len(keywords.texts_to(MARIA)) == 2  # the alert and the opt-out confirmation only
    assert keywords.agent.received == []


async def test_help_still_answers_with_the_help_text(keywords):
    await send_alert_to_maria(keywords)
    await text(keywords, MARIA, "HELP")
    assert "Reply STOP to opt out" in keywords.texts_to(MARIA)[-1]
