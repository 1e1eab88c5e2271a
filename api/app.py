"""``create_app``: the FastAPI application, built from one :class:`ApiSettings`."""

from __future__ import annotations

import gc
import re
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from urllib.parse import urlsplit

from fastapi import Depends, FastAPI

# uvicorn's, used only for the addresses PLANET_API_TRUSTED_PROXIES lists (never by default)
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from api import docs, errors, redact, web
from api.deps import limit_ip
from api.exchanges import Exchange, exchange_from_settings
from api.middleware import RequestLimits, SecurityHeaders
from api.query import refuse_unknown_query
from api.routes import (
    analytics,
    attestations,
    auth,
    chain,
    chat,
    comments,
    communities,
    dashboard,
    distributions,
    follows,
    health,
    live,
    moderation,
    notifications,
    orders,
    passes,
    posts,
    profiles,
    rewards,
    search,
    trading_record,
)
from api.services.access import AccessPolicy, PassAccess
from api.services.blocktime import BlockTimes
from api.services.chain import ChainContext
from api.services.chat import DeliveryGate
from api.services.chat_broker import make_broker
from api.services.currencies import Currencies
from api.services.deployment import Deployment
from api.services.notifier import Notifier
from api.services.ratelimit import ConcurrencyCap, FloodGuard, token_bucket
from api.services.rewards import Rewards
from api.settings import ApiSettings
from planet.store import make_engine


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Runs the live chat broker on the serving loop (Redis needs its reader task there), and
    the notifier (publishing on that loop; the scheduled notification scan). Without a
    lifespan (a TestClient used outside ``with``) the in-process broker still works.

    Then everything built at start-up (modules, routes, models, the engine), which lives as
    long as the process, is moved out of the garbage collector's sight (``gc.freeze``): a full
    collection then scans only what requests left behind, instead of the whole heap, which
    under load paused every request in flight for 50-100 ms a few times a minute."""
    await app.state.broker.start()
    await app.state.notifier.start()
    gc.collect()
    gc.freeze()
    try:
        yield
    finally:
        await app.state.notifier.stop()
        await app.state.broker.stop()


def create_app(
    settings: ApiSettings | None = None,
    clock: Callable[[], float] = time.time,
    access: AccessPolicy | None = None,
    exchange: Exchange | None = None,
) -> FastAPI:
    """The app for ``settings`` (default: from ``PLANET_API_*``). ``clock`` returns Unix
    seconds; tests pass the chain's clock so epochs, deadlines and pass expiries match the
    chain. ``access`` decides who reads private posts (default: the mirrored pass tables);
    ``exchange`` is where orders from posts go (default: ``PLANET_API_EXCHANGE``)."""
    settings = settings or ApiSettings()  # type: ignore[call-arg]
    app = FastAPI(
        title="Planet API",
        version="0.1.0",
        description="The deployment (`GET /chain`: contracts, ABIs, RPC, explorer, epochs), "
        "community passes with their terms in human units, Sign-In with Ethereum, profiles, "
        "posts (public, or private to holders of "
        "the author's community passes), live sessions with WebSocket chat, orders placed "
        "from posts through an exchange, contribution attestations and weekly rewards "
        "(leaderboard, allocations with Merkle proofs, what an address can claim), "
        "joined with the chain state the Planet indexer mirrors. Every error is "
        '`{"error": {"code", "message"}}`.\n\n'
        "Live chat is a WebSocket at `/live/{session_id}/chat` (OpenAPI does not list "
        "WebSockets): open it with `?ticket=` from `POST /live/{session_id}/chat/ticket` "
        "(single use, 30 s, bound to the session and your wallet) or an `Authorization: "
        "Bearer` header, never a session token in the URL (closed with 4401 `token_in_url`). "
        "Access and the token are checked again before every delivery (4401 / 4403 close the "
        "socket), and every socket closes (1000) when its session ends.",
        dependencies=[Depends(limit_ip), Depends(refuse_unknown_query)],
        responses=errors.responses(429),
        lifespan=lifespan,
        docs_url=None,  # served by api.docs from this origin, not from a CDN
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.engine = make_engine(settings.database_url)
    app.state.chain = ChainContext.from_settings(settings)
    app.state.deployment = Deployment.from_settings(settings)
    app.state.currencies = Currencies(app.state.deployment.network, settings.chain_rpc_url)
    app.state.clock = clock
    app.state.access = access or PassAccess()
    app.state.exchange = exchange or exchange_from_settings(settings)
    app.state.rewards = Rewards.from_settings(settings)
    app.state.block_times = BlockTimes(settings.chain_rpc_url)
    limits = f"{settings.redis_channel_prefix}:ratelimit:{settings.chain_id}"
    app.state.ip_limiter = token_bucket(
        settings.redis_url, f"{limits}:ip", settings.rate_limit_ip, settings.rate_limit_burst
    )
    app.state.identity_limiter = token_bucket(
        settings.redis_url,
        f"{limits}:wallet",
        settings.rate_limit_identity,
        settings.rate_limit_burst,
    )
    app.state.broker = make_broker(settings)
    app.state.notifier = Notifier(
        app.state.broker, app.state.engine, settings, app.state.rewards, clock
    )
    app.state.notification_streams = ConcurrencyCap(settings.notification_streams_per_ip)
    app.state.chat_gate = DeliveryGate(app.state.engine, settings, app.state.access)
    app.state.chat_sockets = ConcurrencyCap(settings.chat_sockets_per_ip)
    app.state.chat_flood = FloodGuard(settings.chat_flood_frames, settings.chat_flood_window)
    redact.install()
    errors.install(app)
    docs.install(app)
    _install_middleware(app, settings)
    routers = (
        *(auth, chain, profiles, follows, dashboard, passes, posts, comments, communities),
        *(live, chat, moderation),
    )
    modules = (analytics, search, notifications, attestations, trading_record, orders, rewards)
    for module in (*routers, *modules, distributions, health):
        app.include_router(module.router)

    web.install(app, settings.web_dir or web.BUILT)
    return app


def _install_middleware(app: FastAPI, settings: ApiSettings) -> None:
    """Outermost first: security headers on every answer; the client's address from
    ``X-Forwarded-For`` only when the peer is a listed proxy (before the per-IP rate limit
    reads it); body size, time and JSON depth checked before any route parses a body."""
    app.add_middleware(
        RequestLimits,
        max_body_bytes=settings.max_body_bytes,
        max_json_depth=settings.max_json_depth,
        body_timeout=settings.body_timeout,
    )
    if settings.trusted_proxies:
        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=list(settings.trusted_proxies))
    # The web app's wallet talks to the chain at the RPC URL GET /chain hands out.
    app.add_middleware(SecurityHeaders, connect_sources=_origins(settings.chain_rpc_url))


def _origins(*urls: str | None) -> list[str]:
    """The origins of ``urls`` (scheme://host[:port]), for the CSP's connect-src; one that
    could not be a source expression (a ';' or a space would end the directive) is left out."""
    out = []
    for url in urls:
        parts = urlsplit(url or "")
        origin = f"{parts.scheme}://{parts.netloc}"
        if _ORIGIN.fullmatch(origin):
            out.append(origin)
    return out


_ORIGIN = re.compile(r"(?:https?|wss?)://[A-Za-z0-9.\-\[\]:]+")
