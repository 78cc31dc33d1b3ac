"""The shape of a scripted conversation: who speaks, on which channel, and what each reply must
hold. The conversations themselves are in ``conversations.py``."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone

from bot.conversation.formatting import mask_policy_number
from tests.dialogue_suite.checks import (
    ASKS_DOB,
    ASKS_ZIP,
    MISUNDERSTOOD,
    Check,
    Fact,
    lacks,
)
from tests.dialogue_suite.phones import Reply, StackClients
from tests.support.personas import Persona

# A line is what the person types or says, or works it out when it is due (a texted code).
Line = str | Callable[[StackClients], str]

CATEGORIES = (
    "documents",
    "payments",
    "claims",
    "choice_in_words",
    "first_message",
    "corrections",
    "amount_in_words",
    "two_requests",
    "long_messages",
    "interruptions",
    "human_exit",
    "other_holders",
    "possession",
)


@dataclass(frozen=True)
class Step:
    """One line and the check of its reply. ``confused_ok``: the line is meant not to be
    understood, so an "I didn't get that" reply is allowed (nowhere else is it)."""

    say: Line
    check: Check
    confused_ok: bool = False

    def text(self, clients: StackClients) -> str:
        return self.say(clients) if callable(self.say) else self.say


@dataclass(frozen=True)
class Conversation:
    """A scripted conversation; it completes only if every step's check holds."""

    name: str  # the behaviour, as the test id
    category: str
    phone: str  # the sender (SMS) or caller (voice)
    steps: tuple[Step, ...]
    channel: str = "sms"  # or "voice"
    # Facts no reply of this conversation may contain (other holders' data).
    forbidden: tuple[Fact, ...] = ()
    # The number on file that gets this conversation's one-time codes (a stranger's conversation
    # with a policyholder's details): its texts must not land in another conversation's replies.
    codes_to: str | None = None

    @property
    def texts_to(self) -> str:
        """The number whose texts this conversation reads: conversations sharing one run in turn."""
        return self.codes_to or self.phone

    def problems(self, step_index: int, reply: Reply, earlier: Sequence[Reply]) -> list[str]:
        step = self.steps[step_index]
        found = step.check(reply, earlier)
        if not step.confused_ok:
            found += lacks(*MISUNDERSTOOD)(reply, earlier)
        if self.forbidden:
            found += lacks(*self.forbidden)(reply, earlier)
        return found

    def user_lines(self) -> list[str]:
        """The lines written out in the script (not worked out at run time)."""
        return [step.say for step in self.steps if isinstance(step.say, str)]


@dataclass
class Suite:
    """Collects conversations, checking names are unique and categories known."""

    conversations: list[Conversation] = field(default_factory=list)

    def add(
        self,
        category: str,
        name: str,
        phone: str,
        *steps: Step,
        channel: str = "sms",
        forbidden: Sequence[Fact] = (),
        codes_to: str | None = None,
    ) -> None:
        assert category in CATEGORIES, category
        assert all(c.name != name for c in self.conversations), f"duplicate name {name}"
        self.conversations.append(
            Conversation(name, category, phone, tuple(steps), channel, tuple(forbidden), codes_to)
        )


# --- what the personas type ------------------------------------------------------------------


def masked(policy_number: str) -> str:
    return mask_policy_number(policy_number)


DOB_STYLES = ("%m/%d/%Y", "{m}/{d}/%Y", "%m-%d-%Y", "%Y-%m-%d", "{m}/{d}/%y", "%B {d} %Y")


def dob(persona: Persona, style: int = 0) -> str:
    """The persona's date of birth as typed, in one of a few everyday shapes."""
    born = persona.born
    pattern = DOB_STYLES[style % len(DOB_STYLES)].format(m=born.month, d=born.day)
    return born.strftime(pattern)


def dob_keys(persona: Persona) -> str:
    """The date of birth keyed in on the phone: MMDDYYYY then pound."""
    return "#" + persona.born.strftime("%m%d%Y")


def verify(persona: Persona, answer: Check, *, style: int = 0) -> tuple[Step, Step]:
    """Date of birth (asks the ZIP next), then the ZIP, whose reply is checked by ``answer``."""
    return (
        Step(dob(persona, style), ASKS_ZIP & lacks("date of birth")),
        Step(persona.zip, answer & lacks("ZIP code")),
    )


def verify_by_keys(persona: Persona, answer: Check) -> tuple[Step, Step]:
    """The same on a call, keyed in."""
    return (
        Step(dob_keys(persona), ASKS_ZIP),
        Step("#" + persona.zip, answer),
    )


def asks_dob_first() -> Check:
    return ASKS_DOB


def code_for(phone: str, *, keyed: bool = False) -> Line:
    """The newest code texted to ``phone``, read when the line is due."""

    def line(clients: StackClients) -> str:
        code = clients.code_texted_to(phone)
        return "#" + code if keyed else code

    return line


def today() -> date:
    """The sandbox's date (tests/support/servers.start_sandbox seeds it with today, UTC)."""
    return datetime.now(timezone.utc).date()


def loss_day(days_ago: int, fmt: str = "%b {d}") -> str:
    day = today() - timedelta(days=days_ago)
    return day.strftime(fmt.format(d=day.day))


def word(text: str) -> re.Pattern[str]:
    """A whole-word fact (``Chen`` but not ``kitchen``)."""
    return re.compile(rf"\b{re.escape(text)}\b", re.IGNORECASE)
