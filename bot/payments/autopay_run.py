"""The autopay draft run: charge every enrolled policy whose bill is due, once per bill.

``AutopayRunner.run_once(today)`` walks the policies with a saved autopay method, asks the PAS
(through ``PaymentService.autopay_status``) what is due, and drafts each due bill off-session
with ``PaymentService.charge_autopay``. The business idempotency key is
``autopay:<policy>:<due date>:<attempt>``, so running twice in a day, or two runners at once,
never charges a bill twice. A failed draft (declined card, ACH return) is retried on the
following days, at most ``MAX_ATTEMPTS`` times in all; the policyholder is told about each failure
by the webhook handling in the payment service.

``policyline autopay`` does one run; schedule it daily (cron or a systemd timer, see
docs/deployment.md). Two overlapping runs are safe: the keys make the second one a no-op.
"""

from __future__ import annotations

import argparse
import logging
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from bot.payments.service import PaymentRefused, PaymentService, PaymentsUnavailable
from bot.settings import Settings
from pas_connector.errors import PasError

log = logging.getLogger("policyline.payments.autopay")

# One try on the due date, then one a day after a failure.
MAX_ATTEMPTS = 3


@dataclass
class AutopayRunReport:
    """What one run did (counts only: no policy numbers in logs)."""

    checked: int = 0
    charged: int = 0
    not_due: int = 0
    already_handled: int = 0
    gave_up: int = 0
    dropped: int = 0
    errors: int = 0

    def summary(self) -> str:
        return (
            f"autopay run: {self.checked} checked, {self.charged} charged, {self.not_due} not "
            f"due, {self.already_handled} already handled, {self.gave_up} out of retries, "
            f"{self.dropped} stale methods dropped, {self.errors} errors"
        )


class AutopayRunner:
    def __init__(self, service: PaymentService) -> None:
        self._service = service

    def run_once(self, today: date) -> AutopayRunReport:
        report = AutopayRunReport()
        for policy_number in self._service.records.autopay_policies():
            report.checked += 1
            try:
                self._draft(policy_number, today, report)
            except PaymentRefused:
                report.dropped += 1  # autopay changed in the PAS meanwhile: the method is dropped
            except (PaymentsUnavailable, PasError):
                # Stripe or the PAS is down: the next run tries again with the same key.
                report.errors += 1
                log.warning("autopay draft postponed: %s", "payments or PAS unavailable")
        log.info(report.summary())
        return report

    def _draft(self, policy_number: str, today: date, report: AutopayRunReport) -> None:
        billing, method = self._service.autopay_status(policy_number)
        if method is None:
            report.not_due += 1  # removed since the list was read
            return
        if not PaymentService.draws_on(billing, method):
            # Turned off or changed outside Stripe (e.g. by phone): never draw on the old method.
            self._service.forget_autopay_method(method)
            report.dropped += 1
            return
        due = billing.minimum_due if billing.minimum_due > 0 else billing.balance
        if billing.due_date is None or due <= 0:
            report.not_due += 1
            return
        if billing.due_date > today:
            report.not_due += 1
            return
        bill_id = billing.due_date.isoformat()
        prefix = f"autopay:{policy_number}:{bill_id}:"
        tries = [
            row
            for row in self._service.records.payments_for(policy_number)
            if row.idempotency_key.startswith(prefix)
        ]
        if any(row.status != "failed" for row in tries):
            report.already_handled += 1  # paid, or a draft is still settling (ACH)
            return
        attempt = len(tries) + 1
        if attempt > MAX_ATTEMPTS:
            report.gave_up += 1
            return
        # Attempt n waits until n-1 days after the due date: one retry a day.
        if today < billing.due_date + timedelta(days=attempt - 1):
            report.already_handled += 1
            return
        row = self._service.charge_autopay(policy_number, bill_id, attempt)
        if row is not None:
            report.charged += 1


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Register ``autopay`` on the ``policyline`` command."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "autopay",
        help="draft every autopay bill that is due (run daily: cron or a systemd timer)",
        description="Charge every enrolled policy whose bill is due, once per bill and attempt.",
    )
    parser.add_argument(
        "--date", type=date.fromisoformat, default=None, help="run as of YYYY-MM-DD (default today)"
    )
    parser.set_defaults(handler=run_command)
    return parser


def run_command(args: argparse.Namespace, settings: Settings) -> int:
    """Entry point of ``policyline autopay``: one run, the summary printed, 1 on errors."""
    from bot.payments.factory import build_payments

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    components = build_payments(settings)
    try:
        report = AutopayRunner(components.service).run_once(args.date or date.today())
    finally:
        components.close()
    print(report.summary())
    return 1 if report.errors else 0
