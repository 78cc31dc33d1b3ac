"""Channel latency: what the Twilio channels add, and how fast Twilio gets its answer.

Runs the real SMS and voice channels in-process (Sanic over ASGI, no network, SQLite app
database in a temp folder, in-memory store) with a stand-in bot, and measures:

- ``sms_ack``: time until the SMS webhook answers Twilio, while each turn takes ``--bot-s``
  seconds (PAS work): the acknowledgement must not wait for the turn;
- ``sms_answered``: time until every one of those turns has sent its reply (turns overlap);
- ``voice_turn``: a voice ``<Gather>`` result to TwiML with an instant bot (signature check,
  replay claim, rewriting for the ear, TwiML, state stored): the channel's own overhead;
- ``voice_hold``: a turn slower than the deadline: time to the "one moment" answer, then time
  until the poll collects the real answer;
- ``signature_check``: one ``RequestValidator`` check of a typical form.

Prints JSON and a one-line summary and writes ``bench/results/channel_latency.json``.

    .venv/bin/python -m bench.channel_latency [--requests 200] [--bot-s 2.0]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import tempfile
import time
import timeit
import uuid
from pathlib import Path
from typing import Any

import httpx
from multidict import MultiDict
from rasa.core.channels.channel import UserMessage, register
from sanic import Sanic

from bot.notifications.outbox import read_outbox
from bot.settings import TwilioSettings
from bot.twilio_signatures import twilio_signature_valid
from channels.config import ChannelSettings, VoiceSettings
from channels.rasa_turns import ConversationFacts
from channels.resources import ChannelResources
from channels.twilio_requests import (
    new_call_sid,
    signed_form_request,
    sms_webhook_params,
    twilio_signature,
    voice_webhook_params,
)
from channels.twilio_sms import TwilioSmsInput
from channels.twilio_voice import TwilioVoiceInput

PROJECT_ROOT = Path(__file__).resolve().parent.parent
RESULTS = PROJECT_ROOT / "bench" / "results" / "channel_latency.json"
TOKEN = "bench-twilio-auth-token"
BASE = "http://rasa-internal:5005"
SMS = "/webhooks/twilio_sms/webhook"
VOICE = "/webhooks/twilio_voice/webhook"


class Bot:
    """Stands in for the Rasa agent: waits ``delay_s``, then answers like a balance turn."""

    def __init__(self) -> None:
        self.delay_s = 0.0

    async def handle_message(self, message: UserMessage) -> None:
        if self.delay_s:
            await asyncio.sleep(self.delay_s)
        await message.output_channel.send_response(
            message.sender_id,
            {"text": "Your balance is $412.50, due Dec 5, 2026. Pay at https://x.example/p/1"},
        )


def _ms(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]
    return {
        "n": len(values),
        "p50_ms": round(statistics.median(ordered) * 1000, 2),
        "p95_ms": round(p95 * 1000, 2),
        "max_ms": round(ordered[-1] * 1000, 2),
    }


async def _post(client: httpx.AsyncClient, path: str, params: list[tuple[str, str]]) -> float:
    request = signed_form_request(TOKEN, BASE + path, params)
    started = time.perf_counter()
    response = await client.post(path, content=request.body, headers=request.headers)
    elapsed = time.perf_counter() - started
    if response.status_code != 200:
        raise RuntimeError(f"{path} answered {response.status_code}: {response.text[:200]}")
    return elapsed


async def run(requests: int, bot_s: float, workdir: Path) -> dict[str, Any]:
    settings = ChannelSettings(
        env="test",
        twilio=TwilioSettings(auth_token=TOKEN),
        voice=VoiceSettings(turn_deadline_s=0.5),
        database_url=f"sqlite:///{workdir / 'app.sqlite'}",
        identifier_key="bench-key",
    )
    resources = ChannelResources.build(settings)
    sms = TwilioSmsInput(settings, resources)

    async def facts(_: str) -> ConversationFacts:
        return ConversationFacts()

    voice = TwilioVoiceInput(settings, resources, conversation_reader=facts)
    Sanic.test_mode = True
    app = Sanic(f"bench_{uuid.uuid4().hex[:8]}")
    bot = Bot()
    app.ctx.agent = bot
    register([sms, voice], app, route="/webhooks/")
    await app._startup()
    transport = httpx.ASGITransport(app=app)
    results: dict[str, Any] = {"requests": requests, "bot_s": bot_s}
    async with httpx.AsyncClient(transport=transport, base_url=BASE) as client:
        bot.delay_s = bot_s
        started = time.perf_counter()
        acks = []
        for i in range(requests):
            number = f"+1512555{i % 10000:04d}"
            acks.append(
                await _post(client, SMS, sms_webhook_params(from_number=number, body="balance"))
            )
        await sms.drain()
        results["sms_ack"] = _ms(acks)
        results["sms_answered_s"] = round(time.perf_counter() - started, 2)
        results["sms_replies_sent"] = len(read_outbox(resources.engine, limit=requests * 2))

        bot.delay_s = 0.0
        turns = []
        for _ in range(requests):
            call = new_call_sid()
            params = voice_webhook_params(
                call_sid=call, from_number="+15125550101", speech="what's my balance"
            )
            turns.append(await _post(client, f"{VOICE}?seq=1", params))
        results["voice_turn"] = _ms(turns)

        bot.delay_s = 0.8  # longer than the 0.5 s deadline used here
        call = new_call_sid()
        params = voice_webhook_params(call_sid=call, from_number="+15125550101", speech="balance")
        hold = await _post(client, f"{VOICE}?seq=1", params)
        poll_params = voice_webhook_params(call_sid=call, from_number="+15125550101")
        collect = await _post(client, f"{VOICE}?seq=1&poll=1", poll_params)
        results["voice_hold"] = {
            "deadline_s": settings.voice.turn_deadline_s,
            "bot_s": bot.delay_s,
            "hold_answer_ms": round(hold * 1000, 1),
            "poll_collects_ms": round(collect * 1000, 1),
        }
        if voice.calls is not None:
            await voice.calls.drain()

    form = MultiDict(sms_webhook_params(from_number="+15125550101", body="what is my balance"))
    signature = twilio_signature(TOKEN, BASE + SMS, list(form.items()))
    runs = 2000
    seconds = timeit.timeit(
        lambda: twilio_signature_valid(TOKEN, BASE + SMS, form, signature), number=runs
    )
    results["signature_check_us"] = round(seconds / runs * 1e6, 1)
    resources.engine.dispose()
    return results


def measure(requests: int = 200, bot_s: float = 2.0) -> dict[str, Any]:
    """The channel figures, in a temporary folder."""
    with tempfile.TemporaryDirectory() as tmp:
        return asyncio.run(run(requests, bot_s, Path(tmp)))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--bot-s", type=float, default=2.0)
    args = parser.parse_args()
    results = measure(args.requests, args.bot_s)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2))
    print(json.dumps(results, indent=2))
    print(
        f"sms ack p95 {results['sms_ack']['p95_ms']} ms with {args.bot_s} s turns; "
        f"voice turn p95 {results['voice_turn']['p95_ms']} ms (instant bot); "
        f"signature check {results['signature_check_us']} µs"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
