"""The staff console over HTTP: every page, its roles, the audit of every transcript view."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from bot.accounts.pas_records import HolderRecord
from bot.transcripts.audit import StaffAccessAudit, StaffAction, staff_access_audit
from bot.web import shutdown
from tests.staff.conftest import Databases, _sqlite
from tests.staff.world import BASE, DOC_TOKEN, MovableClock, World, build_world, us_date
from tests.web.auth_fixtures import (
    StaticRecords,
    TestAccount,
    form_token,
    make_web_app,
    sign_in_policyholder,
    sign_in_staff,
)

NOW = BASE.replace(day=BASE.day + 2)
STAFF_PAGES = [
    "/staff/",
    "/staff/conversations",
    "/staff/conversations/sms-4c1f0a9e3b7d",
    "/staff/handoffs",
    "/staff/dashboard",
    "/staff/export/conversations.csv",
    "/staff/export/turns.csv",
    "/staff/audit",
]
SUPERVISOR_ONLY = [
    "/staff/dashboard",
    "/staff/export/conversations.csv",
    "/staff/export/turns.csv",
    "/staff/audit",
]


@dataclass
class Console:
    app: Flask
    dbs: Databases
    world: World
    reviewer: FlaskClient
    reviewer_account: TestAccount
    supervisor: FlaskClient
    supervisor_account: TestAccount
    holder: FlaskClient
    anonymous: FlaskClient

    def audit(self) -> list[dict[str, Any]]:
        with self.dbs.app_engine.connect() as conn:
            rows = conn.execute(select(staff_access_audit).order_by(staff_access_audit.c.at))
            return [dict(r._mapping) for r in rows]


@pytest.fixture(scope="module")
def console(
    tmp_path_factory: pytest.TempPathFactory, personas: list[dict[str, Any]]
) -> Iterator[Console]:
    tmp = tmp_path_factory.mktemp("console")
    dbs = _sqlite(tmp)
    maria = next(p for p in personas if p["policy_number"] == "AUT-1000001")
    records = StaticRecords(
        [
            HolderRecord(
                holder_id=maria["holder_id"],
                first_name=maria["name"].split()[0],
                date_of_birth=date.fromisoformat(maria["date_of_birth"]),
                zip=maria["zip"],
                phone=maria["phone"],
                email="maria@example.com",
            )
        ]
    )
    app = make_web_app(
        tmp,
        env={"DATABASE_URL": dbs.app_url, "TRACKER_DATABASE_URL": dbs.tracker_url},
        clock=MovableClock(NOW),
        AUTH_PAS_RECORDS=records,
    )
    world = build_world(dbs.writer, dbs.app_engine, personas)
    clients = [app.test_client() for _ in range(4)]
    reviewer = sign_in_staff(app, clients[0], role="reviewer")
    supervisor = sign_in_staff(app, clients[1], role="supervisor")
    sign_in_policyholder(app, clients[2], holder_id=world.personas["maria"]["holder_id"])
    yield Console(
        app, dbs, world, clients[0], reviewer, clients[1], supervisor, clients[2], clients[3]
    )
    shutdown(app)
    dbs.writer.close()
    dbs.tracker_engine.dispose()
    dbs.app_engine.dispose()


@pytest.mark.parametrize("path", STAFF_PAGES)
def test_anonymous_visitors_are_sent_to_sign_in(console: Console, path: str) -> None:
    response = console.anonymous.get(path)
    assert response.status_code == 302
    assert "/auth/login" in response.headers["Location"]


@pytest.mark.parametrize("path", STAFF_PAGES)
def test_policyholders_get_403_on_every_staff_page(console: Console, path: str) -> None:
    before = len(console.audit())
    response = console.holder.get(path)
    assert response.status_code == 403
    assert "Alvarez" not in response.get_data(as_text=True)
    assert len(console.audit()) == before  # nothing was shown, nothing to audit


def test_a_policyholder_cannot_read_their_own_transcript_in_the_console(console: Console) -> None:
    own = console.world.ids["balance_sms"]  # Maria's own SMS conversation
    assert console.holder.get(f"/staff/conversations/{own}").status_code == 403


@pytest.mark.parametrize("path", SUPERVISOR_ONLY)
def test_reviewers_cannot_open_supervisor_pages(console: Console, path: str) -> None:
    before = len(console.audit())
    assert console.reviewer.get(path).status_code == 403
    assert len(console.audit()) == before


def test_reviewer_sees_the_conversation_list_without_script(console: Console) -> None:
    response = console.reviewer.get("/staff/conversations")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "5 conversations" in page
    for conversation_id in ("sms-4c1f0a9e3b7d", "web-8d2e61f0c4a94b57", "rest-tester-1"):
        assert conversation_id in page
    assert "web-empty-0001" not in page
    # the only script is the sign-in's idle-timeout warning, from this origin
    assert re.findall(r'<script src="([^"]+)"', page) == ["/static/auth/session-timeout.js"]
    assert "<script>" not in page
    assert 'role="alertdialog"' in page and "Stay signed in" in page
    csp = response.headers["Content-Security-Policy"]
    assert csp.startswith("default-src 'none'") and "script-src 'self';" in csp
    assert "unsafe-inline" not in csp
    assert response.headers["Cache-Control"] == "no-store"
    assert "conversations CSV" not in page  # reviewers are not offered the export
    supervisor_page = console.supervisor.get("/staff/conversations").get_data(as_text=True)
    assert "conversations CSV" in supervisor_page


@pytest.mark.parametrize(
    ("query", "shown", "hidden"),
    [
        ("channel=voice", ["CA0f3b9e51"], ["sms-4c1f0a9e3b7d"]),
        ("verified=no", ["CA0f3b9e51", "rest-tester-1"], ["sms-9a8b7c6d5e4f"]),
        ("outcome=contained", ["sms-4c1f0a9e3b7d", "web-8d2e61f0"], ["CA0f3b9e51"]),
        ("intent=coverage_question", ["sms-9a8b7c6d5e4f"], ["sms-4c1f0a9e3b7d"]),
        ("from=2026-11-23&to=2026-11-23", ["sms-4c1f0a9e3b7d"], []),
        ("from=2026-11-24", [], ["sms-4c1f0a9e3b7d"]),
    ],
)
def test_list_filters_from_the_query_string(
    console: Console, query: str, shown: list[str], hidden: list[str]
) -> None:
    page = console.reviewer.get(f"/staff/conversations?{query}").get_data(as_text=True)
    for text in shown:
        assert text in page, query
    for text in hidden:
        assert text not in page, query


def search(client: FlaskClient, text: str, **filters: str) -> Any:
    """Submit the filter form with search text, as the page does (POST, then a redirect)."""
    token = form_token(client, "/staff/conversations")
    return client.post("/staff/conversations", data={"q": text, "csrf_token": token, **filters})


@pytest.mark.parametrize(
    ("text", "shown", "hidden"),
    [
        ("flood", ["sms-9a8b7c6d5e4f"], ["CA0f3b9e51"]),
        ("HO-CLAIM234", ["CA0f3b9e51"], ["sms-9a8b7c6d5e4f"]),
        ("Alvarez", [], ["sms-4c1f0a9e3b7d"]),
    ],
)
def test_search_text_stays_out_of_urls(
    console: Console, text: str, shown: list[str], hidden: list[str]
) -> None:
    posted = search(console.reviewer, text, channel="")
    assert posted.status_code == 303
    location = posted.headers["Location"]
    assert text not in location and location.endswith("/staff/conversations?search=1")
    page = console.reviewer.get(location).get_data(as_text=True)
    for conversation in shown:
        assert conversation in page
    for conversation in hidden:
        assert conversation not in page
    assert f'name="q" value="{text}"' in page  # the box still shows what was typed
    assert text not in "".join(re.findall(r'href="([^"]+)"', page))


def test_search_in_the_query_string_is_ignored(console: Console) -> None:
    page = console.reviewer.get("/staff/conversations?q=flood").get_data(as_text=True)
    assert "5 conversations" in page


def test_clearing_the_search_box_clears_the_search(console: Console) -> None:
    search(console.reviewer, "flood")
    posted = search(console.reviewer, "", verified="yes")
    assert posted.headers["Location"].endswith("/staff/conversations?verified=yes")
    assert "?search=1" not in posted.headers["Location"]
    page = console.reviewer.get("/staff/conversations?search=1").get_data(as_text=True)
    assert "5 conversations" in page


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("channel=fax", "unknown channel"),
        ("from=yesterday", "from must be a date"),
        ("outcome=great", "unknown outcome"),
        ("verified=maybe", "verified is yes or no"),
        ("page=0", "page must be"),
        ("from=2026-11-25&to=2026-11-20", "before its end"),
    ],
)
def test_bad_filters_get_400_and_say_why(console: Console, query: str, message: str) -> None:
    response = console.reviewer.get(f"/staff/conversations?{query}")
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)


def test_list_pages(console: Console) -> None:
    from bot.web.staff import views

    original = views.PER_PAGE
    views.PER_PAGE = 2
    try:
        first = console.reviewer.get("/staff/conversations").get_data(as_text=True)
        third = console.reviewer.get("/staff/conversations?page=3").get_data(as_text=True)
    finally:
        views.PER_PAGE = original
    assert "Page 1 of 3" in first and "rest-tester-1" in first and "sms-4c1f0a9e3b7d" not in first
    assert "Page 3 of 3" in third and "sms-4c1f0a9e3b7d" in third


def test_transcript_view_is_redacted_and_audited(console: Console) -> None:
    maria = console.world.personas["maria"]
    conversation_id = console.world.ids["balance_sms"]
    response = console.reviewer.get(f"/staff/conversations/{conversation_id}")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "hi whats my balance" in page
    assert page.index("hi whats my balance") < page.index("What&#39;s your policy number?")
    assert maria["policy_number"] not in page and "AUT-****001" in page
    assert us_date(maria["date_of_birth"]) not in page and maria["date_of_birth"] not in page
    assert maria["zip"] not in page
    assert "(***) ***-0101" in page and "512-555-0101" not in page
    last = console.audit()[-1]
    assert (last["staff_account_id"], last["action"], last["conversation_id"]) == (
        console.reviewer_account.account_id,
        "view_transcript",
        conversation_id,
    )
    assert last["at"].replace(tzinfo=None) == NOW.replace(tzinfo=None)


def test_transcript_hides_document_tokens_and_card_numbers(console: Console) -> None:
    web = console.reviewer.get(f"/staff/conversations/{console.world.ids['declarations_web']}")
    assert DOC_TOKEN not in web.get_data(as_text=True)
    assert "Document link sent (declarations)" in web.get_data(as_text=True)
    sms = console.reviewer.get(f"/staff/conversations/{console.world.ids['coverage_sms']}")
    text = sms.get_data(as_text=True)
    assert "4242 4242" not in text and "[CARD]" in text and "HO-COVER567" in text


def test_unknown_transcript_is_404_and_not_audited(console: Console) -> None:
    before = len(console.audit())
    response = console.reviewer.get("/staff/conversations/sms-does-not-exist")
    assert response.status_code == 404
    assert len(console.audit()) == before


def test_handoff_queue_shows_context(console: Console) -> None:
    response = console.reviewer.get("/staff/handoffs")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert page.index("HO-CLAIM234") < page.index("HO-COVER567")  # urgent first
    assert "first notice of loss" in page and "not verified" in page
    assert "verified (verified)" in page and "REN-****001" in page
    assert "flood damage" in page and "4242" not in page
    assert console.world.personas["priya"]["policy_number"] not in page
    coverage_only = console.reviewer.get("/staff/handoffs?queue=coverage").get_data(as_text=True)
    assert "HO-COVER567" in coverage_only and "HO-CLAIM234" not in coverage_only
    assert console.reviewer.get("/staff/handoffs?queue=nope").status_code == 400


def test_supervisor_dashboard_draws_containment_against_the_case_study(console: Console) -> None:
    response = console.supervisor.get("/staff/dashboard?from=2026-11-23&to=2026-11-24")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert page.count("<svg") == 5  # overall + four categories
    assert page.count("<script") == 1  # the idle-timeout warning only: charts are SVG
    for figure in ("89%", "74%", "58%", "61%"):
        assert figure in page
    # 4 tasks on the day: 2 contained (balance, declarations), 2 handed off
    assert '<th scope="row">overall</th><td>4</td><td>2</td>' in page
    assert "provisional" in page  # NOW is less than 72 h after the range
    weekly = console.supervisor.get("/staff/dashboard?bucket=week")
    assert weekly.status_code == 200
    assert console.supervisor.get("/staff/dashboard?bucket=month").status_code == 400
    assert console.supervisor.get("/staff/dashboard?from=2020-01-01").status_code == 400


def test_supervisor_export_is_streamed_csv_and_audited(console: Console) -> None:
    response = console.supervisor.get("/staff/export/conversations.csv?channel=sms")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.is_streamed
    assert "attachment;" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0][0] == "conversation_id"
    assert sorted(r[0] for r in rows[1:]) == ["sms-4c1f0a9e3b7d", "sms-9a8b7c6d5e4f"]
    last = console.audit()[-1]
    assert (last["staff_account_id"], last["action"]) == (
        console.supervisor_account.account_id,
        "export_conversations",
    )
    assert last["detail"] == '{"channel": "sms"}'


def test_supervisor_message_export_is_redacted(console: Console) -> None:
    maria = console.world.personas["maria"]
    search(console.supervisor, "balance")
    response = console.supervisor.get("/staff/export/turns.csv?search=1")
    text = response.get_data(as_text=True)
    assert response.status_code == 200
    assert maria["policy_number"] not in text and "AUT-****001" in text
    assert maria["date_of_birth"][:4] not in text
    last = console.audit()[-1]
    assert last["action"] == "export_turns" and last["detail"] == '{"search": "yes"}'


def test_export_with_a_bad_filter_is_refused_before_anything_is_audited(console: Console) -> None:
    before = len(console.audit())
    assert console.supervisor.get("/staff/export/turns.csv?channel=fax").status_code == 400
    assert len(console.audit()) == before


def test_supervisor_reads_the_access_audit(console: Console) -> None:
    conversation_id = console.world.ids["claim_call"]
    console.reviewer.get(f"/staff/conversations/{conversation_id}")
    page = console.supervisor.get(f"/staff/audit?conversation={conversation_id}").get_data(
        as_text=True
    )
    assert "view transcript" in page
    assert f"<td>{console.reviewer_account.account_id}</td>" in page
    records = StaffAccessAudit(console.dbs.app_engine).recent(conversation_id=conversation_id)
    assert records[0].action is StaffAction.VIEW_TRANSCRIPT
