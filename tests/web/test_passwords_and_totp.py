"""Password rules (NIST 800-63B), argon2id hashing, TOTP primitives and recovery codes."""

from __future__ import annotations

import subprocess
from datetime import datetime, timezone
from pathlib import Path

import pyotp
import pytest
from argon2 import PasswordHasher, Type, extract_parameters
from cryptography.fernet import Fernet
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.accounts.passwords import PasswordHashing, PasswordPolicy, common_passwords, service_words
from bot.accounts.secret_box import SecretBox, SecretBoxError
from bot.accounts.totp import matching_step, new_secret, provisioning_uri, qr_svg_data_uri

POLICY = PasswordPolicy(min_length=12)
WHEN = datetime(2026, 11, 25, 15, 0, 7, tzinfo=timezone.utc)


@pytest.mark.parametrize(
    "password",
    [
        "password1234",  # on the list
        "Password2024!",  # the list word with digits and symbols tacked on
        "qwertyuiop123",
        "iloveyou iloveyou",
        "passwordpassword",  # a listed word repeated
        "aaaaaaaaaaaaaaaa",
        "123456789012",  # sequential
        "abcdefghijklmn",
    ],
)
def test_common_and_breached_passwords_are_refused(password):
    assert POLICY.problems(password)


@pytest.mark.parametrize(
    "password",
    [
        "correct horse battery staple",
        "tidal basin lantern orchard",
        "ñandú café ümlaut",  # any characters, no composition rules
        "all lower case words here",
        "x" * 3 + "7Gq!vP2#mZ9@",
        ("lantern orchard velvet " * 6)[:128],  # 128: the maximum
    ],
)
def test_long_uncommon_passwords_are_accepted_without_composition_rules(password):
    assert POLICY.problems(password) == []


def test_length_limits():
    assert "at least 12" in POLICY.problems("abc def ghi")[0]
    assert "at most 128" in POLICY.problems("word " * 26)[0]
    assert PasswordPolicy(min_length=8).problems("tidal kite") == []


def test_service_name_and_email_name_are_refused():
    assert POLICY.problems("my policyline account!")
    carrier = PasswordPolicy(forbidden_words=service_words("Lakeside Mutual Insurance Co"))
    assert carrier.problems("Lakeside Mutual forever 22")
    assert not carrier.problems("harbor mutual forever 22")
    assert POLICY.problems("maria.garcia rules 4ever", email="maria.garcia@example.com")


def test_the_bundled_list_is_loaded():
    listed = common_passwords()
    assert len(listed) > 25_000
    assert {"password", "qwerty", "iloveyou", "dragon"} <= listed


def test_production_hashing_is_argon2id_with_rfc9106_memory():
    hashing = PasswordHashing()
    stored = hashing.hash("correct horse battery staple")
    params = extract_parameters(stored)
    assert params.type is Type.ID
    assert params.memory_cost >= 65536 and params.time_cost >= 3
    assert hashing.verify(stored, "correct horse battery staple")
    assert not hashing.verify(stored, "correct horse battery stapler")
    assert not hashing.verify("not-a-hash", "anything")


def test_passwords_are_normalised_before_hashing():
    hashing = PasswordHashing(PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
    composed = "caf\u00e9 au lait tonight"
    decomposed = "cafe\u0301 au lait tonight"
    assert hashing.verify(hashing.hash(composed), decomposed)


def test_weaker_hashes_are_flagged_for_rehash():
    cheap = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    assert PasswordHashing().needs_rehash(cheap.hash("correct horse battery staple"))


@settings(max_examples=50, deadline=None)
@given(st.text(min_size=0, max_size=200))
def test_policy_never_crashes_and_explains_every_refusal(password):
    problems = POLICY.problems(password)
    assert all(isinstance(p, str) and p.endswith(".") for p in problems)


def test_totp_secret_has_160_bits_and_matches_oathtool():
    secret = new_secret()
    assert len(secret) == 32  # base32: 160 bits
    code = subprocess.run(
        ["oathtool", "--totp", "-b", "--now", "2026-11-25 15:00:07 UTC", secret],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    assert matching_step(secret, code, WHEN) == pyotp.TOTP(secret).timecode(WHEN)
    assert matching_step(secret, code[::-1] if code != code[::-1] else "000000", WHEN) is None
    assert matching_step(secret, "12345", WHEN) is None
    assert matching_step(secret, "abcdef", WHEN) is None


def test_provisioning_uri_and_qr_code():
    secret = new_secret()
    uri = provisioning_uri(secret, "maria@example.com", "Harbor Mutual Insurance")
    assert uri.startswith("otpauth://totp/Harbor%20Mutual%20Insurance:maria%40example.com?")
    assert f"secret={secret}" in uri
    assert qr_svg_data_uri(uri).startswith("data:image/svg+xml")


def test_secret_box_round_trip_and_tamper_detection():
    box = SecretBox(Fernet.generate_key().decode())
    sealed = box.seal("JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")
    assert "JBSWY3DP" not in sealed
    assert box.open(sealed) == "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
    with pytest.raises(SecretBoxError):
        SecretBox(Fernet.generate_key().decode()).open(sealed)
    with pytest.raises(ValueError, match="Fernet key"):
        SecretBox("not a key")


def test_bundled_list_ships_with_the_package():
    from bot.accounts import passwords

    assert Path(passwords.COMMON_PASSWORDS_FILE).stat().st_size < 200_000
