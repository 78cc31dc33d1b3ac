"""Slot mappings in domain.yml fill the right slots at the right moment (Rasa's own extractor).

Runs Rasa's ``action_extract_slots`` on real trackers built from the domain. The form
validation actions live on the action server, so they are left out of the domain used here:
this checks what the mappings extract, before any validation.
"""

from __future__ import annotations

from typing import Any

import pytest
from rasa.core.actions.action import ActionExtractSlots
from rasa.core.channels import CollectingOutputChannel
from rasa.core.nlg import TemplatedNaturalLanguageGenerator
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, ActiveLoop, Event, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

pytestmark = pytest.mark.filterwarnings("ignore:Slot auto-fill has been removed")


@pytest.fixture(scope="module")
def extraction_domain(domain: Domain) -> Domain:
    data = domain.as_dict()
    data["actions"] = [a for a in data["actions"] if not str(a).startswith("validate_")]
    return Domain.from_dict(data)


def _entity(text: str, name: str, value: str, fill: str | None = None) -> dict[str, Any]:
    start = text.index(value)
    return {"entity": name, "value": fill or value, "start": start, "end": start + len(value)}


async def _extracted(
    domain: Domain,
    text: str,
    intent: str,
    entities: list[dict[str, Any]],
    *,
    form: str | None = None,
    requested: str | None = None,
) -> dict[str, Any]:
    events: list[Event] = []
    if form:
        events += [ActiveLoop(form), SlotSet("requested_slot", requested)]
    events += [
        ActionExecuted("action_listen"),
        UserUttered(text, intent={"name": intent, "confidence": 1.0}, entities=entities),
    ]
    tracker = DialogueStateTracker.from_events("mapping-test", events, slots=domain.slots)
    result = await ActionExtractSlots(None).run(
        CollectingOutputChannel(),
        TemplatedNaturalLanguageGenerator(domain.responses),
        tracker,
        domain,
    )
    return {e.key: e.value for e in result if isinstance(e, SlotSet)}


async def test_a_reactivated_verification_form_ignores_the_previous_answers(
    extraction_domain: Domain,
) -> None:
    # action_verify_identity failed and re-activated the form: requested_slot is empty and the
    # last message is the old answer, which must not pre-fill the new attempt.
    text = "4/12/1985 78704"
    entities = [
        _entity(text, "date_of_birth", "4/12/1985"),
        _entity(text, "zip_code", "78704"),
    ]
    slots = await _extracted(
        extraction_domain, text, "inform", entities, form="verification_form", requested=None
    )
    assert slots == {}


async def test_date_of_birth_and_zip_fill_together_when_the_form_asks(
    extraction_domain: Domain,
) -> None:
    text = "dob 4/12/1985 zip 78704"
    entities = [
        _entity(text, "date_of_birth", "4/12/1985"),
        _entity(text, "zip_code", "78704"),
    ]
    slots = await _extracted(
        extraction_domain,
        text,
        "inform",
        entities,
        form="verification_form",
        requested="date_of_birth",
    )
    assert slots == {"date_of_birth": "4/12/1985", "zip_code": "78704"}


async def test_a_date_of_birth_outside_the_verification_form_is_not_kept(
    extraction_domain: Domain,
) -> None:
    text = "my birthday is 4/12/1985"
    slots = await _extracted(
        extraction_domain, text, "inform", [_entity(text, "date_of_birth", "4/12/1985")]
    )
    assert slots == {}


async def test_a_date_of_birth_and_zip_given_with_a_request_fill_the_verification_form(
    extraction_domain: Domain,
) -> None:
    text = "balance please, born 4/12/1985 zip 78704"
    entities = [
        _entity(text, "date_of_birth", "4/12/1985"),
        _entity(text, "zip_code", "78704"),
    ]
    slots = await _extracted(extraction_domain, text, "check_balance", entities)
    assert slots == {"date_of_birth": "4/12/1985", "zip_code": "78704"}


async def test_unparsed_text_still_answers_the_requested_question(
    extraction_domain: Domain,
) -> None:
    # Spoken or odd forms may come back as nlu_fallback; the form's validation reads them.
    slots = await _extracted(
        extraction_domain,
        "four twelve eighty five",
        "nlu_fallback",
        [],
        form="verification_form",
        requested="date_of_birth",
    )
    assert slots == {"date_of_birth": "four twelve eighty five"}


async def test_help_inside_a_form_fills_nothing_so_the_form_yields(
    extraction_domain: Domain,
) -> None:
    slots = await _extracted(
        extraction_domain,
        "what can you do",
        "help",
        [],
        form="verification_form",
        requested="date_of_birth",
    )
    assert slots == {}


async def test_a_chosen_policy_or_claim_is_kept_outside_forms(extraction_domain: Domain) -> None:
    policy = await _extracted(
        extraction_domain,
        '/inform{"policy_number":"AUT-1000003"}',
        "inform",
        [{"entity": "policy_number", "value": "AUT-1000003"}],
    )
    claim = await _extracted(
        extraction_domain,
        "status of claim CLM-50000001",
        "claim_status",
        [_entity("status of claim CLM-50000001", "claim_number", "CLM-50000001")],
    )
    assert policy == {"policy_number": "AUT-1000003"}
    assert claim == {"claim_number": "CLM-50000001"}


async def test_an_amount_counts_only_when_paying(extraction_domain: Domain) -> None:
    text = "pay the full balance"
    paying = await _extracted(
        extraction_domain,
        text,
        "make_payment",
        [_entity(text, "amount", "the full balance", fill="full")],
    )
    in_passing = await _extracted(
        extraction_domain, "$200", "inform", [_entity("$200", "amount", "$200")]
    )
    answering = await _extracted(
        extraction_domain,
        "$96",
        "inform",
        [_entity("$96", "amount", "$96")],
        form="payment_form",
        requested="amount",
    )
    assert paying == {"amount": "full"}
    assert in_passing == {}
    assert answering == {"amount": "$96"}


async def test_a_certificate_holder_in_the_request_prefills_the_form(
    extraction_domain: Domain,
) -> None:
    text = "coi for Acme Property Management at 12 Main St, Austin TX 78701"
    entities = [
        _entity(text, "org_name", "Acme Property Management"),
        _entity(text, "org_address", "12 Main St, Austin TX 78701"),
    ]
    slots = await _extracted(extraction_domain, text, "request_certificate", entities)
    assert slots == {
        "org_name": "Acme Property Management",
        "org_address": "12 Main St, Austin TX 78701",
    }
