"""The account security page, re-authentication (step-up), and the changes that need it.

Changing the sign-in e-mail, the password or any MFA setting needs a step-up in the last
``step_up_max_age_s`` (5 minutes): the password and a second factor again, and a new session id.
The phone number is the one on file with the carrier (it receives codes), so it is changed by
calling us, not here.
"""

from __future__ import annotations

from typing import cast

from flask import redirect, request, session, url_for
from werkzeug.wrappers import Response

from bot.accounts.accounts import AccountExists
from bot.accounts.contact import DeliveryFailed
from bot.accounts.pas_records import RecordsUnavailable
from bot.accounts.service import Factor
from bot.conversation.send_budget import SendLimitReached
from bot.notifications.email_sender import is_plausible_address
from bot.phone_numbers import display_phone
from bot.web.auth.blueprint import bp
from bot.web.auth.flow import (
    account_required,
    destroy_session_after_lockout,
    recently_stepped_up,
    record_step_up,
    safe_next,
    services,
    signed_in_account,
    step_up_required,
)
from bot.web.auth.protection import auth_rate_limit
from bot.web.auth.sign_in import FACTOR_ERRORS, _page, code_source, too_many_codes

FLASH_KEY = "security_message"


def _security_page(status: int = 200, **extra: object) -> Response:
    account = signed_in_account()
    assert account is not None
    sign_in = services().sign_in
    return _page(
        "auth/security.html",
        status,
        account=account,
        stepped_up=recently_stepped_up(),
        recovery_left=sign_in.recovery.remaining(account.id),
        devices=sign_in.devices.labels(account.id),
        events=services().audit.entries(account.id, limit=10),
        message=session.pop(FLASH_KEY, None),
        **extra,
    )


@bp.get("/account")
@account_required
def security() -> Response:
    return _security_page()


@bp.route("/step-up", methods=["GET", "POST"])
@auth_rate_limit
@account_required
def step_up() -> Response:
    account = signed_in_account()
    assert account is not None
    next_path = safe_next(request.values.get("next"), url_for("auth.security"))
    factor = request.values.get("factor") or ("totp" if account.has_totp else "sms")
    if factor not in ("totp", "sms", "recovery"):
        factor = "totp"
    context = {
        "account": account,
        "factor": factor,
        "next": next_path,
        "hint": session.get("step_up_hint"),
    }
    if request.method == "GET":
        return _page("auth/step_up.html", **context)
    result = services().sign_in.check_step_up(
        account,
        request.form.get("password", ""),
        cast(Factor, factor),
        request.form.get("code", ""),
    )
    if result == "locked":
        return destroy_session_after_lockout()
    if result != "ok":
        error = "Your password or code isn't right." if result == "wrong" else FACTOR_ERRORS[result]
        # Tied to the password, and through it to the code (auth/step_up.html).
        return _page("auth/step_up.html", 401, errors={"password": error}, **context)
    session.pop("step_up_hint", None)
    record_step_up()
    return redirect(next_path)


@bp.post("/step-up/sms")
@auth_rate_limit
@account_required
def step_up_sms() -> Response:
    account = signed_in_account()
    assert account is not None
    next_path = safe_next(request.form.get("next"), url_for("auth.security"))
    context = {"account": account, "factor": "sms", "next": next_path}
    if not account.sms_mfa_enabled:
        return _page("auth/step_up.html", 400, error=FACTOR_ERRORS["unavailable"], **context)
    try:
        session["step_up_hint"] = services().sign_in.send_code(
            account, "step_up", source=code_source()
        )
    except SendLimitReached as refused:
        error = too_many_codes(refused, "use your app")
        return _page("auth/step_up.html", 429, error=error, **context)
    except (RecordsUnavailable, DeliveryFailed):
        error = "We couldn't send a text message just now. Try again in a minute."
        return _page("auth/step_up.html", 503, error=error, **context)
    return redirect(url_for("auth.step_up", factor="sms", next=next_path))


@bp.post("/account/totp")
@step_up_required
def reset_totp() -> Response:
    account = signed_in_account()
    assert account is not None
    services().sign_in.begin_totp(account)
    return redirect(url_for("auth.mfa_setup"))


@bp.post("/account/totp/remove")
@step_up_required
def remove_totp() -> Response:
    account = signed_in_account()
    assert account is not None
    if not account.sms_mfa_enabled:
        return _security_page(400, error="Set up text message codes first: you need one way.")
    services().sign_in.remove_totp(account)
    session[FLASH_KEY] = "Authenticator app removed."
    return redirect(url_for("auth.security"))


@bp.post("/account/sms")
@step_up_required
def change_sms() -> Response:
    account = signed_in_account()
    assert account is not None
    if request.form.get("enabled") == "1":
        return redirect(url_for("auth.mfa_setup") + "#sms")
    if not account.has_totp:
        return _security_page(400, error="Set up an authenticator app first: you need one way.")
    services().sign_in.set_sms(account, False)
    session[FLASH_KEY] = "Text message codes turned off."
    return redirect(url_for("auth.security"))


@bp.post("/account/recovery-codes")
@step_up_required
def renew_recovery_codes() -> Response:
    account = signed_in_account()
    assert account is not None
    session["recovery_codes_once"] = services().sign_in.new_recovery_codes(account)
    return redirect(url_for("auth.recovery_codes"))


@bp.post("/account/email")
@step_up_required
def change_email() -> Response:
    account = signed_in_account()
    assert account is not None
    new_email = request.form.get("email", "").strip().lower()
    if not is_plausible_address(new_email):
        return _security_page(
            400,
            errors={"email": "Enter an e-mail address like name@example.com."},
            new_email=new_email,
        )
    try:
        services().accounts.set_email(account.id, new_email)
    except AccountExists:
        return _security_page(
            409,
            errors={"email": "That e-mail address is already used by an account."},
            new_email=new_email,
        )
    services().audit.record("email_changed", account.id)
    try:
        services().sign_in.delivery.email(
            account.email,
            "Your sign-in e-mail was changed",
            "The e-mail address you use to sign in was just changed. If you didn't do this, "
            f"call us at {display_phone(services().sign_in.contact_phone)}.",
        )
    except DeliveryFailed:
        services().audit.record("email_change_notice_failed", account.id)
    session[FLASH_KEY] = "Sign-in e-mail changed."
    return redirect(url_for("auth.security"))


@bp.post("/account/password")
@step_up_required
def change_password() -> Response:
    account = signed_in_account()
    assert account is not None
    password = request.form.get("password", "")
    if password != request.form.get("password_again", ""):
        return _security_page(400, errors={"password_again": "The two passwords don't match."})
    problems = services().sign_in.change_password(account, password)
    if problems:
        return _security_page(400, errors={"password": list(problems)})
    session[FLASH_KEY] = "Password changed."
    return redirect(url_for("auth.security"))
