"""An outbox watcher that also sees replies committed out of id order.

``bench.channel_clients.OutboxWatcher`` reads rows above the highest id it has seen. With two Rasa
servers writing to one PostgreSQL outbox, ids are taken at insert but rows become visible at
commit: server A's row 100 can commit after server B's row 101 was read, and a reader that moved
on to 101 never sees 100. The reply was sent; the client would call it lost (seen once in
tests/scale under load). This watcher remembers the ids it skipped and reads them again until
they appear (an id whose transaction rolled back never does: it is dropped after a minute).
"""

from __future__ import annotations

import asyncio
import time

from sqlalchemy import or_, select
from sqlalchemy.engine import Engine

from bench.channel_clients import OutboxWatcher
from bot.notifications.outbox import sms_outbox

GAP_TTL_S = 60.0


class GaplessOutboxWatcher(OutboxWatcher):
    def __init__(self, engine: Engine, interval_s: float = 0.02) -> None:
        super().__init__(engine, interval_s)
        self._gaps: dict[int, float] = {}  # id skipped -> when first skipped

    def _read(self) -> list[tuple[int, str, str, float]]:
        query = select(sms_outbox.c.id, sms_outbox.c.to_number, sms_outbox.c.body,
                       sms_outbox.c.created_at)  # fmt: skip
        wanted = sms_outbox.c.id > self._last_id
        if self._gaps:
            wanted = or_(wanted, sms_outbox.c.id.in_(list(self._gaps)))
        with self._engine.connect() as conn:
            rows = conn.execute(query.where(wanted).order_by(sms_outbox.c.id)).all()
        return [
            (int(r.id), r.to_number, r.body,
             r.created_at.timestamp() if r.created_at.tzinfo else time.time())
            for r in rows
        ]  # fmt: skip

    async def _poll(self) -> None:
        while True:
            rows = await asyncio.to_thread(self._read)
            now = time.monotonic()
            if rows:
                for row_id, to, body, stamp in rows:
                    self._gaps.pop(row_id, None)
                    self._by_number[to].append((stamp, body))
                newest = max(r[0] for r in rows)
                if newest > self._last_id:
                    seen = {r[0] for r in rows}
                    for skipped in range(self._last_id + 1, newest):
                        if skipped not in seen:
                            self._gaps[skipped] = now
                    self._last_id = newest
                async with self._changed:
                    self._changed.notify_all()
            for gap, since in list(self._gaps.items()):
                if now - since > GAP_TTL_S:
                    del self._gaps[gap]
            await asyncio.sleep(self._interval)
