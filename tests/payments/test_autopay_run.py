"""The autopay draft run: due bills are drafted once, failures retried a day apart, never twice."""

from __future__ import annotations

import argparse
from datetime import timedelta

import pytest

from bot.payments.autopay_run import MAX_ATTEMPTS, AutopayRunner, run_command
from tests.payments.conftest import MARIA_POLICY, PayStack, card
from tests.payments.test_autopay import enrol
from tests.support.waiting import wait_until


def test_a_due_bill_is_drafted_once_however_often_the_run_goes(pay_stack: PayStack):
    enrol(pay_stack, card("4242424242424242"))
    billing, _ = pay_stack.service.autopay_status(MARIA_POLICY)
    runner = AutopayRunner(pay_stack.service)

    early = runner.run_once(billing.due_date - timedelta(days=1))
    assert (early.checked, early.charged, early.not_due) == (1, 0, 1)

    first = runner.run_once(billing.due_date)
    assert first.charged == 1
    [draft] = pay_stack.service.records.payments_for(MARIA_POLICY)
    assert draft.idempotency_key == f"autopay:{MARIA_POLICY}:{billing.due_date.isoformat()}:1"
    wait_until(
        lambda: (
            pay_stack.service.records.payment_by_key(draft.idempotency_key).status == "succeeded"
        ),
        what="the draft's webhook",
    )
    again = runner.run_once(billing.due_date)
    later = runner.run_once(billing.due_date + timedelta(days=1))
    assert again.charged == 0 and later.charged == 0
    assert len(pay_stack.service.records.payments_for(MARIA_POLICY)) == 1


def test_a_declined_draft_is_retried_a_day_later_and_at_most_three_times(pay_stack: PayStack):
    enrol(pay_stack, card("4000000000000341"))  # saves fine, every charge is declined
    billing, _ = pay_stack.service.autopay_status(MARIA_POLICY)
    runner = AutopayRunner(pay_stack.service)
    due = billing.due_date

    assert runner.run_once(due).charged == 1
    assert runner.run_once(due).charged == 0, "no second try the same day"
    for day in range(1, MAX_ATTEMPTS):
        assert runner.run_once(due + timedelta(days=day)).charged == 1
    final = runner.run_once(due + timedelta(days=MAX_ATTEMPTS + 1))
    assert final.charged == 0 and final.gave_up == 1
    drafts = pay_stack.service.records.payments_for(MARIA_POLICY)
    assert sorted(row.idempotency_key[-1] for row in drafts) == ["1", "2", "3"]
    assert all(row.status == "failed" for row in drafts)


def test_autopay_turned_off_in_the_pas_is_never_drafted(pay_stack: PayStack):
    enrol(pay_stack, card("4242424242424242"))
    billing, _ = pay_stack.service.autopay_status(MARIA_POLICY)
    connector = pay_stack.components.connector
    pay_stack.components.pas.run(connector.cancel_autopay(MARIA_POLICY))
    report = AutopayRunner(pay_stack.service).run_once(billing.due_date)
    assert report.charged == 0 and report.dropped == 1
    assert pay_stack.service.records.autopay_method(MARIA_POLICY) is None


def test_policyline_autopay_runs_once_and_prints_the_counts(
    pay_stack: PayStack, capsys: pytest.CaptureFixture[str]
):
    enrol(pay_stack, card("4242424242424242"))
    billing, _ = pay_stack.service.autopay_status(MARIA_POLICY)
    args = argparse.Namespace(date=billing.due_date)
    assert run_command(args, pay_stack.settings) == 0
    assert "1 checked, 1 charged" in capsys.readouterr().out
    assert run_command(args, pay_stack.settings) == 0
    assert "0 charged" in capsys.readouterr().out
