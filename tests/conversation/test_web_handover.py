"""The web hand-over token: signed by the web app, readable for 120 seconds.

Single use and the binding to a live web session are tested end to end with the web app in
``tests/web/test_hand_over_tokens.py``."""

from __future__ import annotations

import pytest

from bot.conversation.web_handover import (
    HandoverGrants,
    InvalidHandover,
    WebHandoverSigner,
    mint_web_handover,
    verify_web_handover,
)

SESSION = "0" * 64  # a web_sessions row key


@pytest.fixture
def signer(engine, clock) -> WebHandoverSigner:
    grants = HandoverGrants(engine, session_idle_s=900, clock=clock)
    return WebHandoverSigner("app-secret", clock=clock, grants=grants)


def test_minted_token_carries_holder_and_assurance(signer):
    handover = signer.verify(signer.mint("H0000001", "mfa", web_session=SESSION))
    assert (handover.holder_id, handover.assurance) == ("H0000001", "mfa")


def test_token_expires_after_120_seconds(signer, clock):
    token = signer.mint("H0000001", "mfa", web_session=SESSION)
    clock.advance(seconds=120)
    assert signer.verify(token).holder_id == "H0000001"
    clock.advance(seconds=1)
    with pytest.raises(InvalidHandover):
        signer.verify(token)


def test_token_from_another_secret_is_refused(engine, clock):
    grants = HandoverGrants(engine, session_idle_s=900, clock=clock)
    forger = WebHandoverSigner("someone-else", clock=clock, grants=grants)
    token = forger.mint("H0000001", "mfa", web_session=SESSION)
    with pytest.raises(InvalidHandover):
        WebHandoverSigner("app-secret", clock=clock).verify(token)


def test_tampered_token_is_refused(signer):
    token = signer.mint("H0000001", "verified", web_session=SESSION)
    tampered = token[:-2] + ("A" if token[-2] != "A" else "B") + token[-1]
    with pytest.raises(InvalidHandover):
        signer.verify(tampered)


def test_anonymous_cannot_be_handed_over(signer):
    with pytest.raises(ValueError):
        signer.mint("H0000001", "anonymous", web_session=SESSION)  # type: ignore[arg-type]


def test_a_signer_without_grants_can_read_but_never_accept_or_mint(signer, clock):
    token = signer.mint("H0000001", "mfa", web_session=SESSION)
    reader = WebHandoverSigner("app-secret", clock=clock)
    assert reader.verify(token).holder_id == "H0000001"
    with pytest.raises(InvalidHandover):
        reader.accept(token)
    with pytest.raises(RuntimeError):
        reader.mint("H0000001", "mfa", web_session=SESSION)


def test_module_functions_round_trip_with_the_settings_secret(engine):
    token = mint_web_handover("H0000005", "verified", web_session=SESSION, engine=engine)
    assert verify_web_handover(token).holder_id == "H0000005"
    with pytest.raises(InvalidHandover):
        verify_web_handover(token, secret_key="not-the-app-secret")
