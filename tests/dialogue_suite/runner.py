"""Plays one scripted conversation against the running assistant and checks every reply."""

from __future__ import annotations

from dataclasses import dataclass, field

from tests.dialogue_suite.phones import Reply, SmsPhone, StackClients, place_call
from tests.dialogue_suite.script import Conversation


@dataclass
class Transcript:
    """What was said and heard, and the first step whose check failed (if any)."""

    conversation: Conversation
    lines: list[str] = field(default_factory=list)
    replies: list[Reply] = field(default_factory=list)
    failed_step: int | None = None  # 0-based
    problems: list[str] = field(default_factory=list)

    @property
    def completed(self) -> bool:
        return self.failed_step is None

    @property
    def failure(self) -> str:
        """One line: the failing step and its first problem."""
        if self.failed_step is None:
            return ""
        return f"step {self.failed_step + 1}: {self.problems[0]}"

    def render(self) -> str:
        talk = self.conversation
        out = [f"{talk.name} ({talk.category}, {talk.channel}, from {talk.phone[:-4]}****)"]
        for i, (line, reply) in enumerate(zip(self.lines, self.replies, strict=False)):
            out.append(f"  > {line}")
            out.extend(f"    {text}" for text in reply.everything.strip().splitlines())
            if i == self.failed_step:
                out.append(f"  ✗ expected {self.conversation.steps[i].check.describe}")
                out.extend(f"  ✗ {problem}" for problem in self.problems)
        return "\n".join(out)


def run_conversation(clients: StackClients, conversation: Conversation) -> Transcript:
    if conversation.channel == "voice":
        return _run_call(clients, conversation)
    return _run_texts(clients, conversation)


def _judge(transcript: Transcript, index: int, reply: Reply) -> bool:
    problems = transcript.conversation.problems(index, reply, transcript.replies[:index])
    if problems:
        transcript.failed_step, transcript.problems = index, problems
    return not problems


def _run_texts(clients: StackClients, conversation: Conversation) -> Transcript:
    transcript = Transcript(conversation)
    clients.forget_sms_conversation(conversation.phone)
    try:
        phone = SmsPhone(clients, conversation.phone)
        for index, step in enumerate(conversation.steps):
            line = step.text(clients)
            reply = phone.send(line)
            transcript.lines.append(line)
            transcript.replies.append(reply)
            if not _judge(transcript, index, reply):
                break
    finally:
        clients.forget_sms_conversation(conversation.phone)
    return transcript


def _run_call(clients: StackClients, conversation: Conversation) -> Transcript:
    transcript = Transcript(conversation)
    said: list[str] = []

    def line_of(index: int):  # type: ignore[no-untyped-def]
        def line() -> str:
            text = conversation.steps[index].text(clients)
            said.append(text)
            return text

        return line

    heard = place_call(
        clients, conversation.phone, [line_of(i) for i in range(len(conversation.steps))]
    )
    replies = heard[1:]  # heard[0] is the greeting
    for index, _step in enumerate(conversation.steps):
        if index >= len(said):
            transcript.failed_step = index
            transcript.problems = ["the call ended before this line could be said"]
            break
        reply = replies[index] if index < len(replies) else Reply("")
        transcript.lines.append(said[index])
        transcript.replies.append(reply)
        if not _judge(transcript, index, reply):
            break
    return transcript
