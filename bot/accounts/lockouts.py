"""The sign-in lock, counted per e-mail address whether or not an account has that address.

Wrong passwords and wrong second-factor codes count on the one lockout store
(``bot.lockouts``) against a keyed digest of the normalised sign-in e-mail, never the address
itself. An address nobody registered is counted and locked exactly like a registered one, so
whether guessing at it ever locks says nothing about it. ``AUTH_LOGIN_MAX_FAILURES`` failures in
a row lock the address for ``AUTH_LOCKOUT_S``; a successful second factor clears the count.
"""

from __future__ import annotations

from bot.accounts.accounts import normalise_email
from bot.keyed_digest import keyed_digest
from bot.lockouts import LockoutPolicy, LockoutStore


class SignInLockouts:
    """Sign-in subjects on a ``LockoutStore`` whose policy counts failures in a row."""

    def __init__(self, store: LockoutStore, key: str) -> None:
        self._store = store
        self._key = key

    @property
    def policy(self) -> LockoutPolicy:
        return self._store.policy

    def subject(self, email: str) -> str:
        """The subject an e-mail address is counted under."""
        return "sign-in:" + keyed_digest(self._key, "sign-in-lockout", normalise_email(email))

    def locked(self, subject: str) -> bool:
        return self._store.locked(subject)

    def record_failure(self, subject: str) -> bool:
        """Count one failure; True when this failure is the one that locked ``subject``."""
        return self._store.record_failure([subject]).newly_locked

    def clear(self, subject: str) -> None:
        """Forget the failures of ``subject`` (a second factor was right)."""
        self._store.clear([subject])
