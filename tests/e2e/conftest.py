"""End-to-end conversations: the trained model, the real Rasa and action servers, the sandbox.

Every test here talks to the processes ``make run`` starts (through tests/support/rasa_stack.py)
and asserts on the fixture personas' facts from the PAS sandbox, so a regression anywhere between
the channel and the PAS shows up as a wrong answer to a policyholder.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date

import pytest

from bot.settings import Settings
from pas_sandbox.dataset import generate
from pas_sandbox.personas import personas_json
from tests.dialogue_suite.phones import StackClients
from tests.support.rasa_stack import RasaStack
from tests.support.servers import SandboxHandle

# What tests/support/servers.start_sandbox seeds by default.
SANDBOX_POLICYHOLDERS = 60
# Generated holders (the last ones) no test converses with but the one that takes each: their
# records were never read, so nothing of them is cached or can be served stale.
FRESH_HOLDERS = 2

_conversation_numbers = itertools.count(1)


@pytest.fixture(scope="module")
def clients(rasa_stack: RasaStack) -> Iterator[StackClients]:
    """Phones and a caller on the real SMS and voice webhooks (one set per test module)."""
    stack_clients = StackClients(rasa_stack)
    try:
        yield stack_clients
    finally:
        stack_clients.close()


@pytest.fixture
def conversation_id(request: pytest.FixtureRequest) -> str:
    """A fresh conversation id per test (trackers persist for the whole session)."""
    return f"e2e-{request.node.name[:40]}-{next(_conversation_numbers)}"


class Chat:
    """One conversation with the assistant through the REST channel, with a channel's metadata."""

    def __init__(self, stack: RasaStack, sender: str, **metadata: str) -> None:
        self._stack = stack
        self.sender = sender
        self.metadata = metadata
        self.transcript: list[tuple[str, str]] = []

    def say(self, text: str) -> str:
        """Send ``text``; the bot's texts joined by newlines (buttons as ``[title]``)."""
        replies = self._stack.say(self.sender, text, **self.metadata)
        lines: list[str] = []
        for message in replies:
            if message.get("text"):
                lines.append(message["text"])
            lines.extend(f"[{button['title']}]" for button in message.get("buttons") or [])
        answer = "\n".join(lines)
        self.transcript.append((text, answer))
        return answer

    def payloads(self, text: str) -> list[dict[str, object]]:
        """Send ``text``; only the custom payloads of the answer."""
        replies = self._stack.say(self.sender, text, **self.metadata)
        return [message["custom"] for message in replies if message.get("custom")]

    def __str__(self) -> str:
        return "\n".join(f"> {said}\n{answer}" for said, answer in self.transcript)


@pytest.fixture
def chat(rasa_stack: RasaStack, conversation_id: str) -> Iterator[Callable[..., Chat]]:
    def start(**metadata: str) -> Chat:
        return Chat(rasa_stack, conversation_id + f"-{next(_conversation_numbers)}", **metadata)

    yield start


@dataclass(frozen=True)
class Holder:
    """A generated (non-persona) policyholder of the session's sandbox, for tests that change
    state the personas' tests must not see (lockouts, cold caches)."""

    holder_id: str
    phone: str
    date_of_birth: str  # MM/DD/YYYY, as typed
    zip_code: str
    policy_number: str  # the first of the holder's policies


@pytest.fixture(scope="session")
def generated_holders(sandbox_session: SandboxHandle) -> list[Holder]:
    # The sandbox's data is a pure function of seed, size and date: rebuild it to read answers.
    book = generate(
        Settings.from_env({}).sandbox.seed,
        SANDBOX_POLICYHOLDERS,
        date.fromisoformat(sandbox_session.as_of),
    )
    personas = {p["holder_id"] for p in personas_json()}
    return [
        Holder(
            holder.holder_id,
            holder.phone,
            holder.date_of_birth.strftime("%m/%d/%Y"),
            holder.address.zip,
            holder.policy_numbers[0],
        )
        for holder in book.holders.values()
        if holder.holder_id not in personas and holder.policy_numbers
    ]
