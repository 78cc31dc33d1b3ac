"""Tells an account's owner, once per lock, that sign-in is paused and how to get back in.

By e-mail to the account's sign-in address (``ContactDelivery``: SMTP, or the local e-mail
outbox), with nothing in it a guesser typed or could use: no password, code, client address or
link. Sent by one background worker, not by the request that locked the account: that request
must take as long as one that locks an address nobody registered (no notice at all), or its
timing would tell the guesser the address is registered. Sent or not, the account audit says so.
"""

from __future__ import annotations

import logging
import threading
from concurrent.futures import Future, ThreadPoolExecutor

from bot.accounts.accounts import Account
from bot.accounts.audit import AccountAudit
from bot.accounts.contact import ContactDelivery, DeliveryFailed
from bot.phone_numbers import display_phone

log = logging.getLogger("bot.accounts.lock_notices")


def lock_notice(carrier: str, minutes: int, contact_phone: str) -> tuple[str, str]:
    """(subject, body) of the notice."""
    subject = f"{carrier}: sign-in to your account is paused for {minutes} minutes"
    body = (
        f"We paused sign-in to your {carrier} account for {minutes} minutes after several wrong "
        "passwords or codes. None of those attempts got in.\n\n"
        f"If it was you: wait {minutes} minutes, then sign in as usual with your password and "
        "your authenticator app, a text message code or one of your recovery codes.\n\n"
        "If it wasn't you: you don't need to do anything now. If you think someone "
        "knows your password, change it under Account security once you are signed in.\n\n"
        "Meanwhile our text line and web chat still work: they check who you are with a code "
        "sent to the phone number on your policy. For help now, call us at "
        f"{display_phone(contact_phone)}.\n\n"
        "We will never ask you for your password or a code."
    )
    return subject, body


class LockNotices:
    def __init__(
        self,
        delivery: ContactDelivery,
        audit: AccountAudit,
        *,
        carrier_name: str,
        contact_phone: str,
        lockout_s: int,
    ) -> None:
        self._delivery = delivery
        self._audit = audit
        self._subject, self._body = lock_notice(carrier_name, lockout_s // 60, contact_phone)
        self._worker: ThreadPoolExecutor | None = None
        self._start = threading.Lock()

    def account_locked(self, account: Account) -> None:
        """Queue the notice for ``account`` (returns at once)."""
        self._executor().submit(self._send, account.id, account.email)

    def wait_idle(self, timeout_s: float = 30) -> None:
        """Return once every notice queued so far has been handled (one worker: FIFO)."""
        done: Future[None] = self._executor().submit(lambda: None)
        done.result(timeout=timeout_s)

    def _executor(self) -> ThreadPoolExecutor:
        with self._start:
            if self._worker is None:
                self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="lock-notice")
            return self._worker

    def _send(self, account_id: int, email: str) -> None:
        try:
            self._delivery.email(email, self._subject, self._body)
        except DeliveryFailed:
            self._audit.record("lock_notice_failed", account_id)
            return
        except Exception as exc:  # the worker must survive; the message may hold the address
            log.warning("lock notice for account %s not sent: %s", account_id, type(exc).__name__)
            self._audit.record("lock_notice_failed", account_id)
            return
        self._audit.record("lock_notice_sent", account_id)
