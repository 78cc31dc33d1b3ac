"""Fuzzing every public endpoint (tests/security/endpoints.py): no input gets a 5xx.

Three servers, each the real thing: the Rasa server with our channels (the session's
``rasa_stack``), the PAS sandbox (``sandbox``) and the web app (``create_app``, in-process with
Flask's test client, every route in its URL map). Inputs: path parameters, query strings, form
and JSON bodies and raw bytes from hypothesis, sent properly signed (Twilio signature, PAS HMAC),
unsigned and forged. Counts of inputs and statuses are printed at the end of the run.

The hostile values and the web app's route list are shared (tests/security/fuzzing.py) with the
bounded, seeded fuzzers of the web app as a signed-in policyholder (test_signed_in_web_fuzz.py)
and of the web chat's socket.io events (test_web_chat_fuzz.py).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

import httpx
import pytest
from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.settings import LOCAL_SECRETS, Settings
from bot.twilio_signatures import SIGNATURE_HEADER
from bot.web import create_app
from channels.twilio_requests import signed_form_request
from pas_connector.signing import PasSigner
from tests.security.endpoints import RASA, SANDBOX, Endpoint
from tests.security.fuzzing import HOSTILE_STRINGS, fill_path, record, web_routes
from tests.support.app_database import migrated_sqlite
from tests.support.rasa_stack import RasaStack
from tests.support.servers import SandboxHandle
from tests.support.twilio_fields import TWILIO_FORM_FIELDS

FUZZ = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

nasty_text = st.one_of(
    st.text(max_size=80),
    st.sampled_from(HOSTILE_STRINGS),
    st.text(min_size=500, max_size=3000),
)
json_values = st.recursive(
    # JSON has no NaN or infinity (httpx refuses to encode them)
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | nasty_text,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(nasty_text, inner, max_size=4),
    max_leaves=12,
)
form_pairs = st.lists(
    st.tuples(st.one_of(st.sampled_from(TWILIO_FORM_FIELDS), st.text(max_size=12)), nasty_text),
    max_size=14,
)
queries = st.one_of(
    st.just(""),
    st.sampled_from(
        [
            "seq=1",
            "seq=-1",
            "seq=abc",
            "poll=1&seq=2",
            "seq=99999999999",
            "EIO=4&transport=polling",
            "EIO=3&transport=websocket",
            "sid=x&EIO=4",
        ]
    ),
    st.text(max_size=40).map(lambda t: quote(t, safe="=&")),
)
modes = st.sampled_from(["proper", "unsigned", "forged", "garbage"])


def _body(
    endpoint: Endpoint, pairs: list[tuple[str, str]], doc: Any, mode: str, garbage: bytes
) -> tuple[bytes, dict[str, str]]:
    if mode == "garbage":
        return garbage, {"Content-Type": "application/octet-stream"}
    if endpoint.body in ("twilio_form", "form"):
        return urlencode(pairs).encode(), {"Content-Type": "application/x-www-form-urlencoded"}
    if endpoint.body == "json":
        return httpx.Request("POST", "http://x", json=doc).content, {
            "Content-Type": "application/json"
        }
    return b"", {}


@pytest.mark.rasa
@FUZZ
@given(
    endpoint=st.sampled_from(RASA),
    value=nasty_text,
    query=queries,
    pairs=form_pairs,
    doc=json_values,
    mode=modes,
    garbage=st.binary(max_size=400),
)
def test_no_input_to_the_rasa_server_gets_a_server_error(
    rasa_stack: RasaStack, fuzz_counts, endpoint, value, query, pairs, doc, mode, garbage
) -> None:
    base = f"http://127.0.0.1:{rasa_stack.rasa_port}"
    path = fill_path(endpoint.path, value) + (f"?{query}" if query else "")
    body, headers = _body(endpoint, pairs, doc, mode, garbage)
    if endpoint.auth == "twilio" and mode != "unsigned":
        token = LOCAL_SECRETS["TWILIO_AUTH_TOKEN"] if mode == "proper" else "forged-token"
        headers[SIGNATURE_HEADER] = signed_form_request(token, base + path, pairs).signature
    response = httpx.request(
        endpoint.method, base + path, content=body or None, headers=headers, timeout=60
    )
    record(fuzz_counts, "rasa", response.status_code)
    assert response.status_code < 500, (endpoint, mode, response.text[:300])


@FUZZ
@given(
    endpoint=st.sampled_from(SANDBOX),
    value=nasty_text,
    query=queries,
    doc=json_values,
    mode=modes,
    garbage=st.binary(max_size=400),
)
def test_no_input_to_the_pas_sandbox_gets_a_server_error(
    sandbox: SandboxHandle, fuzz_counts, endpoint, value, query, doc, mode, garbage
) -> None:
    path = fill_path(endpoint.path, value) + (f"?{query}" if query else "")
    body, headers = _body(endpoint, [], doc, mode, garbage)
    auth = None
    if endpoint.auth == "pas" and mode == "proper":
        auth = PasSigner(sandbox.key_id, sandbox.hmac_secret)
    elif endpoint.auth == "pas" and mode == "forged":
        auth = PasSigner(sandbox.key_id, "forged-secret")
    elif endpoint.auth == "sandbox_admin" and mode == "forged":
        headers["X-Sandbox-Admin"] = "forged-admin-token"
    with httpx.Client(base_url=sandbox.base_url, auth=auth, trust_env=False) as client:
        response = client.request(
            endpoint.method, path, content=body or None, headers=headers, timeout=30
        )
    record(fuzz_counts, "sandbox", response.status_code)
    assert response.status_code < 500, (endpoint, mode, response.text[:300])


@pytest.fixture(scope="module")
def web_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    var: Path = tmp_path_factory.mktemp("fuzz-web")
    settings_ = Settings.from_env(
        {
            "POLICYLINE_ENV": "test",
            "POLICYLINE_VAR_DIR": str(var),
            "DATABASE_URL": migrated_sqlite(var / "app.sqlite"),
        }
    )
    yield create_app(settings_)


@FUZZ
@given(
    data=st.data(),
    value=nasty_text,
    query=queries,
    pairs=form_pairs,
    doc=json_values,
    kind=st.sampled_from(["form", "json", "raw", "none"]),
    garbage=st.binary(max_size=400),
)
def test_no_input_to_any_web_app_route_gets_a_server_error(
    web_app: Flask, fuzz_counts, data, value, query, pairs, doc, kind, garbage
) -> None:
    method, template = data.draw(st.sampled_from(web_routes(web_app)))
    path = fill_path(template, value)
    client = web_app.test_client()
    kwargs: dict[str, Any] = {"query_string": query}
    if method != "GET":
        if kind == "form":
            kwargs["data"] = dict(pairs)
        elif kind == "json":
            kwargs["json"] = doc
        elif kind == "raw":
            kwargs["data"] = garbage
    response = client.open(path, method=method, **kwargs)
    record(fuzz_counts, "web", response.status_code)
    assert response.status_code < 500, (method, template, response.get_data()[:300])


stripe_events = st.fixed_dictionaries(
    {
        "id": st.one_of(st.just("evt_fuzz"), st.text(max_size=30)),
        "object": st.just("event"),
        "type": st.one_of(
            st.sampled_from(
                [
                    "payment_intent.succeeded",
                    "payment_intent.payment_failed",
                    "setup_intent.succeeded",
                    "charge.refunded",
                    "invoice.paid",
                ]
            ),
            st.text(max_size=30),
        ),
        "data": st.fixed_dictionaries({"object": json_values}),
        "created": st.integers(min_value=0, max_value=2**31),
    }
)


@FUZZ
@given(event=stripe_events, raw=st.booleans(), garbage=st.binary(max_size=300))
def test_signed_stripe_events_with_any_content_get_no_server_error(
    web_app: Flask, fuzz_counts, event, raw, garbage
) -> None:
    # Properly signed (the local webhook secret), so the handler's parsing is what is fuzzed.
    body = garbage if raw else json.dumps(event).encode()
    response = _post_signed_stripe_event(web_app, body)
    record(fuzz_counts, "web", response.status_code)
    assert response.status_code < 500, response.get_data()[:300]


@pytest.mark.parametrize(
    "body", [b"null", b"[]", b"3", b'"x"', b"{}", b'{"id": 5, "type": []}', b'{"id": "evt_1"}']
)
def test_a_signed_body_that_is_not_an_event_gets_400(web_app: Flask, body: bytes) -> None:
    # Found by the fuzzer above: Stripe's parser raises AttributeError on JSON that is not an
    # object, and accepts objects without an id or type.
    assert _post_signed_stripe_event(web_app, body).status_code == 400


def _post_signed_stripe_event(web_app: Flask, body: bytes) -> Any:
    """POST ``body`` signed with the local webhook secret, as Stripe signs (t=…,v1=…)."""
    stamp = int(time.time())
    digest = hmac.new(
        LOCAL_SECRETS["STRIPE_WEBHOOK_SECRET"].encode(), f"{stamp}.".encode() + body, hashlib.sha256
    ).hexdigest()
    return web_app.test_client().post(
        "/stripe/webhook",
        data=body,
        headers={"Stripe-Signature": f"t={stamp},v1={digest}", "Content-Type": "application/json"},
    )
