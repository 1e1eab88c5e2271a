"""Chat fan-out: every socket subscribed to a live session's channel, on any API process,
receives what is published to that channel.

Two brokers behind one small interface, chosen by ``PLANET_API_REDIS_URL``:

* :class:`InProcessBroker` (unset): channels live in this process only. Enough for one process;
  behind several workers a message reaches only the sockets of the worker that stored it.
* :class:`RedisBroker`: Redis pub/sub, channel ``<prefix>:<chain_id>:<session_id>`` (prefix
  ``planet:live`` by default). One pub/sub connection and one reader task per process; the
  process subscribes to a channel while at least one of its sockets listens to it, and the
  reader hands each message to those sockets. A publisher hears its own messages back through
  Redis, so every socket gets every message by the same path.

Publishing is fire and forget: messages are stored before they are published, so a broker
outage (:class:`BrokerUnavailable`) loses the live delivery, never the message. A socket that
cannot keep up (its queue is full) gets :data:`OVERFLOW` instead of silently missing messages.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import threading
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any, Protocol

import anyio
import redis.asyncio as aioredis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import RedisError

from api.settings import ApiSettings
from planet.core import logs
from planet.core.errors import PlanetError

log = logs.get("api.chat")

Event = dict[str, Any]
OVERFLOW: Event = {"type": "overflow"}
QUEUE_SIZE = 256
DEFAULT_PREFIX = "planet:live"


class BrokerUnavailable(PlanetError):
    """The broker cannot publish or subscribe right now (e.g. Redis is down)."""


def channel_name(prefix: str, chain_id: int, session_id: int) -> str:
    return f"{prefix}:{chain_id}:{session_id}"


class Subscription:
    """One socket's inbox for one channel. Bound to the event loop that created it; events
    posted from any thread or loop are handed over on that loop."""

    def __init__(self, channel: str, size: int = QUEUE_SIZE) -> None:
        self.channel = channel
        self.loop = asyncio.get_running_loop()
        self._queue: asyncio.Queue[Event] = asyncio.Queue(size)
        self.overflowed = False

    def post(self, event: Event) -> None:
        """Delivers ``event``; safe from any thread."""
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is self.loop:
            self._put(event)
            return
        with contextlib.suppress(RuntimeError):  # the socket's loop has closed: it is gone
            self.loop.call_soon_threadsafe(self._put, event)

    def _put(self, event: Event) -> None:
        if self.overflowed:
            return
        try:
            self._queue.put_nowait(event)
        except asyncio.QueueFull:
            self.overflowed = True
            while not self._queue.empty():
                self._queue.get_nowait()
            self._queue.put_nowait(OVERFLOW)

    async def get(self) -> Event:
        return await self._queue.get()


class Broker(Protocol):
    async def start(self) -> None:
        """Called once from the app's lifespan, on the loop that serves requests."""
        ...

    async def stop(self) -> None: ...

    async def publish(self, channel: str, event: Event) -> None:
        """Sends ``event`` (JSON-serialisable) to every subscriber of ``channel`` on every
        process; :class:`BrokerUnavailable` if it could not be sent."""
        ...

    def subscribe(self, channel: str) -> AbstractAsyncContextManager[Subscription]:
        """A subscription that receives every event published after it is entered."""
        ...


class InProcessBroker:
    """Channels in this process's memory; publish works from any thread or event loop."""

    def __init__(self, queue_size: int = QUEUE_SIZE) -> None:
        self._queue_size = queue_size
        self._lock = threading.Lock()
        self._channels: dict[str, set[Subscription]] = {}

    async def start(self) -> None:
        return None

    async def stop(self) -> None:
        return None

    async def publish(self, channel: str, event: Event) -> None:
        # The same JSON round trip as through Redis, so both brokers deliver the same thing.
        decoded = json.loads(json.dumps(event))
        with self._lock:
            subscribers = list(self._channels.get(channel, ()))
        for sub in subscribers:
            sub.post(decoded)

    @asynccontextmanager
    async def subscribe(self, channel: str) -> AsyncIterator[Subscription]:
        sub = Subscription(channel, self._queue_size)
        with self._lock:
            self._channels.setdefault(channel, set()).add(sub)
        try:
            yield sub
        finally:
            with self._lock:
                subs = self._channels.get(channel)
                if subs is not None:
                    subs.discard(sub)
                    if not subs:
                        del self._channels[channel]


class RedisBroker:
    """Redis pub/sub across processes: one pub/sub connection and one reader task here."""

    def __init__(
        self, url: str, queue_size: int = QUEUE_SIZE, timeout: float = 3.0, retries: int = 1
    ) -> None:
        self.url = url
        self._queue_size = queue_size
        self._timeout = timeout
        self._retries = retries
        self._redis: aioredis.Redis | None = None
        self._pubsub: Any = None
        self._reader: asyncio.Task[None] | None = None
        self._lock: asyncio.Lock | None = None
        self._local: dict[str, set[Subscription]] = {}
        self._confirmed: dict[str, asyncio.Event] = {}
        self._connected = asyncio.Event()

    async def start(self) -> None:
        self._redis = aioredis.Redis.from_url(
            self.url,
            decode_responses=True,
            socket_connect_timeout=self._timeout,
            socket_timeout=self._timeout,
            retry=Retry(NoBackoff(), self._retries),
        )
        self._pubsub = self._redis.pubsub()
        self._lock = asyncio.Lock()
        self._connected = asyncio.Event()
        self._reader = asyncio.create_task(self._read(), name="planet-chat-redis-reader")

    async def stop(self) -> None:
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._reader
            self._reader = None
        for closing in (self._pubsub, self._redis):
            if closing is not None:
                with contextlib.suppress(RedisError, OSError):
                    await closing.aclose()
        self._pubsub = self._redis = None

    async def publish(self, channel: str, event: Event) -> None:
        if self._redis is None:
            raise BrokerUnavailable("the chat broker is not running")
        try:
            await self._redis.publish(channel, json.dumps(event))
        except (RedisError, OSError) as err:
            log.warning("chat publish failed", channel=channel, error=str(err))
            raise BrokerUnavailable("live chat is unavailable (Redis unreachable)") from None

    @asynccontextmanager
    async def subscribe(self, channel: str) -> AsyncIterator[Subscription]:
        if self._pubsub is None or self._lock is None:
            raise BrokerUnavailable("the chat broker is not running")
        sub = Subscription(channel, self._queue_size)
        async with self._lock:
            subs = self._local.setdefault(channel, set())
            subs.add(sub)
            if len(subs) == 1:
                try:
                    await self._join(channel)
                except BaseException:
                    del self._local[channel]
                    raise
        try:
            yield sub
        finally:
            # Shielded: a socket cancelled mid-cleanup must not leave the process subscribed.
            with anyio.CancelScope(shield=True):
                async with self._lock:
                    subs = self._local.get(channel, set())
                    subs.discard(sub)
                    if not subs:
                        self._local.pop(channel, None)
                        with contextlib.suppress(RedisError, OSError, TimeoutError):
                            await asyncio.wait_for(self._pubsub.unsubscribe(channel), self._timeout)

    async def _join(self, channel: str) -> None:
        """Subscribes this process to ``channel`` and waits until Redis confirms it, so a
        message published after the socket is told it is ready is never missed."""
        confirmed = self._confirmed[channel] = asyncio.Event()
        try:
            await asyncio.wait_for(self._pubsub.subscribe(channel), self._timeout)
            self._connected.set()
            await asyncio.wait_for(confirmed.wait(), self._timeout)
        except (TimeoutError, RedisError, OSError) as err:
            log.warning("chat subscribe failed", channel=channel, error=str(err) or "timeout")
            with contextlib.suppress(RedisError, OSError, TimeoutError):
                await asyncio.wait_for(self._pubsub.unsubscribe(channel), self._timeout)
            raise BrokerUnavailable("live chat is unavailable (Redis unreachable)") from None
        finally:
            self._confirmed.pop(channel, None)

    async def _read(self) -> None:
        """The process's one reader: hands each message to this process's subscribers; on a
        lost connection retries with backoff (redis-py resubscribes on reconnect)."""
        delay = 0.1
        while True:
            await self._connected.wait()  # the pub/sub has no connection before a subscribe
            try:
                message = await self._pubsub.get_message(timeout=1.0)
            except (RedisError, OSError) as err:
                log.warning("chat reader lost Redis; retrying", error=str(err), delay=delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 5.0)
                continue
            delay = 0.1
            if message is not None:
                self._dispatch(message)

    def _dispatch(self, message: dict[str, Any]) -> None:
        channel = message.get("channel")
        if not isinstance(channel, str):
            return
        if message["type"] == "subscribe":
            waiter = self._confirmed.get(channel)
            if waiter is not None:
                waiter.set()
        elif message["type"] == "message":
            try:
                event = json.loads(message["data"])
            except (TypeError, ValueError):
                log.warning("chat message is not JSON; dropped", channel=channel)
                return
            for sub in list(self._local.get(channel, ())):
                sub.post(event)


def make_broker(settings: ApiSettings) -> Broker:
    if settings.redis_url:
        return RedisBroker(settings.redis_url)
    return InProcessBroker()
