"""Action tests: real ``rasa_sdk`` trackers and dispatchers, real services on the PAS sandbox.

``services`` builds the production composition root (``bot.bootstrap.build_services``) with the
connector pointed at the sandbox and an app database in a temp folder, installs it as the action
server would see it, and closes it after the test. ``run`` executes one action like rasa-sdk's
executor does and returns its events and messages.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml
from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.base import PolicylineAction, Turn
from actions.choice_forms import (
    ActionAskClaimChoice,
    ActionAskPolicyChoice,
    ValidateClaimChoiceForm,
    ValidatePolicyChoiceForm,
)
from actions.identity import ActionResumeTask
from bot.bootstrap import Services, build_services, get_services, set_services
from bot.conversation.verified_conversations import VerifiedConversations
from bot.conversation.web_handover import Assurance
from bot.settings import Settings
from pas_connector.config import CacheSettings, PasSettings
from tests.support.app_database import migrated_sqlite
from tests.support.personas import JAMES, JOSE, MARIA, PRIYA, ROBERT  # noqa: F401  (re-exported)

PROJECT_ROOT = Path(__file__).resolve().parents[2]
PUBLIC_BASE_URL = "https://policyline.test"


def settings_for(sandbox: Any, var_dir: Path, **cache: float) -> Settings:
    """Settings for one test: the sandbox's PAS, an app database under ``var_dir``."""
    return Settings(
        env="test",
        var_dir=var_dir,
        database_url=migrated_sqlite(var_dir / "app.sqlite"),
        public_base_url=PUBLIC_BASE_URL,
        pas=PasSettings(
            base_url=sandbox.base_url,
            key_id=sandbox.key_id,
            hmac_secret=sandbox.hmac_secret,
            replica_url=sandbox.replica_url,
        ),
        cache=CacheSettings(**cache),
    )


@pytest.fixture
def domain() -> dict[str, Any]:
    """The assistant's real domain (forms and slot mappings drive the form validators)."""
    with open(PROJECT_ROOT / "domain.yml", encoding="utf-8") as handle:
        return yaml.safe_load(handle)


@pytest.fixture
async def services(sandbox: Any, tmp_var: Path) -> AsyncIterator[Services]:
    built = build_services(settings_for(sandbox, tmp_var))
    set_services(built)
    try:
        yield built
    finally:
        set_services(None)
        await built.aclose()


@dataclass
class Conversation:
    """A conversation as the tracker sees it, built turn by turn in a test."""

    sender_id: str = "test-conversation"
    channel: str = "sms"
    phone: str | None = None
    slots: dict[str, Any] = field(default_factory=lambda: {"assurance": "anonymous"})
    events: list[dict[str, Any]] = field(default_factory=list)
    latest: dict[str, Any] = field(default_factory=dict)
    active_loop: dict[str, Any] = field(default_factory=dict)

    @property
    def metadata(self) -> dict[str, Any]:
        return {"channel": self.channel, "phone": self.phone}

    def user(self, text: str, intent: str, **extra_metadata: Any) -> Conversation:
        """The user says ``text``, understood as ``intent``."""
        metadata = {**self.metadata, **extra_metadata}
        parse = {"intent": {"name": intent, "confidence": 1.0}, "entities": [], "text": text}
        self.latest = {**parse, "metadata": metadata}
        self.events.append(
            {
                "event": "user",
                "text": text,
                "parse_data": parse,
                "metadata": metadata,
                "input_channel": self.channel,
            }
        )
        return self

    def verified(self, holder_id: str, assurance: Assurance = "verified") -> Conversation:
        """The conversation has passed verification: the server-side record and the slots."""
        services = get_services()
        subject = services.identity.conversation_subject(self.sender_id)
        VerifiedConversations(services.engine, clock=services.clock).record(
            subject, holder_id, assurance
        )
        return self.claims_verified(holder_id, assurance)

    def claims_verified(self, holder_id: str, assurance: Assurance = "verified") -> Conversation:
        """Slots that say verified, with nothing server-side behind them (a forged tracker)."""
        self.slots.update(assurance=assurance, holder_id=holder_id)
        return self

    def candidate_slots(self, **values: Any) -> Conversation:
        """Slot values a form just extracted (what ``slots_to_validate`` sees)."""
        for name, value in values.items():
            self.events.append({"event": "slot", "name": name, "value": value})
            self.slots[name] = value
        return self

    def tracker(self) -> Tracker:
        return Tracker(
            self.sender_id,
            dict(self.slots),
            dict(self.latest),
            list(self.events),
            False,
            None,
            dict(self.active_loop),
            None,
        )

    def apply(self, events: list[dict[str, Any]]) -> None:
        """Apply returned events to the slots, as Rasa would."""
        for event in events:
            if event["event"] == "slot":
                self.slots[event["name"]] = event["value"]
            elif event["event"] == "reset_slots":
                self.slots = {}
            elif event["event"] == "active_loop":
                self.active_loop = {"name": event["name"]} if event.get("name") else {}


@dataclass
class Result:
    events: list[dict[str, Any]]
    messages: list[dict[str, Any]]

    @property
    def text(self) -> str:
        return "\n".join(m.get("text") or "" for m in self.messages)

    @property
    def payloads(self) -> list[dict[str, Any]]:
        return [m["custom"] for m in self.messages if m.get("custom")]

    @property
    def buttons(self) -> list[dict[str, Any]]:
        return [b for m in self.messages for b in m.get("buttons") or []]

    def slot(self, name: str) -> Any:
        values = [e["value"] for e in self.events if e["event"] == "slot" and e["name"] == name]
        assert values, f"no SlotSet({name!r}) in {self.events}"
        return values[-1]

    @property
    def followup(self) -> str | None:
        names = [e["name"] for e in self.events if e["event"] == "followup"]
        return names[-1] if names else None


async def run(action: Action, conversation: Conversation, domain: dict[str, Any]) -> Result:
    """Run ``action`` alone (not the actions it hands over to, which a call from Rasa runs in
    the same call: ``run_call``); apply its slot events to the conversation."""
    dispatcher = CollectingDispatcher()
    tracker = conversation.tracker()
    if isinstance(action, PolicylineAction):
        turn = Turn(dispatcher, tracker, domain, get_services())
        events = await action.run_once(turn, action.deadline_s)
    else:
        events = await action.run(dispatcher, tracker, domain)
    conversation.apply(events)
    return Result(events=list(events), messages=list(dispatcher.messages))


async def run_call(action: Action, conversation: Conversation, domain: dict[str, Any]) -> Result:
    """One call from Rasa to the action server for ``action``, as rasa-sdk's executor makes it."""
    dispatcher = CollectingDispatcher()
    events = await action.run(dispatcher, conversation.tracker(), domain)
    conversation.apply(events)
    return Result(events=list(events), messages=list(dispatcher.messages))


# The choice forms and the slot each asks for (actions/choice_forms.py).
CHOICE_SLOTS = {"policy_choice_form": "policy_number", "claim_choice_form": "claim_number"}


async def ask_which(conversation: Conversation, task: str, domain: dict[str, Any]) -> Result:
    """``task`` is resumed for a holder with several choices: ``action_resume_task`` starts the
    choice form, which asks with its buttons (as Rasa runs them); the question then waits."""
    conversation.slots["pending_task"] = task
    resumed = await run(ActionResumeTask(), conversation, domain)
    form = resumed.followup
    assert form in CHOICE_SLOTS, f"a choice form is started, not {form}"
    conversation.active_loop = {"name": form}
    conversation.slots["requested_slot"] = CHOICE_SLOTS[form]
    ask = ActionAskPolicyChoice() if form == "policy_choice_form" else ActionAskClaimChoice()
    asked = await run(ask, conversation, domain)
    conversation.events.append(
        {"event": "bot", "text": asked.text, "data": {"buttons": asked.buttons}}
    )
    return asked


async def answer_choice(
    conversation: Conversation, text: str, intent: str, domain: dict[str, Any], **entities: str
) -> Result:
    """The user answers the waiting choice form: its validator reads the reply (entities the
    NLU found are the slot candidates Rasa extracted, as for a button)."""
    conversation.user(text, intent)
    form = conversation.active_loop.get("name")
    assert form in CHOICE_SLOTS, "a choice form waits"
    conversation.latest["entities"] = [{"entity": k, "value": v} for k, v in entities.items()]
    conversation.candidate_slots(**entities)
    validator = (
        ValidatePolicyChoiceForm() if form == "policy_choice_form" else ValidateClaimChoiceForm()
    )
    result = await run(validator, conversation, domain)
    # Rasa adds what the form did to the tracker (the human-exit count reads the history).
    conversation.events += [e for e in result.events if e["event"] == "slot"]
    return result
