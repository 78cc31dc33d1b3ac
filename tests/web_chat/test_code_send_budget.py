"""OTP pumping: one send budget of one-time codes, whatever asks for them.

Six fresh web-chat sessions with a policyholder's details used to text six codes to her phone in
a minute. The chat's code step and the web sign-in now spend one budget (per holder, per number,
per source), counted in the app database: real actions on the PAS sandbox, the real web app on
the same database, and the local SMS outbox as the phone.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import select

from actions.identity import ActionVerifyIdentity
from actions.one_time_code import ActionCheckOneTimeCode
from bot.bootstrap import Services
from bot.conversation.answers.common import OFFER_PERSON
from bot.conversation.outcomes import task_outcomes
from bot.notifications.outbox import read_outbox
from tests.actions.conftest import MARIA, Conversation, Result, run
from tests.web.auth_fixtures import (
    StaticRecords,
    account_services,
    form_token,
    make_web_app,
    sign_in_policyholder,
)
from tests.web.conftest import MARIA as MARIA_RECORD
from tests.web_chat.test_one_time_codes import texted_codes

OVER_BUDGET = "we've sent several codes already"


def web_chat_session(n: int) -> Conversation:
    """A fresh web chat session that has just given Maria's policy number, DOB and ZIP."""
    talk = Conversation(sender_id=f"web-session-{n}", channel="webchat").user("78704", "inform")
    talk.slots.update(
        pending_task="check_balance",
        policy_number=MARIA.policy_number,
        date_of_birth=MARIA.date_of_birth,
        zip_code=MARIA.zip,
    )
    return talk


async def test_six_web_chat_sessions_for_one_holder_text_three_codes(
    services: Services, domain: dict[str, Any]
) -> None:
    sessions = [web_chat_session(n) for n in range(6)]
    results = [await run(ActionVerifyIdentity(), talk, domain) for talk in sessions]

    assert len(read_outbox(services.engine, to=MARIA.phone)) == 3
    for sent in results[:3]:
        assert sent.slot("code_sent") is True
        assert sent.followup == "one_time_code_form"
    for refused in results[3:]:
        assert_over_budget_answer(refused)
    # No code was made for the refused sessions: the last texted code is session 3's alone.
    last_code = texted_codes(services, MARIA.phone)[-1]
    sessions[3].slots["one_time_code"] = last_code
    check = await run(ActionCheckOneTimeCode(), sessions[3], domain)
    assert sessions[3].slots.get("assurance") == "anonymous"
    assert check.followup == "verification_form"
    with services.engine.connect() as conn:
        reasons = conn.execute(select(task_outcomes.c.reason)).scalars().all()
    assert reasons.count("code_send_limit") == 3


def assert_over_budget_answer(result: Result) -> None:
    """Explained, a person offered, and the dialogue moves on (no code form waiting)."""
    assert OVER_BUDGET in result.text
    assert "(800) 555-0100" in result.text
    assert OFFER_PERSON in result.text
    assert "try again in 15 minutes" in result.text
    assert result.slot("code_sent") is False
    assert result.slot("pending_task") is None
    assert result.followup is None


async def test_web_sign_in_and_chat_share_one_budget_for_a_holder(
    services: Services, domain: dict[str, Any], tmp_path: Path
) -> None:
    app = make_web_app(
        tmp_path,
        env={"DATABASE_URL": services.settings.database_url},
        AUTH_PAS_RECORDS=StaticRecords([MARIA_RECORD]),
    )
    try:
        assert MARIA_RECORD.holder_id == "H0000001" and MARIA_RECORD.phone == MARIA.phone
        browser = app.test_client()
        account = sign_in_policyholder(app, browser, holder_id=MARIA_RECORD.holder_id)
        account_services(app).accounts.set_sms_mfa(account.account_id, True)
        browser.post("/auth/logout", data={"csrf_token": form_token(browser, "/auth/account")})
        browser.post(
            "/auth/login",
            data={
                "email": account.email,
                "password": account.password,
                "csrf_token": form_token(browser),
            },
        )

        def web_code() -> Any:
            token = form_token(browser, "/auth/verify")
            return browser.post("/auth/verify/sms", data={"csrf_token": token})

        assert [web_code().status_code for _ in range(2)] == [302, 302]
        chat = [await run(ActionVerifyIdentity(), web_chat_session(n), domain) for n in (1, 2)]
        assert chat[0].slot("code_sent") is True
        assert_over_budget_answer(chat[1])
        refused = web_code()
        assert refused.status_code == 429
        page = refused.get_data(as_text=True).replace("&#39;", "'")
        assert OVER_BUDGET in page and "(800) 555-0100" in page
        assert "or use your authenticator app" in page

        assert len(read_outbox(services.engine, to=MARIA.phone)) == 3
    finally:
        account_services(app).engine.dispose()
