"""The policyholder is told by text when identity checks for them are paused, and nothing more."""

from __future__ import annotations

from bot.conversation.lock_notice import SmsLockNotice
from bot.notifications.outbox import read_outbox
from bot.notifications.sms import OutboxSmsSender
from bot.notifications.suppression import SuppressionList
from tests.conversation.conftest import MARIA, FakeIdentityPas


async def test_the_holder_gets_one_text_at_the_number_on_file_saying_what_still_works(
    engine, clock
):
    pas = FakeIdentityPas(clock, [(MARIA, ["AUT-1000001"])])
    sender = OutboxSmsSender(engine, SuppressionList(engine, "test-key"))
    notice = SmsLockNotice(
        pas, sender, carrier_name="Harbor Mutual Insurance", contact_phone="+18005550100"
    )
    await notice.holder_locked(MARIA.holder_id, clock.now)
    [message] = read_outbox(engine)
    assert message.to == MARIA.phone
    assert message.body.startswith("Harbor Mutual Insurance:")
    assert "paused" in message.body and "from this number still work" in message.body
    assert "(800) 555-0100" in message.body
    # Nothing that was guessed or that identifies the policy.
    for secret in ("1985", "78704", "AUT-1000001", MARIA.holder_id):
        assert secret not in message.body


async def test_no_text_when_the_holder_has_opted_out(engine, clock):
    pas = FakeIdentityPas(clock, [(MARIA, ["AUT-1000001"])])
    suppression = SuppressionList(engine, "test-key")
    suppression.opt_out(MARIA.phone, "keyword")
    notice = SmsLockNotice(
        pas,
        OutboxSmsSender(engine, suppression),
        carrier_name="Harbor Mutual Insurance",
        contact_phone="+18005550100",
    )
    await notice.holder_locked(MARIA.holder_id, None)
    assert read_outbox(engine) == []
