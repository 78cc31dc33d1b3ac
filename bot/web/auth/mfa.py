"""MFA set-up: TOTP with a QR code (always offered), SMS to the number on file (policyholders,
with its risk explained), and recovery codes shown once.

Reached in two ways: right after the password for an account with no second factor yet (new
registrations, staff created by the CLI: they can do nothing else first), or from the account
security page after a recent step-up.
"""

from __future__ import annotations

from typing import Any

from flask import redirect, request, session, url_for
from werkzeug.wrappers import Response

from bot.accounts.accounts import Account
from bot.accounts.contact import DeliveryFailed
from bot.accounts.pas_records import RecordsUnavailable
from bot.conversation.send_budget import SendLimitReached
from bot.web.auth.blueprint import bp
from bot.web.auth.flow import (
    complete_sign_in,
    pending_account,
    recently_stepped_up,
    services,
    signed_in_account,
)
from bot.web.auth.protection import auth_rate_limit
from bot.web.auth.sign_in import FACTOR_ERRORS, _page, code_source, too_many_codes

RECOVERY_KEY = "recovery_codes_once"


def _subject() -> tuple[Account | None, dict[str, Any] | None, Response | None]:
    """(account, pending sign-in state or None, or a redirect when not allowed here)."""
    pending = pending_account()
    if pending is not None:
        account, state = pending
        if state["stage"] == "enrol":
            return account, state, None
        return None, None, redirect(url_for("auth.verify"))
    signed_in = signed_in_account()
    if signed_in is None:
        return None, None, redirect(url_for("auth.login"))
    if not recently_stepped_up():
        return None, None, redirect(url_for("auth.step_up", next=url_for("auth.mfa_setup")))
    return signed_in, None, None


def _setup_page(account: Account, status: int = 200, **extra: Any) -> Response:
    sign_in = services().sign_in
    enrolment = sign_in.pending_totp(account) or sign_in.begin_totp(account)
    return _page(
        "auth/mfa_setup.html",
        status,
        account=account,
        enrolment=enrolment,
        secret_groups=[enrolment.secret[i : i + 4] for i in range(0, len(enrolment.secret), 4)],
        offer_sms=account.kind == "policyholder",
        sms_hint=session.get("enrol_sms_hint"),
        **extra,
    )


def _finish(account: Account, state: dict[str, Any] | None) -> Response:
    session[RECOVERY_KEY] = services().sign_in.new_recovery_codes(account)
    session.pop("enrol_sms_hint", None)
    if state is not None:
        complete_sign_in(account, state["risk"])
    return redirect(url_for("auth.recovery_codes"))


@bp.get("/mfa/setup")
def mfa_setup() -> Response:
    account, _, refusal = _subject()
    if refusal is not None or account is None:
        return refusal or redirect(url_for("auth.login"))
    return _setup_page(account)


@bp.post("/mfa/setup/totp")
@auth_rate_limit
def mfa_setup_totp() -> Response:
    account, state, refusal = _subject()
    if refusal is not None or account is None:
        return refusal or redirect(url_for("auth.login"))
    if not services().sign_in.confirm_totp(account, request.form.get("code", "")):
        error = (
            "That code doesn't match. Check the time on your phone is set automatically, "
            "then enter the code your app shows now."
        )
        return _setup_page(account, 400, errors={"totp-code": error})
    return _finish(account, state)


@bp.post("/mfa/setup/sms")
@auth_rate_limit
def mfa_setup_sms_send() -> Response:
    account, _, refusal = _subject()
    if refusal is not None or account is None:
        return refusal or redirect(url_for("auth.login"))
    if account.kind != "policyholder":
        return _setup_page(account, 400, error="Staff accounts use an authenticator app.")
    try:
        session["enrol_sms_hint"] = services().sign_in.send_code(
            account, "enrol", source=code_source()
        )
    except SendLimitReached as refused:
        return _setup_page(
            account,
            429,
            error=too_many_codes(refused, "set up an authenticator app"),
        )
    except (RecordsUnavailable, DeliveryFailed):
        return _setup_page(
            account,
            503,
            error="We couldn't send a text message just now. Try again in a minute.",
        )
    return redirect(url_for("auth.mfa_setup") + "#sms")


@bp.post("/mfa/setup/sms/verify")
@auth_rate_limit
def mfa_setup_sms_verify() -> Response:
    account, state, refusal = _subject()
    if refusal is not None or account is None:
        return refusal or redirect(url_for("auth.login"))
    sign_in = services().sign_in
    result = sign_in.verify_factor(
        account, "sms", request.form.get("code", ""), risky=False, purpose="enrol"
    )
    if result != "ok":
        if result == "locked":
            session.pop("auth", None)
        if result == "locked":
            return _setup_page(account, 400, error=FACTOR_ERRORS[result])
        return _setup_page(account, 400, errors={"sms-code": FACTOR_ERRORS[result]})
    sign_in.set_sms(account, True)
    return _finish(account, state)


@bp.get("/mfa/recovery-codes")
def recovery_codes() -> Response:
    codes = session.pop(RECOVERY_KEY, None)
    if not codes or signed_in_account() is None:
        return redirect(url_for("auth.security"))
    return _page("auth/recovery_codes.html", codes=codes)
