"""Registration: ``/auth/register`` (policy number, date of birth, ZIP, where to send the code)
→ ``/auth/register/verify`` (the code) → ``/auth/register/password`` → MFA set-up.

Every step is a POST; nothing the visitor types appears in a URL.
"""

from __future__ import annotations

from datetime import date

from flask import redirect, request, session, url_for
from werkzeug.wrappers import Response

from bot.accounts.contact import DeliveryFailed
from bot.accounts.devices import DeviceAssessment
from bot.accounts.pas_records import RecordsUnavailable
from bot.accounts.registration import (
    AlreadyRegistered,
    PasswordRejected,
    PendingRegistration,
    RegistrationRefused,
    RegistrationThrottled,
)
from bot.conversation.send_budget import SendLimitReached
from bot.web.auth.blueprint import bp
from bot.web.auth.flow import begin_pending, device_traits, services
from bot.web.auth.protection import auth_rate_limit
from bot.web.auth.sign_in import _minutes, _page, code_source, too_many_codes

CODE_ERRORS = {
    "wrong": "That code isn't right. Check the message and try again.",
    "expired": "That code has expired. Ask for a new one.",
    "too_many_attempts": "Too many wrong codes. Ask for a new one.",
    "none": "That code has already been used or replaced. Ask for a new one.",
}


def _pending() -> tuple[PendingRegistration, bool] | None:
    state = session.get("registration")
    if not isinstance(state, dict):
        return None
    pending = PendingRegistration(
        state["flow_id"], state["holder_id"], state["channel"], state["hint"]
    )
    return pending, bool(state.get("confirmed"))


def _parse_date(text: str) -> date | None:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        return None


@bp.route("/register", methods=["GET", "POST"])
@auth_rate_limit
def register() -> Response:
    if request.method == "GET":
        return _page("auth/register.html", values={})
    born = _parse_date(request.form.get("date_of_birth", ""))
    # Everything typed comes back with the errors (none of it is a secret); a date only when
    # valid, as a date field can only show one.
    values = {
        "policy_number": request.form.get("policy_number", "").strip(),
        "date_of_birth": born.isoformat() if born else "",
        "zip": request.form.get("zip", "").strip(),
        "channel": request.form.get("channel", "sms"),
    }
    errors = {}
    if not values["policy_number"]:
        errors["policy_number"] = "Enter your policy number, as it appears on your ID card."
    if born is None:
        errors["date_of_birth"] = "Enter your date of birth."
    if not (len(values["zip"]) >= 5 and values["zip"][:5].isdigit()):
        errors["zip"] = "Enter the 5-digit ZIP code of your mailing address."
    if values["channel"] not in ("sms", "email"):
        values["channel"] = "sms"
    if errors or born is None:
        return _page("auth/register.html", 400, errors=errors, values=values)
    try:
        pending = services().registration.start(
            values["policy_number"],
            born,
            values["zip"],
            values["channel"],  # type: ignore[arg-type]
            source=code_source(),
        )
    except RegistrationRefused:
        error = (
            "Those details don't match our records. Check them against your ID card or "
            "declarations page, or call us."
        )
        return _page("auth/register.html", 400, error=error, values=values)
    except RegistrationThrottled:
        error = (
            "Too many attempts for this policy. For your security, please wait "
            f"{_minutes('lockout_s')} minutes or call us."
        )
        return _page("auth/register.html", 429, error=error, values=values)
    except AlreadyRegistered:
        error = "You already have an account. Sign in, or call us if you can't."
        return _page("auth/register.html", 409, error=error, values=values, show_sign_in=True)
    except SendLimitReached as refused:
        error = too_many_codes(refused)
        return _page("auth/register.html", 429, error=error, values=values)
    except (RecordsUnavailable, DeliveryFailed):
        error = "We can't check your details just now. Please try again in a few minutes."
        return _page("auth/register.html", 503, error=error, values=values)
    session["registration"] = {
        "flow_id": pending.flow_id,
        "holder_id": pending.holder_id,
        "channel": pending.channel,
        "hint": pending.destination_hint,
        "confirmed": False,
    }
    return redirect(url_for("auth.register_verify"))


@bp.route("/register/verify", methods=["GET", "POST"])
@auth_rate_limit
def register_verify() -> Response:
    found = _pending()
    if found is None:
        return redirect(url_for("auth.register"))
    pending, confirmed = found
    if confirmed:
        return redirect(url_for("auth.register_password"))
    if request.method == "GET":
        return _page("auth/register_verify.html", pending=pending)
    if request.form.get("action") == "resend":
        try:
            services().registration.resend(pending, source=code_source())
        except SendLimitReached as refused:
            error = too_many_codes(refused)
            return _page("auth/register_verify.html", 429, error=error, pending=pending)
        except (RegistrationRefused, RecordsUnavailable, DeliveryFailed):
            error = "We couldn't send a new code just now. Please try again in a few minutes."
            return _page("auth/register_verify.html", 503, error=error, pending=pending)
        return _page("auth/register_verify.html", pending=pending, sent_again=True)
    result = services().registration.confirm(pending, request.form.get("code", ""))
    if result != "ok":
        errors = {"code": CODE_ERRORS[result]}
        return _page("auth/register_verify.html", 400, errors=errors, pending=pending)
    state = session["registration"]
    state["confirmed"] = True
    session["registration"] = state
    return redirect(url_for("auth.register_password"))


@bp.route("/register/password", methods=["GET", "POST"])
@auth_rate_limit
def register_password() -> Response:
    found = _pending()
    if found is None or not found[1]:
        return redirect(url_for("auth.register"))
    pending = found[0]
    registration = services().registration
    try:
        email = registration.sign_in_email(pending)
    except (RegistrationRefused, RecordsUnavailable):
        error = "We can't finish registration just now. Please try again in a few minutes."
        return _page("auth/register.html", 503, error=error, values={})
    min_length = services().sign_in.password_policy.min_length
    context = {"email": email, "min_length": min_length}
    if request.method == "GET":
        return _page("auth/register_password.html", **context)
    password = request.form.get("password", "")
    if password != request.form.get("password_again", ""):
        mismatch = {"password_again": "The two passwords don't match."}
        return _page("auth/register_password.html", 400, errors=mismatch, **context)
    try:
        account = registration.complete(pending, password)
    except PasswordRejected as rejected:
        weak = {"password": list(rejected.problems)}
        return _page("auth/register_password.html", 400, errors=weak, **context)
    except AlreadyRegistered:
        session.pop("registration", None)
        return redirect(url_for("auth.login"))
    session.pop("registration", None)
    traits = device_traits()
    # Registration proved possession of a contact on file; MFA enrolment comes next.
    begin_pending(account, DeviceAssessment("known", traits.label))
    return redirect(url_for("auth.mfa_setup"))
