"""Claim alert e-mails through a real SMTP server (aiosmtpd on a loopback port)."""

from __future__ import annotations

import email
import email.policy
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from bot.notifications.email_sender import SmtpEmailSender, create_email_sender
from bot.settings import ConfigurationError, SmtpSettings
from tests.notifications.conftest import AlertRig
from tests.support.app_database import upgrade
from tests.support.servers import free_port


@dataclass
class Mailbox:
    """An aiosmtpd handler keeping every message it accepts."""

    messages: list[tuple[str, list[str], email.message.EmailMessage]] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), parsed))
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp_server() -> Iterator[tuple[Mailbox, int]]:
    mailbox = Mailbox()
    port = free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield mailbox, port
    finally:
        controller.stop()


async def test_an_alert_email_reaches_a_real_smtp_server_once(rig: AlertRig, smtp_server):
    mailbox, port = smtp_server
    smtp = SmtpEmailSender(SmtpSettings(host="127.0.0.1", port=port, security="none"))
    upgrade(rig.store.engine)
    rig.store.opt_in("AUT-1000001", "email", "cli")
    notifier = rig.notifier(email=smtp)
    await notifier.poll_once()
    rig.sandbox.advance_claim("CLM-50000001")

    _, delivered = await notifier.run_once()
    await notifier.run_once()

    assert delivered.sent == 1
    [(sender, recipients, message)] = mailbox.messages
    holder = (await rig.connector().get_policyholder("H0000001")).value
    assert sender == "claims@harbormutual.example"
    assert recipients == [holder.email]
    assert message["Subject"] == "Claim ...0001 update: Repair authorized"
    assert message["Auto-Submitted"] == "auto-generated"
    body = message.get_content()
    assert "Your claim ...0001 is now: Repair authorized." in body
    assert "(800) 555-0199" in body
    for private in ("CLM-50000001", "AUT-1000001", holder.last_name, holder.phone):
        assert private not in body
    [row] = rig.store.deliveries()
    assert row["provider_ref"] == message["Message-ID"]


async def test_an_unreachable_smtp_server_is_retried_later_not_lost(rig: AlertRig):
    down = SmtpEmailSender(
        SmtpSettings(host="127.0.0.1", port=free_port(), security="none", timeout_s=2)
    )
    upgrade(rig.store.engine)
    rig.store.opt_in("AUT-1000001", "email", "cli")
    notifier = rig.notifier(email=down)
    await notifier.poll_once()
    rig.sandbox.advance_claim("CLM-50000001")
    _, delivered = await notifier.run_once()
    assert (delivered.sent, delivered.retried) == (0, 1)
    [row] = rig.store.deliveries()
    assert row["state"] == "pending" and row["attempts"] == 1
    assert row["destination"]  # kept for the retry


def test_without_an_smtp_host_production_refuses_to_start(rig: AlertRig):
    with pytest.raises(ConfigurationError, match="SMTP_HOST"):
        create_email_sender(SmtpSettings(), rig.engine, local=False)
