"""Payloads we receive from Rasa and the channels but do not own, typed for readers and mypy."""

from __future__ import annotations

from typing import Literal, TypedDict


class MessageMetadata(TypedDict, total=False):
    """Metadata our channels attach to each user message (docs/dialogue-contract.md)."""

    # which channel the message came in on
    channel: Literal["sms", "voice", "webchat", "rest"]
    # SMS sender or voice caller ID in E.164; finds a policyholder, never verifies one
    phone: str | None
    # signed hand-over token from a signed-in web session (bot.conversation.web_handover)
    web_token: str | None


class Button(TypedDict):
    """A quick-reply button: what the user sees and the message it sends."""

    title: str
    payload: str
