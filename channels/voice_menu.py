"""The IVR's main keypad menu: every self-service journey has a key, 0 is a person.

A single key pressed while the bot offers no choices of its own picks from this menu; the key
becomes the journey's intent as a Rasa payload (``/request_id_card``), so it does not depend on
how the NLU understands speech. Intent names are the contract's (docs/architecture.md).
"""

from __future__ import annotations

from bot.conversation.tasks import TASKS
from channels.menu_choices import MenuOption

# From the task registry: every task with a voice key, in key order, 0 (a person) last.
MAIN_MENU: tuple[MenuOption, ...] = tuple(
    MenuOption(task.voice_key, task.voice_title or task.words, f"/{task.intent}")
    for task in sorted(
        (t for t in TASKS if t.voice_key is not None),
        key=lambda t: (t.voice_key == "0", t.voice_key or ""),
    )
    if task.voice_key is not None
)


def main_menu_prompt() -> str:
    """ "You can say what you need, or press 1 for ID cards, ... or 0 for a person." """
    phrases = [f"{o.key} for {o.title}" for o in MAIN_MENU]
    return "You can say what you need, or press " + ", ".join(phrases[:-1]) + f", or {phrases[-1]}."


# Words that help Twilio's recogniser with our vocabulary (<Gather hints>).
SPEECH_HINTS = (
    "ID card, insurance card, proof of insurance, declarations page, certificate of insurance, "
    "balance, bill, payment, pay my bill, autopay, claim, claim status, report a claim, accident, "
    "policy number, date of birth, zip code, representative, agent, person, yes, no"
)
