"""Live delivery of notifications, and the schedule that scans the chain for them.

A notification is stored first (:mod:`api.services.notifications`); once its transaction has
committed (:func:`api.db.after_commit`), :class:`Notifier` publishes a small poke, ``{"type":
"notification", "id": N}``, on its recipient's channel through the same broker as the live
chat (:func:`api.services.chat_broker.make_broker`: Redis pub/sub across API processes, or
in-process). Every stream of that recipient, on any process, then reads what it has not sent
from the database. A poke carries no content, so the broker never holds a notification's text,
a lost or reordered poke loses nothing (the next one, or the stream's periodic check, reads
it), and what a stream sends is rendered by the one function the list uses.

Publishing is fire and forget, on the serving loop (where the Redis connection lives), from
whichever thread committed: a broker outage delays delivery, never a request.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from collections.abc import Callable, Coroutine
from typing import Any

from sqlalchemy import Connection, Engine

from api.db import after_commit, transaction
from api.services import notification_scan
from api.services.chat_broker import Broker, BrokerUnavailable
from api.services.notifications import Created
from api.services.rewards import Rewards
from api.settings import ApiSettings
from planet.core import logs

log = logs.get("api.notifications")


def channel(prefix: str, chain_id: int, token_id: int) -> str:
    """The broker channel of one recipient's streams (never a number after the prefix, so it
    cannot meet a chat channel, ``<prefix>:<chain>:<session>``)."""
    return f"{prefix}:notifications:{chain_id}:{token_id}"


class Notifier:
    """Publishes new notifications to their recipients' streams; runs the scheduled scan."""

    def __init__(
        self,
        broker: Broker,
        engine: Engine,
        settings: ApiSettings,
        rewards: Rewards,
        clock: Callable[[], float],
    ) -> None:
        self.broker = broker
        self.engine = engine
        self.settings = settings
        self.rewards = rewards
        self.clock = clock
        self._loop: asyncio.AbstractEventLoop | None = None
        self._tasks: set[asyncio.Future[Any]] = set()
        self._scanner: asyncio.Task[None] | None = None
        self._scanned: dict[int, float] = {}  # token id -> monotonic time of its last scan
        self._scanned_lock = threading.Lock()

    def channel(self, chain_id: int, token_id: int) -> str:
        return channel(self.settings.redis_channel_prefix, chain_id, token_id)

    # ------------------------------------------------------------------ delivery

    def after_commit(self, conn: Connection, created: list[Created]) -> None:
        """Publishes ``created`` once ``conn``'s transaction has committed."""
        if created:
            after_commit(conn, lambda: self.publish(created))

    def publish(self, created: list[Created]) -> None:
        """Pokes each recipient's channel; from any thread, never blocking on the broker, and
        never raising: it runs after a commit, when the request has already succeeded."""
        if not created:
            return
        try:
            self._submit(self._publish(list(created)))
        except Exception as err:  # the streams' periodic check still reads them
            log.warning("notifications not published", error=type(err).__name__)

    async def _publish(self, created: list[Created]) -> None:
        for item in created:
            event = {"type": "notification", "id": item.id}
            try:
                await self.broker.publish(
                    self.channel(item.chain_id, item.recipient_token_id), event
                )
            except BrokerUnavailable as err:
                log.warning("notification not delivered live", id=item.id, error=str(err))
                return  # the streams' periodic check reads them

    def _submit(self, work: Coroutine[Any, Any, None]) -> None:
        loop = self._loop
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is not None and (loop is None or running is loop):
            task = running.create_task(work)
        elif loop is not None and loop.is_running():
            task = asyncio.run_coroutine_threadsafe(work, loop)  # type: ignore[assignment]
        else:
            # no serving loop (an app used without its lifespan): the in-process broker
            # publishes from anywhere, so deliver right here
            asyncio.run(work)
            return
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    # ------------------------------------------------------------------ scanning

    def scan(self, owner: str | None = None) -> list[Created]:
        """One scan (everyone's, or one wallet's), committed and published; from a thread."""
        now = int(self.clock())
        with transaction(self.engine) as conn:
            created = notification_scan.scan(
                conn, self.settings.chain_id, now, self.rewards, owner=owner
            )
            self.after_commit(conn, created)
        return created

    def scan_for(self, conn: Connection, identity_token: int, owner: str) -> None:
        """One wallet's scan, in the caller's transaction (published once it commits), at
        most once per ``notification_scan_interval`` per identity in this process: a list
        read often would otherwise scan on every read."""
        interval = self.settings.notification_scan_interval
        moment = time.monotonic()
        with self._scanned_lock:
            last = self._scanned.get(identity_token)
            if last is not None and moment - last < interval:
                return
            self._scanned[identity_token] = moment
        now = int(self.clock())
        created = notification_scan.scan(conn, self.settings.chain_id, now, self.rewards, owner)
        self.after_commit(conn, created)

    async def start(self) -> None:
        """Called from the app's lifespan: binds publishing to the serving loop and starts the
        scheduled scan (every ``notification_scan_interval`` seconds; 0: never)."""
        self._loop = asyncio.get_running_loop()
        if self.settings.notification_scan_interval > 0:
            self._scanner = asyncio.create_task(self._scan_forever(), name="planet-notify-scan")

    async def stop(self) -> None:
        if self._scanner is not None:
            self._scanner.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._scanner
            self._scanner = None
        for task in list(self._tasks):
            task.cancel()
        self._loop = None

    async def _scan_forever(self) -> None:
        while True:
            try:
                await asyncio.to_thread(self.scan)
            except Exception as err:  # a database outage: try again at the next tick
                log.warning("notification scan failed", error=type(err).__name__)
            await asyncio.sleep(self.settings.notification_scan_interval)
