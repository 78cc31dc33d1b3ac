"""Document journeys: ID card, declarations page, certificate of insurance (after its form).

Each sends a single-use, short-lived signed link (``bot.documents``) as text and as the
contract's ``{"document": {...}}`` payload. Documents assert coverage, so they are never issued
from stale data: when the PAS only has an old cached answer, the person gets an apology instead.
"""

from __future__ import annotations

import asyncio
from abc import ABC
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.base import SafeFormValidation, Turn
from actions.tasks import NO_ELIGIBLE_POLICY, TaskAction, choose_policy
from bot.conversation.answers.common import pas_unavailable
from bot.conversation.certificate_holder import readable_name
from bot.conversation.formatting import mask_policy_number, time_of_day
from bot.conversation.outcomes import Outcome
from bot.documents import (
    CertificateHolder,
    CertificateHolderRequired,
    DocumentKind,
    DocumentUnavailable,
    IssuedDocument,
    PolicyNotInForce,
    WrongLineOfBusiness,
)
from pas_connector.models import Policy, Policyholder


def refusal_text(error: DocumentUnavailable, kind: DocumentKind, policy_number: str) -> str:
    """A polite answer when a policy cannot have the document."""
    ref = mask_policy_number(policy_number)
    if isinstance(error, PolicyNotInForce):
        return (
            f"Policy {ref} is no longer in force, so I can't issue {_a(kind.label)} for it. "
            "I can send the declarations page, which shows its terms and dates."
        )
    if isinstance(error, WrongLineOfBusiness):
        return f"{kind.label.capitalize()}s are only issued for auto policies; {ref} is not one."
    return f"I can't issue {_a(kind.label)} for policy {ref}. Reply AGENT for help from a person."


def _a(noun: str) -> str:
    return f"{'an' if noun[:1].lower() in 'aeiou' else 'a'} {noun}"


class DocumentAction(TaskAction, ABC):
    """Issue one kind of document for the chosen policy and send its link."""

    kind: DocumentKind

    def certificate_holder(self, turn: Turn) -> CertificateHolder | None:
        return None

    def finished_events(self) -> list[EventType]:
        return []

    async def perform(self, turn: Turn) -> list[EventType]:
        choice = await choose_policy(turn, self.task)
        if choice.policy is None:
            if not choice.events:
                turn.say(NO_ELIGIBLE_POLICY.get(self.task, "I don't see a policy for that."))
                return await self.completed(turn)
            return choice.events
        connector = turn.services.connector
        assert turn.holder_id is not None
        policy, holder = await asyncio.gather(
            connector.get_policy(choice.policy.policy_number),
            connector.get_policyholder(turn.holder_id),
        )
        if policy.stale:
            turn.say(pas_unavailable(turn.services.settings.contact_centre_phone))
            await turn.record(self.task, Outcome.FAILED, reason="stale_data")
            return [*choice.events, SlotSet("pending_task", None)]
        try:
            issued = await self._issue(turn, policy.value, holder.value)
        except DocumentUnavailable as refused:
            turn.say(refusal_text(refused, self.kind, choice.policy.policy_number))
            return await self.completed(turn, *choice.events, *self.finished_events())
        except CertificateHolderRequired:
            turn.say("Who should the certificate be for? Please give their name and address.")
            return [
                *choice.events,
                SlotSet("org_name", None),
                SlotSet("org_address", None),
                FollowupAction("certificate_form"),
            ]
        expires = time_of_day(issued.expires_at)
        turn.say(
            f"Here is your {self.kind.label} for policy "
            f"{mask_policy_number(choice.policy.policy_number)}: {issued.url} "
            f"The link works once and expires at {expires}."
        )
        turn.send_payload(await self._payload(turn, issued, holder.value))
        return await self.completed(turn, *choice.events, *self.finished_events())

    async def _payload(
        self, turn: Turn, issued: IssuedDocument, holder: Policyholder
    ) -> dict[str, Any]:
        """The contract payload, plus what the channel needs to deliver it: a separate media link
        for an SMS attachment when the PDF is small enough for MMS, and on voice the number on
        file to text the link to (only there: the web widget never receives a phone number)."""
        payload = issued.payload()
        document = payload["document"]
        document["mms_eligible"] = issued.mms_eligible
        if turn.channel == "sms" and issued.mms_eligible:
            document["media_url"] = await asyncio.to_thread(
                turn.services.documents.issue_media_link, issued
            )
        if turn.channel == "voice" and holder.phone:
            document["sms_to"] = holder.phone
        return payload

    async def _issue(self, turn: Turn, policy: Policy, holder: Policyholder) -> IssuedDocument:
        # Rendering a PDF is CPU and file work: keep it off the event loop.
        return await asyncio.to_thread(
            turn.services.documents.issue_link,
            self.kind,
            policy,
            holder,
            conversation_id=turn.conversation_id,
            channel=turn.channel,
            certificate_holder=self.certificate_holder(turn),
        )


class ActionSendIdCard(DocumentAction):
    task = "request_id_card"
    kind = DocumentKind.ID_CARD

    def name(self) -> str:
        return "action_send_id_card"


class ActionSendDeclarations(DocumentAction):
    task = "request_declarations"
    kind = DocumentKind.DECLARATIONS

    def name(self) -> str:
        return "action_send_declarations"


class ActionSendCertificate(DocumentAction):
    """After ``certificate_form``: the certificate names the organisation the user gave."""

    task = "request_certificate"
    kind = DocumentKind.CERTIFICATE

    def name(self) -> str:
        return "action_send_certificate"

    def certificate_holder(self, turn: Turn) -> CertificateHolder | None:
        name = str(turn.slot("org_name") or "").strip()
        address = str(turn.slot("org_address") or "").strip()
        return CertificateHolder(name=name, address=address) if name else None

    def finished_events(self) -> list[EventType]:
        return [SlotSet("org_name", None), SlotSet("org_address", None)]


class ValidateCertificateForm(SafeFormValidation):
    """A certificate holder's name has letters that read as words, and an address a number."""

    def name(self) -> str:
        return "validate_certificate_form"

    def validate_org_name(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        name = str(value or "").strip()
        if not readable_name(name):
            dispatcher.utter_message(
                text="Please send the name of the company or person the certificate is for."
            )
            return {"org_name": None}
        return {"org_name": name}

    def validate_org_address(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        address = str(value or "").strip()
        if not any(ch.isdigit() for ch in address) or not readable_name(address):
            dispatcher.utter_message(
                text="Please send their mailing address with the street number, city, state "
                "and ZIP."
            )
            return {"org_address": None}
        return {"org_address": address}
