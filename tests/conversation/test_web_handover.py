"""The web hand-over token: minted by the web app, accepted by actions for 120 seconds."""

from __future__ import annotations

import pytest

from bot.conversation.web_handover import (
    InvalidHandover,
    WebHandoverSigner,
    mint_web_handover,
    verify_web_handover,
)


def test_minted_token_carries_holder_and_assurance(clock):
    signer = WebHandoverSigner("app-secret", clock=clock)
    handover = signer.verify(signer.mint("H0000001", "mfa"))
    assert (handover.holder_id, handover.assurance) == ("H0000001", "mfa")


def test_token_expires_after_120_seconds(clock):
    signer = WebHandoverSigner("app-secret", clock=clock)
    token = signer.mint("H0000001", "mfa")
    clock.advance(seconds=120)
    assert signer.verify(token).holder_id == "H0000001"
    clock.advance(seconds=1)
    with pytest.raises(InvalidHandover):
        signer.verify(token)


def test_token_from_another_secret_is_refused(clock):
    token = WebHandoverSigner("someone-else", clock=clock).mint("H0000001", "mfa")
    with pytest.raises(InvalidHandover):
        WebHandoverSigner("app-secret", clock=clock).verify(token)


def test_tampered_token_is_refused(clock):
    signer = WebHandoverSigner("app-secret", clock=clock)
    token = signer.mint("H0000001", "verified")
    tampered = token[:-2] + ("A" if token[-2] != "A" else "B") + token[-1]
    with pytest.raises(InvalidHandover):
        signer.verify(tampered)


def test_anonymous_cannot_be_handed_over(clock):
    with pytest.raises(ValueError):
        WebHandoverSigner("app-secret", clock=clock).mint("H0000001", "anonymous")  # type: ignore[arg-type]


def test_module_functions_round_trip_with_the_settings_secret():
    token = mint_web_handover("H0000005", "verified")
    assert verify_web_handover(token).holder_id == "H0000005"
    with pytest.raises(InvalidHandover):
        verify_web_handover(token, secret_key="not-the-app-secret")
