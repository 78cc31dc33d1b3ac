"""The one phone-number module: every caller validates, writes and hints numbers the same way."""

from __future__ import annotations

import hashlib
import hmac

import pytest

from bot.conversation.identity import GUESSER_LOCKOUT, IdentityService
from bot.conversation.verified_conversations import VerifiedConversations
from bot.conversation.web_handover import WebHandoverSigner
from bot.keyed_digest import keyed_digest, pseudonym
from bot.lockouts import LockoutStore
from bot.notifications.suppression import SUPPRESSION_PURPOSE
from bot.phone_numbers import display_phone, phone_hint, to_e164
from tests.conversation.conftest import MARIA, FakeIdentityPas


@pytest.mark.parametrize(
    "raw",
    [
        # Possible (the right length) but not in the numbering plan: the identity parser used to
        # take these (is_possible_number) while the channels and notifications refused them.
        "+15555550100",
        "1234567",
        # A withheld caller ID and words.
        "+266696687",
        "anonymous",
        "",
        None,
    ],
)
def test_numbers_outside_the_numbering_plan_are_refused(raw):
    assert to_e164(raw) is None


@pytest.mark.parametrize(
    ("raw", "e164"),
    [
        ("+15125550101", "+15125550101"),
        ("(512) 555-0101", "+15125550101"),
        ("512.555.0101", "+15125550101"),
        (" +44 20 7946 0958 ", "+442079460958"),
    ],
)
def test_numbers_people_and_twilio_write_become_e164(raw, e164):
    assert to_e164(raw) == e164


@pytest.mark.parametrize(
    ("e164", "shown"),
    [
        ("+18005550100", "(800) 555-0100"),
        # NANP numbers outside the US dial the same way: national form.
        ("+14165550100", "(416) 555-0100"),
        ("+442079460958", "+44 20 7946 0958"),
        ("not a number", "not a number"),
    ],
)
def test_numbers_are_written_for_people_one_way(e164, shown):
    assert display_phone(e164) == shown


def test_a_log_hint_keeps_only_the_last_two_digits():
    assert phone_hint("+15125550101") == "***01"


async def test_identity_finds_nobody_for_a_number_outside_the_numbering_plan(engine, clock):
    pas = FakeIdentityPas(clock, [(MARIA, ["AUT-1000001"])])
    service = IdentityService(
        pas,
        LockoutStore(engine, GUESSER_LOCKOUT, clock=clock),
        hash_key="key",
        handover=WebHandoverSigner("secret", clock=clock),
        verified=VerifiedConversations(engine, clock=clock),
        clock=clock,
    )
    assert await service.find_by_phone("+15555550100") is None
    assert pas.calls == []
    assert await service.find_by_phone("(512) 555-0101") is not None


def test_stored_digests_keep_their_form_so_opt_outs_and_sms_conversations_survive():
    # Suppression rows and SMS conversation ids were written as HMAC(purpose:value) before the
    # digest helpers were merged; a different message form would forget every STOP.
    number = "+15125550101"
    expected = hmac.new(b"k", f"{SUPPRESSION_PURPOSE}:{number}".encode(), hashlib.sha256)
    assert keyed_digest("k", SUPPRESSION_PURPOSE, number) == expected.hexdigest()
    assert (
        pseudonym("k", "sms-conversation", number)
        == keyed_digest("k", "sms-conversation", number)[:32]
    )
    assert keyed_digest("k", "a", number) != keyed_digest("k", "b", number)
