"""The intent names of the dialogue contract (docs/architecture.md), in one place.

Analytics, the staff console's filters and the actions all name intents; they import them from
here so a contract change is one edit (tests/nlu checks the domain has every one).
"""

from __future__ import annotations

# Answered by the assistant once the policyholder is verified.
SELF_SERVICE_INTENTS = (
    "request_id_card",
    "request_declarations",
    "request_certificate",
    "check_balance",
    "payment_history",
    "make_payment",
    "autopay_enroll",
    "autopay_cancel",
    "autopay_status",
    "update_payment_method",
    "claim_status",
    "policy_summary",
)
# Never answered by the assistant: routed to a person with a handoff record.
ROUTED_TO_PEOPLE = ("coverage_question", "report_claim", "change_policy", "human_handoff")
