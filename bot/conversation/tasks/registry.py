"""One declarative entry per task (docs/adding-a-task.md).

A task is what a policyholder asks for: served by the assistant once identity is proven
(self-service) or routed to a person with a handoff record. Its entry says everything the rest
of the system needs to know about it; nothing else lists tasks by hand.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass

from bot.conversation.answers.policy import cancellation_status
from bot.conversation.use_cases import UseCase
from pas_connector.models import PolicyRef


class Category(str, enum.Enum):
    """The containment category a task counts under (docs/architecture.md, outcomes)."""

    DOCUMENTS = "documents"
    PAYMENTS = "payments"
    CLAIMS = "claims"
    COVERAGE = "coverage"
    OTHER = "other"


class Chooses(str, enum.Enum):
    """What a self-service task is for: one of the holder's policies, one claim, or nothing."""

    POLICY = "policy"
    CLAIM = "claim"

    @property
    def form(self) -> str:
        """The form that asks which one: ``policy_choice_form``, ``claim_choice_form``."""
        return f"{self.value}_choice_form"


class Reads(str, enum.Enum):
    """A PAS read a task makes for the policy it is for (``bot.conversation.read_ahead`` starts
    them while the person is still answering the verification questions)."""

    POLICY = "policy"  # get_policy: the summary (documents, coverage answers)
    BILLING = "billing"  # get_billing: balance, due date, autopay
    CLAIMS = "claims"  # list_claims: every claim with its stage and adjuster


def in_force(ref: PolicyRef) -> bool:
    """A policy that is active or about to be cancelled (autopay and payment methods apply)."""
    return ref.status in ("active", "pending_cancel")


def auto_only(ref: PolicyRef) -> bool:
    return ref.line == "auto"


def any_policy(ref: PolicyRef) -> bool:
    return True


@dataclass(frozen=True)
class Task:
    """One task. ``action`` performs it (self-service) or routes it (people)."""

    intent: str
    category: Category
    action: str
    # How the task is named in "Which policy is this <words> for?" and "Next: your <words>."
    words: str
    # Served by the assistant (True) or always routed to a person (False).
    self_service: bool = True
    assurance: str = "verified"
    chooses: Chooses = Chooses.POLICY
    # Which of the holder's policies the task can be for, and what to say when none fits.
    eligible: Callable[[PolicyRef], bool] = any_policy
    no_eligible_policy: str = "I don't see a policy this applies to."
    # A form that collects what the task still needs once the policy is chosen.
    form: str | None = None
    # Key and title in the phone menu ("press 1 for ID cards").
    voice_key: str | None = None
    voice_title: str | None = None
    # Why a routed task is handed off (handoff records, staff queue), and whether it is urgent.
    handoff_reason: str | None = None
    urgent: bool = False
    # Answered by a use case (bot.conversation.use_cases) through the one generic action,
    # instead of an action class of its own.
    use_case: UseCase | None = None
    # The PAS reads the task makes per policy (the holder's policy list is always read).
    reads: tuple[Reads, ...] = ()
    # How the task is offered as a choice ("Did you mean 1 your balance, or 2 ...?"), when
    # neither ``voice_title`` nor ``words`` reads well on its own.
    title: str | None = None

    @property
    def choice_title(self) -> str:
        """The task named as one of several choices (buttons, "reply 1 for ...")."""
        return self.title or self.voice_title or self.words


TASKS: tuple[Task, ...] = (
    Task(
        "request_id_card",
        Category.DOCUMENTS,
        "action_send_id_card",
        "ID card",
        eligible=auto_only,
        no_eligible_policy="ID cards are only issued for auto policies, and I don't see an auto "
        "policy for you. I can send your declarations page instead.",
        voice_key="1",
        voice_title="ID cards",
        reads=(Reads.POLICY,),
    ),
    Task(
        "request_declarations",
        Category.DOCUMENTS,
        "action_send_declarations",
        "declarations page",
        reads=(Reads.POLICY,),
        title="your declarations page",
    ),
    Task(
        "request_certificate",
        Category.DOCUMENTS,
        "action_send_certificate",
        "certificate",
        form="certificate_form",
        reads=(Reads.POLICY,),
        title="a certificate of insurance",
    ),
    Task(
        "check_balance",
        Category.PAYMENTS,
        "action_check_balance",
        "balance",
        voice_key="2",
        voice_title="your balance",
        reads=(Reads.BILLING,),
    ),
    Task(
        "payment_history",
        Category.PAYMENTS,
        "action_payment_history",
        "payment history",
        title="your payment history",
    ),
    Task(
        "make_payment",
        Category.PAYMENTS,
        "action_make_payment",
        "payment",
        form="payment_form",
        voice_key="3",
        voice_title="making a payment",
        reads=(Reads.BILLING,),
    ),
    Task(
        "autopay_enroll",
        Category.PAYMENTS,
        "action_autopay_enroll",
        "autopay set-up",
        eligible=in_force,
        no_eligible_policy="Autopay can only be set up on a policy that is in force.",
        reads=(Reads.BILLING,),
        title="setting up autopay",
    ),
    Task(
        "autopay_cancel",
        Category.PAYMENTS,
        "action_autopay_cancel",
        "autopay change",
        reads=(Reads.BILLING,),
        title="turning autopay off",
    ),
    Task(
        "autopay_status",
        Category.PAYMENTS,
        "action_autopay_status",
        "autopay question",
        reads=(Reads.BILLING,),
        title="whether autopay is on",
    ),
    Task(
        "update_payment_method",
        Category.PAYMENTS,
        "action_update_payment_method",
        "payment method change",
        eligible=in_force,
        no_eligible_policy="There is no policy in force to update a payment method on.",
        reads=(Reads.BILLING,),
        title="changing how you pay",
    ),
    Task(
        "claim_status",
        Category.CLAIMS,
        "action_claim_status",
        "claim",
        chooses=Chooses.CLAIM,
        voice_key="4",
        voice_title="a claim's status",
        reads=(Reads.CLAIMS,),
    ),
    Task(
        "cancellation_status",
        Category.COVERAGE,
        "action_cancellation_status",
        "cancellation question",
        use_case=cancellation_status,
        reads=(Reads.POLICY,),
        title="whether your policy is cancelled",
    ),
    Task(
        "policy_summary",
        Category.COVERAGE,
        "action_policy_summary",
        "summary",
        voice_key="6",
        voice_title="your policy summary",
        reads=(Reads.POLICY,),
    ),
    # --- routed to people: never answered by the assistant ---
    Task(
        "coverage_question",
        Category.COVERAGE,
        "action_handoff",
        "coverage question",
        self_service=False,
        handoff_reason="coverage_question",
        title="a question about what's covered",
    ),
    Task(
        "report_claim",
        Category.CLAIMS,
        "action_report_claim",
        "new claim",
        self_service=False,
        handoff_reason="first_notice_of_loss",
        urgent=True,
        voice_key="5",
        voice_title="reporting a new claim",
    ),
    Task(
        "change_policy",
        Category.COVERAGE,
        "action_handoff",
        "policy change",
        self_service=False,
        handoff_reason="change_policy",
        title="a change to your policy or details",
    ),
    # Someone asking to buy insurance or for a quote (a prospect, or a holder shopping for
    # another line): sales, with what they asked; a line the carrier does not write gets a
    # "we don't offer ..." instead (bot/conversation/answers/lines.py).
    Task(
        "get_quote",
        Category.OTHER,
        "action_handoff",
        "quote",
        self_service=False,
        assurance="anonymous",
        handoff_reason="sales_quote",
        title="a quote for new insurance",
    ),
    Task(
        "human_handoff",
        Category.OTHER,
        "action_handoff",
        "call with a person",
        self_service=False,
        handoff_reason="requested_person",
        voice_key="0",
        voice_title="a person",
    ),
)

_BY_INTENT = {task.intent: task for task in TASKS}
SELF_SERVICE: tuple[Task, ...] = tuple(task for task in TASKS if task.self_service)
ROUTED: tuple[Task, ...] = tuple(task for task in TASKS if not task.self_service)


def task_for(intent: str | None) -> Task | None:
    """The task an intent asks for (None for conversation intents such as ``greet``)."""
    return _BY_INTENT.get(intent or "")
