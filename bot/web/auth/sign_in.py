"""Sign-in, second factor, sign-out, and the idle-timeout endpoints.

``/auth/login`` (e-mail + password) → ``/auth/verify`` (TOTP, SMS code or recovery code) →
the page asked for. Accounts without a second factor go to ``/auth/mfa/setup`` instead.
"""

from __future__ import annotations

from typing import Any

from flask import current_app, jsonify, redirect, render_template, request, session, url_for
from werkzeug.wrappers import Response

from bot.accounts.contact import DeliveryFailed
from bot.accounts.pas_records import RecordsUnavailable
from bot.conversation.answers.one_time_codes import code_budget_spent
from bot.conversation.send_budget import SendLimitReached, SendSource
from bot.web.auth.blueprint import bp
from bot.web.auth.flow import (
    begin_pending,
    complete_sign_in,
    device_id,
    device_traits,
    handovers,
    home_for,
    now,
    pending_account,
    safe_next,
    services,
    session_store,
    set_device_cookie,
    signed_in_account,
)
from bot.web.auth.protection import auth_rate_limit, failed_sign_in_limit
from bot.web.auth.web_sessions import (
    current_session_key,
    destroy_session,
    mark_passive,
    session_times,
)

NOTICES = {
    "expired_idle": "You were signed out after {minutes} minutes without activity. Please sign in "
    "again.",
    "expired_absolute": "Your session reached its time limit. Please sign in again.",
    "expired_pending": "That sign-in took too long. Please start again.",
    "signed_out": "You are signed out.",
    "signed_out_everywhere": "You are signed out on every device.",
}

FACTOR_ERRORS = {
    "wrong": "That code isn't right. Check it and try again.",
    "expired": "That code has expired. Ask for a new one.",
    "locked": "Too many wrong attempts. Your account is locked for a while; try again later or "
    "call us.",
    "stronger_needed": (
        "This sign-in is from a new device, so a text message code isn't enough. Use your "
        "authenticator app or a recovery code."
    ),
    "unavailable": "That way of signing in isn't set up for your account.",
}


def _minutes(setting: str) -> int:
    """A duration from the auth settings, in whole minutes, for messages."""
    return int(getattr(current_app.config["POLICYLINE_SETTINGS"].auth, setting)) // 60


def code_source() -> SendSource:
    """This request as the source of a one-time code, for the send budget: its client address."""
    return SendSource.ip(request.remote_addr or "unknown")


def too_many_codes(refused: SendLimitReached, meanwhile: str = "") -> str:
    """The answer when the send budget of codes is spent; ``meanwhile``: another way in."""
    contact = current_app.config["POLICYLINE_SETTINGS"].contact_centre_phone
    return code_budget_spent(contact, refused.retry_after, meanwhile=meanwhile)


def _notice() -> str | None:
    key = session.pop("notice", None)
    text = NOTICES.get(key) if key else None
    if text is None:
        return None
    return text.format(minutes=_minutes("session_idle_s"))


def _page(template: str, status: int = 200, /, **context: Any) -> Response:
    response = current_app.make_response((render_template(template, **context), status))
    response.headers["Cache-Control"] = "no-store"
    return set_device_cookie(response)


@bp.route("/login", methods=["GET", "POST"])
@auth_rate_limit
@failed_sign_in_limit
def login() -> Response:
    next_path = safe_next(request.values.get("next"))
    if request.method == "GET":
        account = signed_in_account()
        if account is not None:
            return redirect(next_path if next_path != "/" else home_for(account))
        pending = pending_account()
        if pending is not None:
            return redirect(
                url_for("auth.verify" if pending[1]["stage"] == "factor" else "auth.mfa_setup")
            )
        device_id()  # issue the device cookie with the form
        return _page("auth/login.html", notice=_notice(), next=next_path, email="")
    email = request.form.get("email", "").strip()
    password = request.form.get("password", "")
    if not email or not password:
        asks = (
            ("email", email, "Enter your e-mail address."),
            ("password", password, "Enter your password."),
        )
        missing = {field: ask for field, value, ask in asks if not value}
        return _page("auth/login.html", 400, errors=missing, next=next_path, email=email)
    outcome = services().sign_in.check_password(email, password, device_id(), device_traits())
    if outcome.result != "ok" or outcome.account is None or outcome.device is None:
        # Also the answer while the e-mail address is locked: the same page, status and time
        # as a wrong password, so it says nothing about the address (the owner gets an e-mail).
        # One message, tied to both fields (the password's description names it too).
        mismatch = {"email": "That e-mail address and password don't match our records."}
        return _page("auth/login.html", 401, errors=mismatch, next=next_path, email=email)
    begin_pending(outcome.account, outcome.device)
    session["next"] = next_path
    if outcome.account.has_mfa:
        return set_device_cookie(redirect(url_for("auth.verify")))
    return set_device_cookie(redirect(url_for("auth.mfa_setup")))


@bp.route("/verify", methods=["GET", "POST"])
@auth_rate_limit
@failed_sign_in_limit
def verify() -> Response:
    pending = pending_account()
    if pending is None:
        return redirect(url_for("auth.login"))
    account, state = pending
    if state["stage"] != "factor":
        return redirect(url_for("auth.mfa_setup"))
    risky = state["risk"] != "known"
    factor = request.values.get("factor") or ("totp" if account.has_totp else "sms")
    if factor not in ("totp", "sms", "recovery"):
        factor = "totp"
    context = {"account": account, "factor": factor, "risky": risky, "hint": state.get("sms_hint")}
    if request.method == "GET":
        return _page("auth/verify.html", **context)
    code = request.form.get("code", "")
    result = services().sign_in.verify_factor(account, factor, code, risky=risky)  # type: ignore[arg-type]
    if result != "ok":
        status = 423 if result == "locked" else 401
        if result == "locked":
            session.pop("auth", None)
        if result == "locked":
            return _page("auth/verify.html", status, error=FACTOR_ERRORS[result], **context)
        return _page("auth/verify.html", status, errors={"code": FACTOR_ERRORS[result]}, **context)
    complete_sign_in(account, state["risk"])
    target = session.pop("next", "/")
    return redirect(target if target != "/" else home_for(account))


@bp.post("/verify/sms")
@auth_rate_limit
def send_sign_in_code() -> Response:
    pending = pending_account()
    if pending is None:
        return redirect(url_for("auth.login"))
    account, state = pending
    context = {"account": account, "factor": "sms", "risky": state["risk"] != "known"}
    if not account.sms_mfa_enabled:
        return _page("auth/verify.html", 400, error=FACTOR_ERRORS["unavailable"], **context)
    try:
        hint = services().sign_in.send_code(account, "sign_in", source=code_source())
    except SendLimitReached as refused:
        return _page(
            "auth/verify.html",
            429,
            error=too_many_codes(refused, "use your authenticator app"),
            **context,
        )
    except (RecordsUnavailable, DeliveryFailed):
        return _page(
            "auth/verify.html",
            503,
            error="We couldn't send a text message just now. "
            "Try again in a minute, or use your authenticator app.",
            **context,
        )
    state["sms_hint"] = hint
    session["auth"] = state
    return redirect(url_for("auth.verify", factor="sms"))


def _revoke_handovers() -> None:
    """Chat hand-over tokens minted in this session stop working with it."""
    key = current_session_key()
    if key is not None:
        handovers().revoke_session(key)


@bp.post("/logout")
def logout() -> Response:
    account = signed_in_account()
    if account is not None:
        services().audit.record("signed_out", account.id)
    _revoke_handovers()
    destroy_session()
    response = redirect(url_for("auth.signed_out"))
    return response


@bp.get("/signed-out")
def signed_out() -> Response:
    return _page("auth/signed_out.html", message=NOTICES["signed_out"])


@bp.post("/logout-everywhere")
def logout_everywhere() -> Response:
    account = signed_in_account()
    if account is None:
        return redirect(url_for("auth.login"))
    removed = session_store().delete_for_account(account.id)
    services().audit.record("signed_out_everywhere", account.id, f"{removed} sessions")
    # The other sessions' tokens end with their rows (an accepted token needs a live session).
    _revoke_handovers()
    destroy_session()
    return _page("auth/signed_out.html", message=NOTICES["signed_out_everywhere"])


@bp.get("/session/status")
def session_status() -> Response:
    """Seconds left before the idle timeout; polling this does not count as activity."""
    mark_passive()
    account = signed_in_account()
    _, last_seen = session_times()
    if account is None or last_seen is None:
        return jsonify(signed_in=False)
    idle = session_store().idle.total_seconds()
    left = max(0, int(idle - (now() - last_seen).total_seconds()))
    return jsonify(signed_in=True, idle_seconds_left=left)


@bp.post("/session/extend")
def session_extend() -> Response:
    """ "Stay signed in": any request counts as activity; this one says so explicitly."""
    account = signed_in_account()
    if account is None:
        return jsonify(signed_in=False)
    return jsonify(signed_in=True, idle_seconds_left=int(session_store().idle.total_seconds()))
