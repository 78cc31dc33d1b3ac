"""What both simulators share: posting signed webhooks to a local server, and watching the outbox.

The request goes to the Rasa server (``--rasa-url``), but is signed for the URL Twilio would call:
``PUBLIC_WEBHOOK_BASE_URL`` when the server is configured with one, else the server's own URL.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

import httpx
from sqlalchemy.engine import Engine

from bot.notifications.outbox import OutboxMessage, latest_outbox_id, mark_delivered, read_outbox
from channels.twilio_requests import signed_form_request

# The voice webhook may hold a turn for its deadline (8 s) plus the hold message.
HTTP_TIMEOUT_S = 30.0


@dataclass
class LocalWebhook:
    """Signs and posts Twilio-style form requests to a local Rasa server."""

    client: httpx.Client
    server_url: str  # where requests are sent, e.g. http://127.0.0.1:5005
    auth_token: str
    public_base_url: str | None = None  # what Twilio would call, if the server has one

    @property
    def signing_base(self) -> str:
        return (self.public_base_url or self.server_url).rstrip("/")

    def signed_url(self, target: str) -> str:
        """The public URL of ``target`` (a path, or an absolute URL from TwiML)."""
        if target.startswith("/"):
            # Paths are under the public base, path prefix included.
            return self.signing_base + target
        return urljoin(self.signing_base + "/", target)

    def sent_url(self, signed_url: str) -> str:
        """Where to actually send a request Twilio would send to ``signed_url``."""
        parts = urlsplit(signed_url)
        base = urlsplit(self.signing_base)
        path = parts.path
        if base.path and path.startswith(base.path):
            path = path[len(base.path) :]
        return self.server_url.rstrip("/") + path + (f"?{parts.query}" if parts.query else "")

    def post(self, target: str, params: Sequence[tuple[str, str]]) -> httpx.Response:
        """POST ``params`` to ``target`` with Twilio's signature for it."""
        signed = self.signed_url(target)
        request = signed_form_request(self.auth_token, signed, params)
        return self.client.post(
            self.sent_url(signed), content=request.body, headers=request.headers
        )


@dataclass
class OutboxWatcher:
    """New outbox messages for one number, each returned once (and marked delivered)."""

    engine: Engine
    number: str
    last_id: int = field(default=0)

    def start_now(self) -> None:
        """Ignore what was in the outbox before the simulator started."""
        self.last_id = latest_outbox_id(self.engine)

    def new_messages(self) -> list[OutboxMessage]:
        messages = read_outbox(self.engine, to=self.number, after_id=self.last_id)
        if messages:
            self.last_id = messages[-1].id
            mark_delivered(self.engine, [m.id for m in messages])
        return messages


def format_text(message: OutboxMessage) -> str:
    """How a received text is printed."""
    media = f"  [MMS: {message.media_url}]" if message.media_url else ""
    return f"📱 {message.body}{media}"
