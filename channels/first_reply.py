"""The AI disclosure of a text conversation's first reply (issue 16, item 5).

The first reply on every channel says plainly that an automated assistant answers and how to
reach a person (wording: ``small_talk.ai_disclosure``, per deployment through ``AI_DISCLOSURE``).
A call says it in its first words (``voice_calls``); the web chat with a new conversation's
``session_confirm`` (``web_chat``). A text conversation has no start, so an SMS conversation is
"new" when the number got no reply for ``DISCLOSURE_IDLE_S``: the first reply after that carries
the disclosure, the replies after it do not. Remembered in the ephemeral store under the
conversation id (a keyed digest, never the number); when the store cannot be read, the reply
discloses again rather than risk never saying it.
"""

from __future__ import annotations

import logging

from channels.ephemeral_store import EphemeralStore

log = logging.getLogger("channels.first_reply")

# A number that got no reply for a day starts a new conversation as far as the disclosure goes.
DISCLOSURE_IDLE_S = 24 * 3600


class FirstReplyDisclosure:
    """Gives the disclosure for a conversation's first reply, and nothing for the next ones."""

    def __init__(
        self,
        text: str,
        store: EphemeralStore,
        namespace: str,
        *,
        idle_s: float = DISCLOSURE_IDLE_S,
    ) -> None:
        self.text = text
        self._store = store
        self._namespace = namespace
        self._idle_s = idle_s

    def _key(self, conversation_id: str) -> str:
        return f"{self._namespace}:disclosed:{conversation_id}"

    async def for_reply(self, conversation_id: str) -> str | None:
        """The disclosure if this reply is the conversation's first, else None (and the
        conversation stays "not new" for another ``idle_s``)."""
        key = self._key(conversation_id)
        try:
            disclosed = await self._store.get(key)
            await self._store.put(key, "1", self._idle_s)
        except Exception as exc:
            log.warning("disclosure memory unavailable (%s): disclosing", type(exc).__name__)
            return self.text
        return None if disclosed else self.text


def with_disclosure(disclosure: str, body: str) -> str:
    """A first reply's text: the disclosure, then the answer as its own paragraph."""
    return f"{disclosure}\n\n{body}" if body else disclosure
