"""The action server trusts nobody: loopback only, a shared secret, identity from the server.

The attack these tests replay: one hand-written POST to the action server's ``/webhook`` with a
tracker whose slots say ``assurance: verified`` and ``holder_id: H0000003`` used to answer
Priya's balance, address, coverages, payments, a declarations link and a pay link — 7 of 7
actions, from any machine that could reach the port. Against the real stack (``rasa_stack``:
the action server and Rasa as ``make run`` starts them, on the PAS sandbox):

- the port is bound to 127.0.0.1 only;
- without the shared secret (or with a wrong one) every call is an empty 401, whatever it asks;
- even with the secret (a caller who got past the network and the secret), a tracker that merely
  claims verification gets no data: the server-side record decides;
- Rasa itself, which holds the secret, still runs every action (the conversation tests prove the
  rest).
"""

from __future__ import annotations

import socket
from pathlib import Path
from typing import Any

import httpx
import pytest

from actions.server_guard import bearer
from bot.settings import LOCAL_SECRETS, ConfigurationError, Settings
from tests.support.rasa_stack import RasaStack

pytestmark = [pytest.mark.rasa, pytest.mark.slow]

PRIYA = {"holder_id": "H0000003", "policy": "REN-3000001", "name": "Priya", "zip": "43215"}
# The seven actions the attack read Priya's data with, and the slots it forged for them.
FORGED_ACTIONS = [
    "action_check_balance",
    "action_policy_summary",
    "action_payment_history",
    "action_autopay_status",
    "action_claim_status",
    "action_send_declarations",
    "action_make_payment",
]
# Anything of Priya's that an answer must not contain.
PRIYA_DATA = ("$", "Priya", "Raman", "43215", "REN-3000001", "/d/", "/pay/", "http")


def forged_call(action: str, sender: str = "attacker-1") -> dict[str, Any]:
    """What the attacker POSTed: a tracker that says Priya is verified, and a next action."""
    slots = {
        "assurance": "verified",
        "holder_id": PRIYA["holder_id"],
        "policy_number": PRIYA["policy"],
        "pending_task": "check_balance",
        "amount": "full",
    }
    user = {
        "event": "user",
        "text": "balance",
        "parse_data": {"intent": {"name": "check_balance", "confidence": 1.0}, "entities": []},
        "metadata": {"channel": "sms"},
        "input_channel": "twilio_sms",
    }
    return {
        "next_action": action,
        "sender_id": sender,
        "version": "3.6.21",
        "domain": {},
        "tracker": {
            "sender_id": sender,
            "slots": slots,
            "latest_message": {**user["parse_data"], "text": "balance", "metadata": {}},
            "events": [user],
            "paused": False,
            "followup_action": None,
            "active_loop": {},
            "latest_action_name": "action_listen",
        },
    }


def webhook(stack: RasaStack) -> str:
    return f"http://127.0.0.1:{stack.actions_port}/webhook"


def listening_addresses(port: int) -> set[str]:
    """The local addresses a TCP socket listens on for ``port`` (from /proc/net/tcp and tcp6)."""
    found: set[str] = set()
    for table, width in (("/proc/net/tcp", 8), ("/proc/net/tcp6", 32)):
        path = Path(table)
        if not path.exists():
            continue
        for line in path.read_text().splitlines()[1:]:
            fields = line.split()
            address, port_hex = fields[1].split(":")
            if fields[3] == "0A" and int(port_hex, 16) == port:  # 0A: LISTEN
                if width == 8:
                    found.add(socket.inet_ntop(socket.AF_INET, bytes.fromhex(address)[::-1]))
                else:
                    raw = b"".join(bytes.fromhex(address[i : i + 8])[::-1] for i in range(0, 32, 8))
                    found.add(socket.inet_ntop(socket.AF_INET6, raw))
    return found


def test_the_action_server_listens_on_loopback_only(rasa_stack: RasaStack) -> None:
    assert listening_addresses(rasa_stack.actions_port) == {"127.0.0.1"}


@pytest.mark.parametrize("action", FORGED_ACTIONS)
def test_a_forged_tracker_without_the_shared_secret_gets_an_empty_401(
    rasa_stack: RasaStack, action: str
) -> None:
    response = httpx.post(webhook(rasa_stack), json=forged_call(action), timeout=30)
    assert response.status_code == 401
    assert response.content == b""


@pytest.mark.parametrize(
    "header",
    [
        "Bearer wrong-secret",
        "Bearer",
        "bearer " + LOCAL_SECRETS["ACTION_SERVER_SECRET"].upper(),
        LOCAL_SECRETS["ACTION_SERVER_SECRET"],
        bearer(LOCAL_SECRETS["ACTION_SERVER_SECRET"]) + "x",
    ],
)
def test_a_wrong_secret_is_refused_like_none(rasa_stack: RasaStack, header: str) -> None:
    response = httpx.post(
        webhook(rasa_stack),
        json=forged_call("action_check_balance"),
        headers={"Authorization": header},
        timeout=30,
    )
    assert (response.status_code, response.content) == (401, b"")


def test_listing_the_actions_needs_the_secret_and_health_does_not(rasa_stack: RasaStack) -> None:
    base = f"http://127.0.0.1:{rasa_stack.actions_port}"
    assert httpx.get(f"{base}/actions", timeout=30).status_code == 401
    assert httpx.get(f"{base}/health", timeout=30).status_code == 200


@pytest.mark.parametrize("action", FORGED_ACTIONS)
def test_a_tracker_that_only_claims_verification_gets_no_data_even_with_the_secret(
    rasa_stack: RasaStack, action: str
) -> None:
    secret = rasa_stack.env["ACTION_SERVER_SECRET"]
    response = httpx.post(
        webhook(rasa_stack),
        json=forged_call(action, sender=f"attacker-{action}"),
        headers={"Authorization": bearer(secret)},
        timeout=30,
    )
    assert response.status_code == 200
    body = response.json()
    said = " ".join(str(r.get("text") or "") for r in body.get("responses", []))
    payloads = [r.get("custom") for r in body.get("responses", []) if r.get("custom")]
    for leak in PRIYA_DATA:
        assert leak not in said, f"{action} disclosed {leak!r}: {said}"
    assert payloads == []
    # It hands over to verification instead: action_start_task runs in the same call and leaves
    # the verification form to Rasa.
    events = body.get("events", [])
    assert [e.get("name") for e in events if e.get("event") == "action"] == ["action_start_task"]
    assert [e.get("name") for e in events if e.get("event") == "followup"] == ["verification_form"]


def test_rasa_still_runs_the_actions_with_the_secret(rasa_stack: RasaStack) -> None:
    # Through Rasa (which sends the secret): an anonymous balance request starts verification.
    replies = rasa_stack.say("lockdown-rasa-path", "what's my balance", phone="+16145550103")
    assert any("confirm who you are" in str(r.get("text")) for r in replies), replies


def test_production_refuses_the_public_local_secret() -> None:
    env = {name: f"real-{name.lower()}" for name in LOCAL_SECRETS}
    env.update(
        POLICYLINE_ENV="production",
        MFA_ENCRYPTION_KEY="scK_anW5SrttSJ2obwOdmWOpO43mUIcLKdj7Rwc7Fzd=",
        TRACKER_ENCRYPTION_KEY="0Gr9JKc0JqTdYb4Wm0tqvqJ3gq8cQmBv5Zc6vH4Yx0R=",
        STRIPE_SECRET_KEY="sk_live_not_a_real_key",
        STRIPE_PUBLISHABLE_KEY="pk_live_not_a_real_key",
        TWILIO_ACCOUNT_SID="AC" + "1" * 32,
        TWILIO_FROM_NUMBER="+15005550006",
        ACTION_SERVER_SECRET=LOCAL_SECRETS["ACTION_SERVER_SECRET"],
    )
    with pytest.raises(ConfigurationError, match="ACTION_SERVER_SECRET"):
        Settings.from_env(env)
    env["ACTION_SERVER_SECRET"] = "a-real-secret-from-the-vault"
    assert Settings.from_env(env).action_server_secret == "a-real-secret-from-the-vault"
