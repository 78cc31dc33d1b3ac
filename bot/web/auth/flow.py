"""What the auth views share: services, the session's sign-in state, devices, redirects.

Session keys (server-side, see ``web_sessions``):

- ``auth``: a sign-in in progress (password accepted, second factor or enrolment pending):
  ``{"account_id", "stage": "factor"|"enrol", "risk", "started"}``;
- ``principal``: the signed-in account: ``{"kind", "account_id", "holder_id", "roles",
  "auth_at", "step_up_at"}`` (times as Unix seconds);
- ``registration``: a registration in progress (flow id, PAS holder id, masked hint, confirmed);
- ``notice``: a one-time message for the next page (e.g. signed out after inactivity).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timezone
from functools import wraps
from typing import Any, TypeVar, cast
from urllib.parse import urlsplit

from flask import current_app, g, redirect, request, session, url_for
from werkzeug.wrappers import Response

from bot.accounts.accounts import Account
from bot.accounts.composition import AccountServices
from bot.accounts.devices import DeviceAssessment, DeviceTraits, new_device_id
from bot.conversation.web_handover import WebHandoverSigner
from bot.web.auth.guards import PRINCIPAL_KEY, Principal
from bot.web.auth.web_sessions import DatabaseSessionInterface, regenerate_session

SERVICES_KEY = "policyline.accounts"
HANDOVERS_KEY = "policyline.web_handovers"
DEVICE_COOKIE_AGE_S = 400 * 24 * 3600
PENDING_SIGN_IN_S = 10 * 60

F = TypeVar("F", bound=Callable[..., Any])


def services() -> AccountServices:
    found: AccountServices = current_app.extensions[SERVICES_KEY]
    return found


def handovers() -> WebHandoverSigner:
    """The app's hand-over token signer (mints for the chat widget, revokes at sign-out)."""
    found: WebHandoverSigner = current_app.extensions[HANDOVERS_KEY]
    return found


def session_store() -> DatabaseSessionInterface:
    store = current_app.session_interface
    assert isinstance(store, DatabaseSessionInterface)
    return store


def now() -> datetime:
    return services().clock()


def _ts(moment: datetime) -> float:
    return moment.astimezone(timezone.utc).timestamp()


# --- devices -------------------------------------------------------------------------------------


def device_cookie_name() -> str:
    return str(current_app.config["AUTH_DEVICE_COOKIE_NAME"])


def device_traits() -> DeviceTraits:
    return DeviceTraits.from_request(
        request.headers.get("User-Agent", ""),
        request.headers.get("Accept-Language", ""),
        request.remote_addr or "",
    )


def device_id() -> str:
    """This browser's device id (a new one is issued with the response when it has none)."""
    existing = request.cookies.get(device_cookie_name())
    if existing and 16 <= len(existing) <= 64:
        return existing
    issued = g.get("policyline_new_device_id")
    if issued is None:
        issued = new_device_id()
        g.policyline_new_device_id = issued
    return str(issued)


def set_device_cookie(response: Response) -> Response:
    issued = g.get("policyline_new_device_id")
    if issued:
        response.set_cookie(
            device_cookie_name(),
            issued,
            max_age=DEVICE_COOKIE_AGE_S,
            path="/",
            secure=bool(current_app.config["SESSION_COOKIE_SECURE"]),
            httponly=True,
            samesite="Lax",
        )
    return response


# --- sign-in state -------------------------------------------------------------------------------


def begin_pending(account: Account, device: DeviceAssessment) -> None:
    """Password accepted: a new session id, and the second step to come."""
    regenerate_session(restart_lifetime=True)
    session.pop("principal", None)
    session["auth"] = {
        "account_id": account.id,
        "stage": "factor" if account.has_mfa else "enrol",
        "risk": device.risk,
        "started": _ts(now()),
    }


def pending_account() -> tuple[Account, dict[str, Any]] | None:
    state = session.get("auth")
    if not isinstance(state, dict):
        return None
    if _ts(now()) - float(state.get("started", 0)) > PENDING_SIGN_IN_S:
        session.pop("auth", None)
        session["notice"] = "expired_pending"
        return None
    account = services().accounts.get(int(state["account_id"]))
    if account is None or account.disabled:
        session.pop("auth", None)
        return None
    return account, state


def complete_sign_in(account: Account, risk: str) -> None:
    """Second factor done: the device is remembered, a new session id, the principal set."""
    traits = device_traits()
    services().sign_in.finish_sign_in(
        account,
        device_id(),
        traits,
        DeviceAssessment(risk, traits.label),  # type: ignore[arg-type]
    )
    session.pop("auth", None)
    moment = _ts(now())
    session["principal"] = {
        "kind": account.kind,
        "account_id": account.id,
        "holder_id": account.holder_id,
        "roles": sorted(account.roles),
        "auth_at": moment,
        "step_up_at": moment,
    }
    regenerate_session(restart_lifetime=True)
    session_store().purge_expired()


def record_step_up() -> None:
    state = session.get("principal")
    if isinstance(state, dict):
        state["step_up_at"] = _ts(now())
        session["principal"] = state
        regenerate_session(restart_lifetime=False)


def load_principal() -> None:
    """``before_request``: the principal of this request into ``g`` (see ``guards``)."""
    state = session.get("principal")
    principal = None
    if isinstance(state, dict) and state.get("kind") in ("policyholder", "staff"):
        principal = Principal(
            kind=state["kind"],
            account_id=int(state["account_id"]),
            holder_id=state.get("holder_id"),
            roles=frozenset(state.get("roles") or ()),
            assurance="mfa",
        )
    setattr(g, PRINCIPAL_KEY, principal)


def signed_in_account() -> Account | None:
    state = session.get("principal")
    if not isinstance(state, dict):
        return None
    account = services().accounts.get(int(state["account_id"]))
    return None if account is None or account.disabled else account


def recently_stepped_up() -> bool:
    state = session.get("principal")
    if not isinstance(state, dict):
        return False
    max_age: float = current_app.config["POLICYLINE_SETTINGS"].auth.step_up_max_age_s
    return _ts(now()) - float(state.get("step_up_at", 0)) <= max_age


# --- decorators and redirects --------------------------------------------------------------------


def safe_next(value: str | None, default: str = "/") -> str:
    """A local path to go to after a step (never another site: no open redirect)."""
    if not value:
        return default
    parts = urlsplit(value)
    if parts.scheme or parts.netloc or not value.startswith("/") or value.startswith("//"):
        return default
    if "\\" in value:
        return default
    return value


def account_required(view: F) -> F:
    """Any signed-in account (policyholder or staff)."""

    @wraps(view)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        if signed_in_account() is None:
            return redirect(url_for("auth.login", next=request.path))
        return view(*args, **kwargs)

    return cast(F, guarded)


def step_up_required(view: F) -> F:
    """A signed-in account that re-authenticated in the last ``step_up_max_age_s``."""

    @wraps(view)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        if signed_in_account() is None:
            return redirect(url_for("auth.login", next=request.path))
        if not recently_stepped_up():
            target = request.path if request.method == "GET" else url_for("auth.security")
            return redirect(url_for("auth.step_up", next=target))
        return view(*args, **kwargs)

    return cast(F, guarded)


def home_for(account: Account) -> str:
    endpoint = current_app.config.get(
        "AUTH_STAFF_HOME" if account.kind == "staff" else "AUTH_POLICYHOLDER_HOME"
    )
    if endpoint and endpoint in current_app.view_functions:
        return url_for(endpoint)
    return url_for("auth.security")


def destroy_session_after_lockout() -> Response:
    """Too many wrong re-authentications: the account is locked and this session ends."""
    from bot.web.auth.web_sessions import destroy_session

    destroy_session()
    return redirect(url_for("auth.login"))
