"""``PaymentService``: Stripe payments for pay links, calls and autopay, fulfilled from webhooks.

Card and bank numbers never reach us (SAQ-A): the pay page mounts Stripe's Payment Element and
the browser confirms the intent with Stripe directly; an IVR ``<Pay>`` gives us a PaymentMethod
token. We keep Stripe ids only (``records``).

Money moves in one direction only: an intent succeeds at Stripe → Stripe sends a webhook →
``handle_event`` re-reads the intent (events arrive at least once and in any order) and only then
posts the payment to the PAS, under the idempotency key ``stripe:<payment intent id>``, drops the
billing cache and texts a confirmation. Nothing is posted from the browser's word.

Double submits: every charge is a ``payments`` row whose business key is unique: ``link:<link>``
for a pay link (page reloads, two tabs, a call and the page share it: one PaymentIntent, which can
succeed once) and ``autopay:<policy>:<bill>:<attempt>`` for an off-session draft. The same key is
Stripe's ``Idempotency-Key`` for creating the intent.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal

import stripe
from stripe.params import PaymentIntentConfirmParams

from bot.clock import Clock, utc_now
from bot.conversation.answers.billing import nothing_to_pay_text
from bot.conversation.formatting import mask_policy_number
from bot.conversation.user_input import AmountRequest
from bot.money import money
from bot.payments.amounts import check_amount
from bot.payments.links import PayLink, PaymentLinkService, mark_link_used
from bot.payments.notices import (
    REASONS,
    Notice,
    PaymentNotifier,
    autopay_on_text,
    autopay_refused_text,
    failed_text,
    not_applied_text,
    paid_text,
    processing_text,
)
from bot.payments.pas_gateway import PasGateway
from bot.payments.records import AutopayMethod, PaymentRecords, PaymentRow, SetupRow, cents
from bot.settings import StripeSettings
from pas_connector.errors import PasRejected
from pas_connector.models import Billing

log = logging.getLogger("bot.payments")

PAYMENT_METHOD_TYPES = ["card", "us_bank_account"]
DEFAULT_DRAFT_DAY = 1
MAX_DRAFT_DAY = 28  # the PAS drafts on days 1-28


class PaymentRefused(Exception):
    """The payment cannot be made as asked; ``message`` says why, for the policyholder."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class PaymentsUnavailable(Exception):
    """Stripe could not be reached or answered with an error: try again later."""


@dataclass(frozen=True)
class Checkout:
    """What the pay page needs to mount Stripe's fields for one link."""

    mode: Literal["payment", "setup"]
    client_secret: str
    amount: Decimal
    policy_ref: str  # masked policy number
    purpose: str


@dataclass(frozen=True)
class PaymentState:
    """A pay link's outcome so far, for the pay page to show."""

    state: Literal["open", "processing", "succeeded", "failed"]
    message: str
    confirmation: str | None = None


@dataclass(frozen=True)
class PhonePayment:
    """The outcome of a ``<Pay>`` token, for the call to say."""

    status: Literal["succeeded", "processing", "declined", "refused"]
    message: str


class PaymentService:
    """Pay links → Stripe intents → webhooks → PAS, plus autopay."""

    def __init__(
        self,
        *,
        client: stripe.StripeClient,
        settings: StripeSettings,
        records: PaymentRecords,
        links: PaymentLinkService,
        pas: PasGateway,
        notifier: PaymentNotifier,
        contact_phone: str,
        clock: Clock = utc_now,
        on_posted: Callable[[PaymentRow], None] | None = None,
    ) -> None:
        self._stripe = client
        self._settings = settings
        self.records = records
        self._links = links
        self._pas = pas
        self._notifier = notifier
        self._contact_phone = contact_phone
        self._clock = clock
        self._on_posted = on_posted

    # --- one-time payments -----------------------------------------------------------------------

    def request_payment_link(
        self,
        policy_number: str,
        requested: AmountRequest | None,
        conversation_id: str,
        channel: str,
    ) -> PayLink:
        """A pay link for ``requested`` ("full" or an amount), bounded by the balance."""
        billing = self._pas.billing(policy_number)
        check = check_amount(requested, billing)
        if not check.ok or check.amount is None:
            raise PaymentRefused(check.message or "Please tell me the amount again.")
        return self._links.issue(policy_number, check.amount, conversation_id, channel)

    def open_checkout(self, token: str) -> Checkout:
        """Start (or resume) the payment or set-up behind a pay link. Raises ``PayLinkError``,
        ``PaymentRefused`` (nothing to pay, amount above the balance) or
        ``PaymentsUnavailable``."""
        link = self._links.resolve(token)
        if link.purpose != "one_time":
            return self._open_setup(link)
        existing = self.records.payment_by_link(link.link_id)
        if existing is not None and existing.status in ("processing", "succeeded"):
            raise PaymentRefused("This payment has already been made. Thank you!")
        self._check_against_balance(link.policy_number, link.amount)
        row = self._payment_for_link(link, kind="pay_page")
        intent = self._call(self._stripe.v1.payment_intents.retrieve, row.payment_intent_id)
        return Checkout(
            mode="payment",
            client_secret=str(intent.client_secret),
            amount=link.amount,
            policy_ref=mask_policy_number(link.policy_number),
            purpose=link.purpose,
        )

    def state_of(self, token: str) -> PaymentState:
        """Where a link's payment or set-up stands (it may be used or expired by now)."""
        link = self._links.lookup(token)
        if link.purpose != "one_time":
            setup = self.records.setup_by_link(link.link_id)
            if setup is not None and setup.status == "succeeded":
                return PaymentState("succeeded", "Autopay is set up. We've texted you the details.")
            if setup is not None and setup.status == "failed":
                return PaymentState(
                    "failed", "We couldn't turn on autopay for this policy. Please call us."
                )
            return PaymentState("open", "Waiting for your payment details.")
        row = self.records.payment_by_link(link.link_id)
        if row is None or row.status in ("creating", "open"):
            return PaymentState("open", "Waiting for your payment.")
        if row.status == "processing":
            return PaymentState(
                "processing",
                f"Your bank payment of {money(row.amount)} is processing. We'll text you when "
                "it clears.",
            )
        if row.status == "succeeded":
            return PaymentState(
                "succeeded",
                f"Thank you! Your payment of {money(row.amount)} has been applied to policy "
                f"{mask_policy_number(row.policy_number)}.",
                confirmation=row.pas_confirmation,
            )
        reason = REASONS.get(row.failure_code or "")
        return PaymentState(
            "failed",
            "Your payment didn't go through" + (f" ({reason})" if reason else "") + ".",
        )

    def pay_by_phone(self, token: str, payment_method_id: str) -> PhonePayment:
        """Charge a pay link with the PaymentMethod a ``<Pay>`` tokenised (card data stayed with
        Twilio and Stripe). The PAS is updated from the webhook, as for the pay page."""
        link = self._links.resolve(token)
        if link.purpose != "one_time":
            raise PaymentRefused("This link is not for a payment.")
        existing = self.records.payment_by_link(link.link_id)
        if existing is not None and existing.status in ("processing", "succeeded"):
            return PhonePayment("succeeded", "This payment has already been made. Thank you!")
        self._check_against_balance(link.policy_number, link.amount)
        row = self._payment_for_link(link, kind="ivr")
        assert row.payment_intent_id is not None
        try:
            intent = self._stripe.v1.payment_intents.confirm(
                row.payment_intent_id,
                params={"payment_method": payment_method_id},
                options={"idempotency_key": f"{row.idempotency_key}:confirm:{payment_method_id}"},
            )
        except stripe.CardError as exc:
            return PhonePayment("declined", _decline_words(exc))
        except stripe.StripeError as exc:
            raise PaymentsUnavailable(type(exc).__name__) from exc
        if intent.status == "succeeded":
            return PhonePayment(
                "succeeded",
                f"Thank you. Your payment of {money(link.amount)} was accepted. We'll text you "
                "the confirmation.",
            )
        if intent.status == "processing":
            return PhonePayment("processing", "Thank you. Your payment is processing.")
        return PhonePayment("declined", "Sorry, that payment didn't go through.")

    def _check_against_balance(self, policy_number: str, amount: Decimal) -> Billing:
        billing = self._pas.billing(policy_number)
        check = check_amount(amount, billing)
        if check.ok:
            return billing
        if billing.balance <= 0:
            raise PaymentRefused(nothing_to_pay_text())
        raise PaymentRefused(
            f"This link is for {money(amount)}, which is more than your balance of "
            f"{money(billing.balance)}. Please ask us for a new link for the balance or less."
        )

    def _payment_for_link(self, link: PayLink, *, kind: str) -> PaymentRow:
        now = self._clock()
        row, _ = self.records.claim_payment(
            idempotency_key=f"link:{link.link_id}",
            kind=kind,
            policy_number=link.policy_number,
            amount_cents=cents(link.amount),
            link_id=link.link_id,
            conversation_id=link.conversation_id,
            channel=link.channel,
            created_at=now,
            updated_at=now,
        )
        if row.payment_intent_id is not None:
            return row
        customer = self._customer_for(link.policy_number)
        intent = self._call(
            self._stripe.v1.payment_intents.create,
            params={
                "amount": cents(link.amount),
                "currency": self._settings.currency,
                "customer": customer,
                "payment_method_types": PAYMENT_METHOD_TYPES,
                "metadata": {"policyline_payment": str(row.id)},
            },
            options={"idempotency_key": row.idempotency_key},
        )
        return self._attach(row, str(intent.id))

    def _attach(self, row: PaymentRow, payment_intent_id: str) -> PaymentRow:
        self.records.attach_intent(row.id, payment_intent_id, self._clock())
        current = self.records.payment_by_key(row.idempotency_key)
        assert current is not None and current.payment_intent_id is not None
        if current.payment_intent_id != payment_intent_id:
            # A concurrent request attached its intent first: use that one, drop ours.
            self._call(self._stripe.v1.payment_intents.cancel, payment_intent_id)
        return current

    def _customer_for(self, policy_number: str) -> str:
        existing = self.records.customer_of(policy_number)
        if existing is not None:
            return existing
        customer = self._call(
            self._stripe.v1.customers.create,
            params={"metadata": {"policyline": "policyholder"}},
        )
        return self.records.save_customer(policy_number, str(customer.id), self._clock())

    # --- autopay -------------------------------------------------------------------------------

    def _open_setup(self, link: PayLink) -> Checkout:
        setup = self.records.setup_by_link(link.link_id)
        if setup is None:
            customer = self._customer_for(link.policy_number)
            intent = self._call(
                self._stripe.v1.setup_intents.create,
                params={
                    "customer": customer,
                    "usage": "off_session",
                    "payment_method_types": PAYMENT_METHOD_TYPES,
                },
                options={"idempotency_key": f"setup:{link.link_id}"},
            )
            setup = SetupRow(
                setup_intent_id=str(intent.id),
                link_id=link.link_id,
                policy_number=link.policy_number,
                customer_id=customer,
                conversation_id=link.conversation_id,
                channel=link.channel,
                status="open",
            )
            try:
                self.records.save_setup(setup, self._clock())
            except Exception:
                existing = self.records.setup_by_link(link.link_id)
                if existing is None:
                    raise
                setup = existing
        intent = self._call(self._stripe.v1.setup_intents.retrieve, setup.setup_intent_id)
        if setup.status == "succeeded":
            raise PaymentRefused("Autopay is already set up with this link. Thank you!")
        return Checkout(
            mode="setup",
            client_secret=str(intent.client_secret),
            amount=Decimal("0.00"),
            policy_ref=mask_policy_number(link.policy_number),
            purpose=link.purpose,
        )

    def autopay_status(self, policy_number: str) -> tuple[Billing, AutopayMethod | None]:
        """The PAS's autopay settings and the Stripe method we draw on."""
        return self._pas.billing(policy_number), self.records.autopay_method(policy_number)

    def cancel_autopay(self, policy_number: str) -> Billing:
        """Stop autopay in the PAS and detach the saved method at Stripe."""
        billing = self._pas.cancel_autopay(policy_number)
        method = self.records.autopay_method(policy_number)
        if method is not None:
            self._detach(method.payment_method_id)
            self.records.delete_autopay_method(policy_number)
        return billing

    @staticmethod
    def draws_on(billing: Billing, method: AutopayMethod) -> bool:
        """Whether the PAS's autopay still draws on our saved method. The PAS is the record:
        autopay turned off or changed elsewhere (e.g. by the conversation's cancel, which calls
        the PAS directly) leaves our method stale."""
        autopay = billing.autopay
        return autopay.enabled and autopay.payment_method_ref == method.payment_method_id

    def forget_autopay_method(self, method: AutopayMethod) -> None:
        """Drop a stale saved method and detach it at Stripe: it is never drawn on again."""
        self.records.delete_autopay_method(method.policy_number)
        self._detach(method.payment_method_id)

    def charge_autopay(
        self, policy_number: str, bill_id: str, attempt: int = 1
    ) -> PaymentRow | None:
        """Draft the bill off-session from the saved method; None when nothing is due.

        ``bill_id`` names the bill (e.g. its due date) and ``attempt`` the try: the same pair
        never charges twice, a retry after a failure is a new attempt.
        """
        method = self.records.autopay_method(policy_number)
        if method is None:
            raise PaymentRefused("Autopay is not set up for this policy.")
        billing = self._pas.billing(policy_number)
        if not self.draws_on(billing, method):
            self.forget_autopay_method(method)
            raise PaymentRefused("Autopay is not on for this policy.")
        amount = billing.minimum_due if billing.minimum_due > 0 else billing.balance
        if amount <= 0:
            return None
        now = self._clock()
        row, created = self.records.claim_payment(
            idempotency_key=f"autopay:{policy_number}:{bill_id}:{attempt}",
            kind="autopay",
            policy_number=policy_number,
            amount_cents=cents(amount),
            created_at=now,
            updated_at=now,
        )
        if not created and row.payment_intent_id is not None:
            return row
        intent = self._call(
            self._stripe.v1.payment_intents.create,
            params={
                "amount": cents(amount),
                "currency": self._settings.currency,
                "customer": method.customer_id,
                "payment_method": method.payment_method_id,
                "payment_method_types": [method.method],
                "metadata": {"policyline_payment": str(row.id)},
            },
            options={"idempotency_key": row.idempotency_key},
        )
        row = self._attach(row, str(intent.id))
        params: PaymentIntentConfirmParams = {"off_session": True}
        if method.mandate_id:
            params["mandate"] = method.mandate_id
        try:
            self._stripe.v1.payment_intents.confirm(
                str(row.payment_intent_id),
                params=params,
                options={"idempotency_key": f"{row.idempotency_key}:confirm"},
            )
        except stripe.CardError as exc:
            self._fail(row, _decline_code(exc), returned=False)
        except stripe.StripeError as exc:
            raise PaymentsUnavailable(type(exc).__name__) from exc
        return self.records.payment_by_key(row.idempotency_key)

    def _detach(self, payment_method_id: str) -> None:
        try:
            self._stripe.v1.payment_methods.detach(payment_method_id)
        except stripe.StripeError:
            log.warning("could not detach a replaced payment method", exc_info=True)

    # --- webhooks ------------------------------------------------------------------------------

    def handle_event(self, event: stripe.Event) -> str:
        """Process one verified event once: ``processed``, ``duplicate`` or ``ignored``."""
        now = self._clock()
        if not self.records.claim_event(event.id, event.type, now):
            return "duplicate"
        try:
            object_id = _event_object_id(event)
            if object_id is None:
                outcome = "ignored"  # signed but not about an object we know: nothing to do
            elif event.type.startswith("payment_intent."):
                outcome = self._on_payment_intent(event.id, object_id)
            elif event.type == "setup_intent.succeeded":
                outcome = self._on_setup_succeeded(event.id, object_id)
            else:
                outcome = "ignored"
            if outcome == "ignored":
                with self.records.engine.begin() as conn:
                    self.records.mark_event_processed(conn, event.id, self._clock())
            return outcome
        except Exception:
            self.records.release_event(event.id)
            raise

    def _on_payment_intent(self, event_id: str, payment_intent_id: str) -> str:
        row = self.records.payment_by_intent(payment_intent_id)
        if row is None:
            return "ignored"
        # Events are unordered: act on the intent as it is now, not as the event saw it.
        intent = self._call(self._stripe.v1.payment_intents.retrieve, payment_intent_id)
        status = intent.status
        if status == "succeeded":
            return self._fulfil(event_id, row, intent)
        if status == "processing":
            with self.records.engine.begin() as conn:
                moved = self.records.set_status(
                    conn, row.id, "processing", self._clock(),
                    only_from=("creating", "open", "failed"), method="us_bank_account",
                )  # fmt: skip
                self.records.mark_event_processed(conn, event_id, self._clock())
            if moved:
                self._notify(row, processing_text(row.policy_number, row.amount))
            return "processed"
        if status in ("requires_payment_method", "canceled"):
            error = _field(intent, "last_payment_error")
            code = _field(error, "decline_code") or _field(error, "code")
            self._fail(row, code, returned=row.status == "processing", event_id=event_id)
            return "processed"
        return "ignored"

    def _fulfil(self, event_id: str, row: PaymentRow, intent: Any) -> str:
        method = self._method_type(intent)
        try:
            receipt = self._pas.post_payment(
                row.policy_number,
                row.amount,
                method,
                reference=str(intent.id),
                key=f"stripe:{intent.id}",
            )
        except PasRejected:
            # The PAS refuses it (e.g. paid another way meanwhile): give the money back.
            log.warning("PAS refused a Stripe payment for policy %s: refunding",
                        mask_policy_number(row.policy_number))  # fmt: skip
            self._call(
                self._stripe.v1.refunds.create,
                params={"payment_intent": str(intent.id)},
                options={"idempotency_key": f"refund:{intent.id}"},
            )
            with self.records.engine.begin() as conn:
                moved = self.records.set_status(
                    conn, row.id, "failed", self._clock(),
                    only_from=("creating", "open", "processing", "failed"),
                    failure_code="pas_rejected",
                )  # fmt: skip
                self.records.mark_event_processed(conn, event_id, self._clock())
            if moved:
                self._notify(
                    row, not_applied_text(row.policy_number, row.amount, self._contact_phone)
                )
            return "processed"
        now = self._clock()
        with self.records.engine.begin() as conn:
            moved = self.records.set_status(
                conn, row.id, "succeeded", now,
                only_from=("creating", "open", "processing", "failed"),
                method=method, pas_confirmation=receipt.confirmation, posted_at=now,
            )  # fmt: skip
            if row.link_id:
                mark_link_used(conn, row.link_id, now)
            self.records.mark_event_processed(conn, event_id, now)
        if moved:
            log.info("payment posted to the PAS for policy %s (%s)",
                     mask_policy_number(row.policy_number), row.kind)  # fmt: skip
            self._notify(
                row,
                paid_text(row.policy_number, row.amount, receipt.confirmation, receipt.new_balance),
            )
            if self._on_posted is not None:
                self._on_posted(row)
        return "processed"

    def _fail(
        self, row: PaymentRow, code: str | None, *, returned: bool, event_id: str | None = None
    ) -> None:
        with self.records.engine.begin() as conn:
            moved = self.records.set_status(
                conn, row.id, "failed", self._clock(),
                only_from=("creating", "open", "processing"), failure_code=code,
            )  # fmt: skip
            if event_id is not None:
                self.records.mark_event_processed(conn, event_id, self._clock())
        if moved:
            self._notify(
                row,
                failed_text(
                    row.policy_number,
                    row.amount,
                    returned=returned,
                    reason=REASONS.get(code or ""),
                    phone=self._contact_phone,
                ),
            )

    def _on_setup_succeeded(self, event_id: str, setup_intent_id: str) -> str:
        setup = self.records.setup_by_intent(setup_intent_id)
        if setup is None:
            return "ignored"
        intent = self._call(self._stripe.v1.setup_intents.retrieve, setup_intent_id)
        if intent.status != "succeeded" or not intent.payment_method:
            return "ignored"
        pm = self._call(self._stripe.v1.payment_methods.retrieve, str(intent.payment_method))
        if _field(pm, "customer") != setup.customer_id:
            self._call(
                self._stripe.v1.payment_methods.attach,
                str(pm.id),
                params={"customer": setup.customer_id},
            )
        previous = self.records.autopay_method(setup.policy_number)
        billing = self._pas.billing(setup.policy_number)
        draft_day = _draft_day(billing)
        try:
            self._pas.set_autopay(setup.policy_number, str(pm.id), str(pm.type), draft_day)
        except PasRejected:
            # E.g. the policy was cancelled meanwhile: keep nothing, tell the holder.
            self._detach(str(pm.id))
            with self.records.engine.begin() as conn:
                moved = self.records.set_setup_status(conn, setup_intent_id, "failed")
                self.records.mark_event_processed(conn, event_id, self._clock())
            if moved:
                self._notifier.send(
                    Notice(
                        setup.policy_number,
                        setup.channel,
                        autopay_refused_text(setup.policy_number, self._contact_phone),
                    )
                )
            return "processed"
        now = self._clock()
        mandate = _field(intent, "mandate")
        with self.records.engine.begin() as conn:
            self.records.save_autopay_method(
                conn,
                AutopayMethod(
                    policy_number=setup.policy_number,
                    customer_id=setup.customer_id,
                    payment_method_id=str(pm.id),
                    method=str(pm.type),
                    mandate_id=str(mandate) if mandate else None,
                ),
                now,
            )
            moved = self.records.set_setup_status(conn, setup_intent_id, "succeeded")
            mark_link_used(conn, setup.link_id, now)
            self.records.mark_event_processed(conn, event_id, now)
        if previous is not None and previous.payment_method_id != pm.id:
            self._detach(previous.payment_method_id)
        if moved:
            details = _field(pm, str(pm.type))
            self._notifier.send(
                Notice(
                    setup.policy_number,
                    setup.channel,
                    autopay_on_text(setup.policy_number, str(pm.type), _field(details, "last4"),
                                    draft_day),
                )
            )  # fmt: skip
        return "processed"

    # --- helpers -------------------------------------------------------------------------------

    def _method_type(self, intent: Any) -> str:
        pm_id = _field(intent, "payment_method")
        if not pm_id:
            return "card"
        pm = self._call(self._stripe.v1.payment_methods.retrieve, str(pm_id))
        return "us_bank_account" if pm.type == "us_bank_account" else "card"

    def _notify(self, row: PaymentRow, text: str) -> None:
        self._notifier.send(Notice(row.policy_number, row.channel, text))

    @staticmethod
    def _call(method: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        try:
            return method(*args, **kwargs)
        except stripe.CardError:
            raise
        except stripe.StripeError as exc:
            log.warning("stripe call failed: %s", type(exc).__name__)
            raise PaymentsUnavailable(type(exc).__name__) from exc


def _field(obj: Any, name: str) -> Any:
    """A field of a Stripe object (or mapping), None when absent (StripeObject has no .get)."""
    if obj is None:
        return None
    try:
        return obj[name] if name in obj else None
    except (KeyError, TypeError):
        return None


def _draft_day(billing: Billing) -> int:
    if billing.due_date is None:
        return DEFAULT_DRAFT_DAY
    return min(billing.due_date.day, MAX_DRAFT_DAY)


def _decline_code(exc: stripe.CardError) -> str | None:
    error = exc.error
    if error is None:
        return exc.code
    return _field(error, "decline_code") or _field(error, "code") or exc.code


def _decline_words(exc: stripe.CardError) -> str:
    code = _decline_code(exc)
    reason = REASONS.get(code or "") if code != "card_declined" else None
    return "Sorry, that card was declined" + (f": {reason}." if reason else ".")


def _event_object_id(event: stripe.Event) -> str | None:
    """The id of the object an event is about, or None when the event carries none."""
    try:
        obj = event.data.object
        object_id = obj["id"]
    except (AttributeError, KeyError, TypeError):
        return None
    return object_id if isinstance(object_id, str) and object_id else None
