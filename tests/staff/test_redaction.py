"""What staff may read: the fixture personas' dates of birth, policy numbers and phones masked."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.transcripts.redaction import mask_phone, mask_policy, redact_for_staff


def dob_forms(iso: str) -> list[str]:
    d = date.fromisoformat(iso)
    return [
        iso,
        f"{d.month}/{d.day}/{d.year}",
        f"{d.month:02d}/{d.day:02d}/{d.year}",
        f"{d.month:02d}-{d.day:02d}-{d.year}",
        f"{d:%B} {d.day}, {d.year}",
        f"{d:%b} {d.day} {d.year}",
        f"{d.day} {d:%B} {d.year}",
    ]


def phone_forms(e164: str) -> list[str]:
    n = e164[2:]
    return [
        e164,
        f"({n[:3]}) {n[3:6]}-{n[6:]}",
        f"{n[:3]}-{n[3:6]}-{n[6:]}",
        f"{n[:3]}.{n[3:6]}.{n[6:]}",
        n,
    ]


def test_every_persona_date_of_birth_is_hidden_in_every_usual_form(
    personas: list[dict[str, Any]],
) -> None:
    for person in personas:
        for form in dob_forms(person["date_of_birth"]):
            shown = redact_for_staff(f"my birthday is {form} ok")
            assert shown == "my birthday is [DATE] ok", form


def test_every_persona_policy_number_keeps_only_its_prefix_and_last_three_digits(
    personas: list[dict[str, Any]],
) -> None:
    for person in personas:
        number: str = person["policy_number"]
        prefix, digits = number.split("-")
        expected = f"{prefix}-{'*' * (len(digits) - 3)}{digits[-3:]}"
        for form in (number, number.lower(), number.replace("-", ""), number.replace("-", " ")):
            assert redact_for_staff(f"policy {form} please") == f"policy {expected} please"


def test_every_persona_phone_keeps_only_its_last_four_digits(
    personas: list[dict[str, Any]],
) -> None:
    for person in personas:
        for form in phone_forms(person["phone"]):
            shown = redact_for_staff(f"call {form} now")
            assert shown == f"call (***) ***-{person['phone'][-4:]} now", form


@pytest.mark.parametrize(
    ("said", "shown"),
    [
        ("my code is 482913", "my code is [CODE]"),
        ("card 4111-1111-1111-1111 exp 12/29", "card [CARD] exp 12/29"),
        ("routing 021000021 account 000123456789", "routing [NUMBER] account [NUMBER]"),
        ("claim CLM-20260001 status", "claim [CLAIM] status"),
        ("link https://policyline.test/pay/AbC.123.xyz done", "link [LINK] done"),
        ("email me at maria.alvarez@example.com", "email me at [EMAIL]"),
        ("balance is $84.00 due soon", "balance is $84.00 due soon"),
    ],
)
def test_codes_cards_accounts_links_and_addresses_are_hidden(said: str, shown: str) -> None:
    assert redact_for_staff(said) == shown


def test_masks_of_odd_input_fail_closed() -> None:
    assert mask_policy("not a policy") == "[POLICY]"
    assert mask_phone("12") == "[PHONE]"


@given(st.text(max_size=120))
def test_redaction_is_idempotent(text: str) -> None:
    once = redact_for_staff(text)
    assert redact_for_staff(once) == once
