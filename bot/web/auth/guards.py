"""Who is signed in, and the decorators that guard views.

Stable API (other blueprints build on it):

- ``current_principal() -> Principal | None``: the fully signed-in principal of this request
  (password *and* a second factor), or ``None``. A session that has only passed the password step,
  or that timed out, has no principal.
- ``@policyholder_required``: a policyholder with MFA; anonymous visitors are sent to sign in,
  staff get 403.
- ``@staff_required()`` / ``@staff_required("supervisor")``: a staff member with MFA (and the role,
  when one is named); anonymous visitors are sent to sign in, policyholders get 403.

The principal comes from the server-side session row named by the Flask session's ``sid``; the
session machinery (``bot.web.auth.web_sessions``) loads it once per request, checks the idle and
absolute timeouts, and stores it in ``flask.g``. Views never read the session row themselves.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import wraps
from typing import Any, Literal, TypeVar, cast, overload

from flask import abort, g, redirect, request, url_for

PrincipalKind = Literal["policyholder", "staff"]
Assurance = Literal["mfa"]
StaffRole = Literal["reviewer", "supervisor"]

STAFF_ROLES: tuple[str, ...] = ("reviewer", "supervisor")
# A supervisor can do everything a reviewer can.
_IMPLIED_ROLES: dict[str, frozenset[str]] = {
    "supervisor": frozenset({"supervisor", "reviewer"}),
    "reviewer": frozenset({"reviewer"}),
}
PRINCIPAL_KEY = "policyline_principal"
LOGIN_ENDPOINT = "auth.login"

F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True)
class Principal:
    """The signed-in account of one request."""

    kind: PrincipalKind
    account_id: int
    # The PAS policyholder id the account was proved against (policyholders only).
    holder_id: str | None = None
    # Staff roles as stored ("reviewer", "supervisor"); empty for policyholders.
    roles: frozenset[str] = field(default_factory=frozenset)
    assurance: Assurance = "mfa"

    @property
    def is_staff(self) -> bool:
        return self.kind == "staff"

    @property
    def is_policyholder(self) -> bool:
        return self.kind == "policyholder"

    def has_role(self, role: str) -> bool:
        """True when one of the roles grants ``role`` (a supervisor is also a reviewer)."""
        return any(role in _IMPLIED_ROLES.get(held, frozenset({held})) for held in self.roles)


def current_principal() -> Principal | None:
    """The signed-in principal of this request, or ``None``."""
    principal = g.get(PRINCIPAL_KEY)
    return principal if isinstance(principal, Principal) else None


def _to_login() -> Any:
    # Only a local path goes into ``next`` (never a full URL: no open redirect).
    target = request.full_path if request.query_string else request.path
    return redirect(url_for(LOGIN_ENDPOINT, next=target))


def policyholder_required(view: F) -> F:
    """Allow only a signed-in policyholder (MFA done)."""

    @wraps(view)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        principal = current_principal()
        if principal is None:
            return _to_login()
        if principal.kind != "policyholder" or principal.holder_id is None:
            abort(403)
        return view(*args, **kwargs)

    return cast(F, guarded)


@overload
def staff_required(role: None = None) -> Callable[[F], F]: ...
@overload
def staff_required(role: str) -> Callable[[F], F]: ...
@overload
def staff_required(role: F) -> F: ...
def staff_required(role: Any = None) -> Any:
    """Allow only signed-in staff (MFA done) holding ``role`` when one is named.

    Use as ``@staff_required()`` or ``@staff_required("supervisor")``; a bare ``@staff_required``
    also works.
    """
    if callable(role):
        return staff_required(None)(role)
    if role is not None and role not in STAFF_ROLES:
        raise ValueError(f"unknown staff role {role!r}; expected one of {STAFF_ROLES}")

    def decorate(view: F) -> F:
        @wraps(view)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            principal = current_principal()
            if principal is None:
                return _to_login()
            if principal.kind != "staff":
                abort(403)
            if role is not None and not principal.has_role(role):
                abort(403)
            return view(*args, **kwargs)

        return cast(F, guarded)

    return decorate
