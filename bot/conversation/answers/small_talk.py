"""Greeting, goodbye and "are you a bot?": the carrier's name comes from settings (CARRIER_NAME)."""

from __future__ import annotations


def greeting(carrier_name: str) -> str:
    return (
        f"Hi, this is Policyline for {carrier_name}. I can send your ID card, check your balance, "
        "take a payment or look up a claim. What do you need?"
    )


def goodbye(carrier_name: str) -> str:
    return f"Thanks for contacting {carrier_name}. Text us any time."


def bot_challenge(carrier_name: str) -> str:
    return f"I'm Policyline, a bot for {carrier_name}. Reply AGENT any time to reach a person."


# The first reply on every channel says who answers and how to reach a person (issue 16): the
# wording of the first sentence is the deployment's (AI_DISCLOSURE, bot.settings), the way to a
# person is the channel's.
AUTOMATED = "This is {carrier}'s automated assistant, not a person."
REACH_A_PERSON = {
    "sms": "Reply AGENT any time to reach a person.",
    "webchat": 'Type "agent" any time to reach a person.',
    "voice": "Say agent or press 0 any time to reach a person.",
}
RECORDING_NOTICE = "This call is recorded and transcribed for quality and training."


def ai_disclosure(carrier_name: str, channel: str, *, wording: str | None = None) -> str:
    """The first reply's disclosure on ``channel`` (sms, webchat or voice): ``wording`` (or the
    default) with ``{carrier}`` filled in, then how to reach a person there."""
    automated = (wording or AUTOMATED).replace("{carrier}", carrier_name)
    return f"{automated} {REACH_A_PERSON[channel]}"


def call_opening(
    carrier_name: str,
    *,
    wording: str | None = None,
    recorded: bool = False,
    recording_notice: str | None = None,
) -> str:
    """A call's first words: thanks, the recording notice when calls are recorded, and the
    disclosure."""
    parts = [f"Thanks for calling {carrier_name}."]
    if recorded:
        parts.append(recording_notice or RECORDING_NOTICE)
    parts.append(ai_disclosure(carrier_name, "voice", wording=wording))
    return " ".join(parts)
