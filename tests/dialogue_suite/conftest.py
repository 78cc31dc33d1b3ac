"""The scripted-conversation suite talks to the session's one Rasa stack (tests/conftest.py
``rasa_stack``) through the real Twilio webhooks.

The selected conversations are played by ``conversation_results`` as soon as the first test asks:
conversations that read the same number's texts play one after another, the others side by side
(one thread per number), so the suite takes about as long as its busiest number. Each test then
checks its own conversation's transcript. The completion table is printed by
tests/dialogue_suite/report.py (a plugin tests/conftest.py registers).
"""

from __future__ import annotations

import os
from collections import defaultdict
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor

import pytest

from tests.dialogue_suite.conversations import CONVERSATIONS
from tests.dialogue_suite.phones import StackClients
from tests.dialogue_suite.runner import Transcript, run_conversation
from tests.dialogue_suite.script import Conversation
from tests.support.rasa_stack import RasaStack

# Numbers played at once: the personas' five, and the strangers' own.
PARALLEL_NUMBERS = 6
# While working on one behaviour: play only these conversations (names or categories, comma
# separated); the test then requires every one of them to complete instead of the floors.
SELECT_ENV = "DIALOGUE_SUITE_ONLY"


def selected_conversations() -> list[Conversation]:
    wanted = {w.strip() for w in os.environ.get(SELECT_ENV, "").split(",") if w.strip()}
    if not wanted:
        return list(CONVERSATIONS)
    chosen = [c for c in CONVERSATIONS if c.name in wanted or c.category in wanted]
    if not chosen:
        raise pytest.UsageError(f"{SELECT_ENV} names no conversation or category: {wanted}")
    return chosen


@pytest.fixture(scope="session")
def suite_clients(rasa_stack: RasaStack) -> Iterator[StackClients]:
    clients = StackClients(rasa_stack)
    try:
        yield clients
    finally:
        clients.close()


def _play(
    clients: StackClients, conversations: list[Conversation], futures: dict[str, Future[Transcript]]
) -> None:
    for conversation in conversations:
        future = futures[conversation.name]
        try:
            future.set_result(run_conversation(clients, conversation))
        except BaseException as exc:  # the test that reads it reports it
            future.set_exception(exc)


@pytest.fixture(scope="session")
def conversation_results(
    suite_clients: StackClients, request: pytest.FixtureRequest
) -> Iterator[dict[str, Future[Transcript]]]:
    selected = selected_conversations()
    by_number: dict[str, list[Conversation]] = defaultdict(list)
    for conversation in selected:
        by_number[conversation.texts_to].append(conversation)
    futures: dict[str, Future[Transcript]] = {c.name: Future() for c in selected}
    # Busiest numbers first, so the longest queue starts at once.
    queues = sorted(by_number.values(), key=len, reverse=True)
    with ThreadPoolExecutor(max_workers=PARALLEL_NUMBERS) as pool:
        for queue in queues:
            pool.submit(_play, suite_clients, queue, futures)
        yield futures
        for future in futures.values():
            future.cancel()
