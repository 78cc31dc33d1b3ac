"""Fuzzing the web app as a signed-in policyholder: every route, hostile inputs, four promises.

Two fixture personas (Maria, and José with two policies) sign in through the real pages with
password and TOTP (tests/web/auth_fixtures.py), on the web app wired to the PAS sandbox. Every
route in the app's URL map is fuzzed (a new blueprint is covered without a change here), with
the forms each persona's own pages show as the starting point: fields kept, dropped, duplicated
or replaced by hostile values (tests/security/fuzzing.py), plus JSON, multipart and raw bodies,
hostile path parameters and query strings, wrong methods, and the CSRF token valid, missing,
forged, tampered or another session's. After every response:

- no 5xx;
- no stack trace or exception text in the body or headers;
- nothing of another holder (name, e-mail, phone, address, date of birth, policy, claim, VIN)
  that the request did not itself contain;
- a state-changing request without this session's CSRF token is refused (the CSRF page, 404 or
  405) before any view runs.

Bounded by ``MAX_REQUESTS`` and ``MAX_SECONDS`` (whichever first), seeded (``FuzzBudget``); a
failure names the seed and input number to replay with ``POLICYLINE_FUZZ_SEED``. Whenever a
fuzzed request signs the persona out (sign-out, a lockout after wrong factors), the persona signs
in again (the test clock moves past the lockout first) and the fuzzing goes on.
"""

from __future__ import annotations

import io
import json
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, unquote_plus, urlencode

import httpx
import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import HTTPException

from bot.phone_numbers import display_phone
from bot.web import shutdown
from bot.web.auth import CSRF_EXEMPT_VIEWS
from pas_connector.signing import PasSigner
from pas_sandbox.personas import personas_json
from tests.security.fuzzing import (
    TRACEBACK,
    FuzzBudget,
    foreign_data_in,
    hostile_json,
    hostile_text,
    record,
    web_routes,
)
from tests.support.servers import SandboxHandle
from tests.web.auth_fixtures import TestAccount, form_token, make_web_app, sign_in_policyholder
from tests.web.conftest import SettableClock

pytestmark = pytest.mark.slow

MAX_REQUESTS = 1500
MAX_SECONDS = 60.0
PERSONAS = ("H0000001", "H0000005")  # Maria; José (two policies, two open claims)
# Pages whose forms seed the form fuzzing (each persona's own values: policies, kinds, amounts).
FORM_PAGES = ("/account/", "/auth/account", "/auth/mfa/setup")
CSRF_PAGE = "This form has expired"
STATE_CHANGING = {"POST", "PUT", "PATCH", "DELETE"}
WRONG_METHODS = ("PUT", "PATCH", "DELETE", "POST", "GET")
QUERY_NAMES = ("next", "notice", "q", "page", "seq", "kind", "policy", "holder_id", "token")
CONTENT_TYPES = (
    "application/x-www-form-urlencoded",
    "application/json",
    "text/plain",
    "application/octet-stream",
    "multipart/form-data; boundary=x",
    "application/x-www-form-urlencoded; charset=utf-16",
)


# --- who is who -----------------------------------------------------------------------------


def holder_data(sandbox: SandboxHandle) -> dict[str, set[str]]:
    """Per fixture persona (holder id), the values that identify them, read from the PAS."""
    data: dict[str, set[str]] = {}
    with httpx.Client(
        base_url=f"{sandbox.base_url}/api/v1",
        auth=PasSigner(sandbox.key_id, sandbox.hmac_secret),
        trust_env=False,
        timeout=30,
    ) as pas:
        for holder_id in sorted({p["holder_id"] for p in personas_json()}):
            holder = pas.get(f"/policyholders/{holder_id}").json()
            dob = holder["date_of_birth"]
            year, month, day = dob.split("-")
            values = {
                holder_id,
                f"{holder['first_name']} {holder['last_name']}",
                holder["email"],
                holder["phone"],
                display_phone(holder["phone"]),
                holder["address"]["street"],
                dob,
                f"{month}/{day}/{year}",
            }
            for summary in pas.get(f"/policyholders/{holder_id}/policies").json()["policies"]:
                number = summary["policy_number"]
                policy = pas.get(f"/policies/{number}").json()
                values.add(number)
                values.update(policy.get("named_insureds") or [])
                values.update(d["name"] for d in policy.get("drivers") or [])
                values.update(v["vin"] for v in policy.get("vehicles") or [] if v.get("vin"))
                for claim in pas.get(f"/policies/{number}/claims").json()["claims"]:
                    values.add(claim["claim_number"])
            data[holder_id] = {v for v in values if v and len(v) >= 6}
    return data


def foreign_to(holder_id: str, data: dict[str, set[str]]) -> dict[str, str]:
    """Every other holder's identifying values (value → holder id), minus any shared with us."""
    own = data[holder_id]
    return {
        v: other
        for other, values in data.items()
        if other != holder_id
        for v in values
        if v not in own
    }


# --- the signed-in visitors -----------------------------------------------------------------


class _Forms(HTMLParser):
    """The POST forms of a page: action → list of forms, each a list of (name, value)."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: dict[str, list[list[tuple[str, str]]]] = {}
        self._current: list[tuple[str, str]] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attr = {k: v or "" for k, v in attrs}
        if tag == "form" and attr.get("method", "").lower() == "post" and attr.get("action"):
            self._current = []
            self.forms.setdefault(attr["action"], []).append(self._current)
        elif tag in ("input", "select", "textarea", "button") and self._current is not None:
            if attr.get("name") and attr["name"] != "csrf_token":
                self._current.append((attr["name"], attr.get("value", "")))

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._current = None


@dataclass
class Visitor:
    """One persona's browser: a signed-in client, its CSRF token, its own pages' forms."""

    holder_id: str
    app: Flask
    clock: SettableClock
    client: FlaskClient = field(init=False)
    account: TestAccount = field(init=False)
    csrf: str = ""
    old_csrf: list[str] = field(default_factory=list)
    forms: dict[str, list[list[tuple[str, str]]]] = field(default_factory=dict)
    own_links: list[str] = field(default_factory=list)
    sign_ins: int = 0

    def __post_init__(self) -> None:
        self.client = self.app.test_client()
        self.account = sign_in_policyholder(self.app, self.client, holder_id=self.holder_id)
        self._after_sign_in()
        for page in FORM_PAGES:
            parser = _Forms()
            parser.feed(self.client.get(page).get_data(as_text=True))
            for action, forms in parser.forms.items():
                self.forms.setdefault(action, []).extend(forms)

    def _after_sign_in(self) -> None:
        self.sign_ins += 1
        if self.csrf:
            self.old_csrf.append(self.csrf)
        self.csrf = form_token(self.client, "/account/")

    def ensure_signed_in(self) -> None:
        """Sign in again if a fuzzed request signed this browser out (or locked the account)."""
        status = self.client.get("/auth/session/status").get_json(silent=True) or {}
        if status.get("signed_in"):
            return
        # As it is; on fresh TOTP time-steps; past a lockout the fuzzing caused. (The clock moves
        # only as far as needed: the other persona's session idles out on the same clock.)
        lockout_s = self.app.config["POLICYLINE_SETTINGS"].auth.lockout_s
        for advance_s in (0, 31, lockout_s + 60):
            self.clock.advance(seconds=advance_s)
            try:
                self.account.sign_in(self.client)
            except AssertionError:
                continue
            self._after_sign_in()
            return
        raise AssertionError(f"{self.holder_id} could not sign in again")


# --- building one hostile request -----------------------------------------------------------


@dataclass
class FuzzRequest:
    method: str
    path: str
    template: str
    kwargs: dict[str, Any]
    csrf: str  # "form" | "header" | "missing" | "garbage" | "tampered" | "foreign" | "stale"
    sent: str  # everything the request carried, for telling echoes from leaks

    @property
    def csrf_valid(self) -> bool:
        body = self.kwargs.get("data")
        in_form = isinstance(body, MultiDict) and self.csrf == "form"
        return in_form or self.csrf == "header"

    def describe(self) -> str:
        return f"{self.method} {self.template} (csrf {self.csrf}) path={self.path[:120]!r}"


def _path_value(rng: random.Random, name: str, visitor: Visitor, foreign: list[str]) -> str:
    roll = rng.random()
    if name == "token" and visitor.own_links and roll < 0.3:
        token = rng.choice(visitor.own_links)
        cut = rng.randint(0, len(token))
        # one's own link: as minted, truncated, or with a character changed
        return rng.choice([token, token[:cut], token[:cut] + "A" + token[cut + 1 :]])
    if roll < 0.45 and foreign:
        return rng.choice(foreign)  # someone else's policy, claim or holder id
    return hostile_text(rng, extra=foreign)


def _query(rng: random.Random, foreign: list[str]) -> str:
    if rng.random() < 0.4:
        return ""
    pairs = [
        (rng.choice([*QUERY_NAMES, hostile_text(rng)[:30]]), hostile_text(rng, extra=foreign))
        for _ in range(rng.randint(1, 4))
    ]
    if rng.random() < 0.2:
        return quote(hostile_text(rng), safe="=&")  # not even key=value pairs
    return urlencode(pairs)


def _form_fields(
    rng: random.Random, visitor: Visitor, path: str, foreign: list[str]
) -> list[tuple[str, str]]:
    base = rng.choice(visitor.forms.get(path) or [[]])
    fields: list[tuple[str, str]] = []
    for name, value in base:
        roll = rng.random()
        if roll < 0.45:
            fields.append((name, value))  # as the page has it
        elif roll < 0.75:  # another holder's policy, claim or id (IDOR), or just hostile
            swap = rng.choice(foreign) if foreign and rng.random() < 0.4 else hostile_text(rng)
            fields.append((name, swap))
        elif roll < 0.9:
            continue  # missing
        else:  # duplicated, the first or the second one hostile
            pair = [(name, value), (name, hostile_text(rng, extra=foreign))]
            fields.extend(pair if rng.random() < 0.5 else pair[::-1])
    for _ in range(rng.randint(0, 3)):
        fields.append((hostile_text(rng)[:40] or "x", hostile_text(rng, extra=foreign)))
    rng.shuffle(fields)
    return fields


def build_request(
    rng: random.Random,
    visitor: Visitor,
    other: Visitor,
    routes: list[tuple[str, str]],
    foreign: list[str],
) -> FuzzRequest:
    if visitor.forms and rng.random() < 0.3:  # the forms the pages show get extra attention
        method, template = "POST", rng.choice(sorted(visitor.forms))
    else:
        method, template = rng.choice(routes)
    if rng.random() < 0.08:
        method = rng.choice([m for m in WRONG_METHODS if m != method])
    path = template
    while "{" in path:
        start, end = path.index("{"), path.index("}")
        value = _path_value(rng, path[start + 1 : end], visitor, foreign)
        path = path[:start] + (quote(value, safe="") or "x") + path[end + 1 :]
    query = _query(rng, foreign)
    kwargs: dict[str, Any] = {"query_string": query}
    headers: dict[str, str] = {}
    csrf = rng.choices(
        ["form", "header", "missing", "garbage", "tampered", "foreign", "stale"],
        weights=[45, 10, 15, 10, 7, 8, 5],
    )[0]
    token = {
        "form": visitor.csrf,
        "header": visitor.csrf,
        "garbage": hostile_text(rng) or "x",
        "tampered": visitor.csrf[:-2] + ("AA" if not visitor.csrf.endswith("AA") else "BB"),
        "foreign": other.csrf,  # another signed-in session's valid token
        "stale": rng.choice(visitor.old_csrf or ["IjAi.stale.token"]),
    }.get(csrf, "")
    if csrf == "header":
        headers["X-CSRFToken"] = token
    sent_parts = [path, query, unquote(path), unquote_plus(query)]
    if method != "GET":
        kind = rng.choices(["form", "multipart", "json", "raw", "none"], [55, 8, 15, 12, 10])[0]
        if kind in ("form", "multipart"):
            fields = _form_fields(rng, visitor, path, foreign)
            if token and csrf != "header":
                fields.insert(0, ("csrf_token", token))
            data: MultiDict[str, Any] = MultiDict(fields)
            if kind == "multipart":
                data.add("file", (io.BytesIO(rng.randbytes(200)), "../../x.pdf"))
                kwargs["content_type"] = "multipart/form-data"
            kwargs["data"] = data
            sent_parts += [f"{k}={v}" for k, v in fields]
        elif kind == "json":
            doc = hostile_json(rng)
            if isinstance(doc, dict) and token and csrf != "header":
                doc["csrf_token"] = token  # a JSON body never carries the token for Flask-WTF
            kwargs["json"] = doc
            sent_parts.append(json.dumps(doc, ensure_ascii=False))
        elif kind == "raw":
            raw = rng.randbytes(rng.randint(0, 600))
            kwargs["data"] = raw
            headers["Content-Type"] = rng.choice(CONTENT_TYPES)
            sent_parts.append(raw.decode("utf-8", "replace"))
    kwargs["headers"] = headers
    return FuzzRequest(method, path, template, kwargs, csrf, "\n".join(sent_parts))


# --- the test -------------------------------------------------------------------------------


@pytest.fixture
def signed_in_web(tmp_path: Path, sandbox: SandboxHandle) -> Iterator[tuple[Flask, SettableClock]]:
    clock = SettableClock()
    app = make_web_app(
        tmp_path,
        env={
            "PAS_BASE_URL": sandbox.base_url,
            "PAS_REPLICA_URL": sandbox.replica_url,
            "PAS_HMAC_SECRET": sandbox.hmac_secret,
            "PAS_KEY_ID": sandbox.key_id,
        },
        clock=clock,
        # the fuzzing posts to sign-in endpoints far faster than a person, and wrong codes by
        # the hundred: no 429s here (the limits have tests of their own in tests/web)
        AUTH_RATE_LIMIT="100000 per minute",
        AUTH_FAILED_SIGN_IN_LIMIT="100000 per minute",
    )
    yield app, clock
    shutdown(app)


def shown_to_everyone(app: Flask, routes: list[tuple[str, str]], values: set[str]) -> set[str]:
    """Those of ``values`` any anonymous visitor sees on a page without parameters.

    (The registration page gives Maria's policy number as the example of the format: a page
    template's text, the same for every visitor, not a holder's data shown to the wrong person.)
    """
    client = app.test_client()
    pages = "\n".join(
        client.get(path).get_data(as_text=True)
        for method, path in routes
        if method == "GET" and "{" not in path
    )
    return {v for v in values if foreign_data_in(pages, {v: ""}, "")}


def _exempt_rules(app: Flask) -> set[str]:
    exempt = {name.rsplit(".", 1)[1] for name in CSRF_EXEMPT_VIEWS}
    return {
        rule.rule
        for rule in app.url_map.iter_rules()
        if app.view_functions[rule.endpoint].__name__ in exempt
    }


def _guard(app: Flask, request: FuzzRequest, exempt: set[str]) -> str:
    """What stands before this request's view: "csrf", "signature" (a signed webhook, exempt
    from CSRF; the fuzzing never signs), or "no view" (404 / 405: none runs)."""
    adapter = app.url_map.bind("localhost")
    try:
        rule, _ = adapter.match(unquote(request.path), method=request.method, return_rule=True)
    except HTTPException:
        return "no view"
    return "signature" if rule.rule in exempt else "csrf"


def test_signed_in_fuzzing_of_every_web_route_gets_no_error_leak_or_csrf_less_change(
    signed_in_web: tuple[Flask, SettableClock], sandbox: SandboxHandle, fuzz_counts, fuzz_runs
) -> None:
    app, clock = signed_in_web
    data = holder_data(sandbox)
    visitors = [Visitor(holder_id, app, clock) for holder_id in PERSONAS]
    routes = web_routes(app)
    public = shown_to_everyone(app, routes, {v for values in data.values() for v in values})
    foreign = {
        v.holder_id: {k: o for k, o in foreign_to(v.holder_id, data).items() if k not in public}
        for v in visitors
    }
    exempt = _exempt_rules(app)
    budget = FuzzBudget("web, signed in", MAX_REQUESTS, MAX_SECONDS)
    fuzz_runs.append(budget)
    refused_without_csrf = 0
    for rng in budget:
        me, other = visitors if rng.random() < 0.5 else visitors[::-1]
        theirs = foreign[me.holder_id]
        request = build_request(rng, me, other, routes, sorted(theirs))
        response = me.client.open(request.path, method=request.method, **request.kwargs)
        record(fuzz_counts, "web-signed-in", response.status_code)
        body = response.get_data(as_text=True)
        shown = body + "\n" + "\n".join(f"{k}: {v}" for k, v in response.headers.items())
        where = f"{budget.where}: {request.describe()} → {response.status_code}"

        assert response.status_code < 500, f"{where}\n{body[:500]}"
        trace = TRACEBACK.search(shown)
        assert trace is None, f"{where}: exception text {trace.group(0)!r}"
        leaked = foreign_data_in(shown, theirs, request.sent)
        assert not leaked, f"{where}: shows {leaked} to {me.holder_id}"
        if request.method in STATE_CHANGING and not request.csrf_valid:
            guard = _guard(app, request, exempt)
            if guard == "csrf":
                assert response.status_code in (400, 413), where
                assert response.status_code == 413 or CSRF_PAGE in body, where
                refused_without_csrf += 1
            elif guard == "signature":
                assert response.status_code in (400, 401, 403, 404, 413), where
            else:
                assert response.status_code in (308, 400, 404, 405, 413), where

        location = response.headers.get("Location", "")
        if response.status_code in (302, 303) and location.startswith(("/d/", "/pay/")):
            me.own_links.append(location.split("/")[2])
        if request.csrf_valid or "/auth/" in location:
            me.ensure_signed_in()

    print(budget.summary(), f"- {refused_without_csrf} CSRF-less changes refused")
    print("sign-ins:", {v.holder_id: v.sign_ins for v in visitors})
    assert budget.sent >= 100, "too few requests in the time budget to mean anything"
    assert refused_without_csrf > 0


def test_a_multipart_form_with_a_nameless_field_gets_the_csrf_refusal_not_a_500(
    tmp_path: Path,
) -> None:
    # Found by the fuzzing above: Werkzeug names such a part None, and Flask-WTF's token search
    # called None.endswith (AttributeError) on every POST route, signed in or not.
    app = make_web_app(tmp_path)
    body = b"--x\r\nContent-Disposition: form-data\r\n\r\nhello\r\n--x--\r\n"
    for path in ("/auth/login", "/account/pay", "/auth/logout"):
        response = app.test_client().post(
            path, data=body, content_type="multipart/form-data; boundary=x"
        )
        assert response.status_code == 400, path
        assert CSRF_PAGE in response.get_data(as_text=True)
