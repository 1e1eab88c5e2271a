"""FastAPI dependencies: settings, the request's database transaction, the clock, rate
limits, the signed-in wallet and its identity, and the post a path names.

Those that only read app state are ``async def``: FastAPI runs a plain ``def`` dependency in
its thread pool, and a thread hop per dependency per request costs more than the work itself.
Those that touch the database stay ``def`` (blocking calls), the session check among them: a
token is good only while its session row is open."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.requests import HTTPConnection
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import Connection, RowMapping

from api.db import connection
from api.errors import NotAuthenticated
from api.params import PostId, SessionId
from api.services import auth, live, posts, tokens
from api.services.access import AccessPolicy
from api.services.chain import ChainContext
from api.services.currencies import Currencies
from api.services.deployment import Deployment
from api.services.identities import Identity
from api.services.notifier import Notifier
from api.settings import ApiSettings

_bearer = HTTPBearer(auto_error=False, description="Session token from POST /auth/verify")


async def get_settings(request: Request) -> ApiSettings:
    return request.app.state.settings


async def get_chain(request: Request) -> ChainContext:
    return request.app.state.chain


async def get_deployment(request: Request) -> Deployment:
    return request.app.state.deployment


async def get_currencies(request: Request) -> Currencies:
    return request.app.state.currencies


async def get_access(request: Request) -> AccessPolicy:
    return request.app.state.access


async def get_notifier(request: Request) -> Notifier:
    return request.app.state.notifier


async def now(request: Request) -> int:
    """The current Unix time in whole seconds (the app's clock, replaceable in tests)."""
    return int(request.app.state.clock())


Settings = Annotated[ApiSettings, Depends(get_settings)]
Chain = Annotated[ChainContext, Depends(get_chain)]
# scope="function": the transaction commits when the route returns, before its answer is sent.
# The default ("request") would commit after the answer left, so a client acting on it at once
# (verify the nonce just issued, start the session just created) could find nothing.
Conn = Annotated[Connection, Depends(connection, scope="function")]
Now = Annotated[int, Depends(now)]
Access = Annotated[AccessPolicy, Depends(get_access)]
DeploymentDep = Annotated[Deployment, Depends(get_deployment)]
CurrenciesDep = Annotated[Currencies, Depends(get_currencies)]
NotifierDep = Annotated[Notifier, Depends(get_notifier)]


async def limit_ip(connection: HTTPConnection) -> None:
    """Every request (and WebSocket handshake) takes a token from its client IP's bucket."""
    host = connection.client.host if connection.client else "unknown"
    connection.app.state.ip_limiter.take(f"ip:{host}")


def current_user(
    request: Request,
    settings: Settings,
    moment: Now,
    conn: Conn,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> tokens.Session:
    """The signed-in wallet (401 without a valid token or with a signed-out one); takes from
    its rate-limit bucket. A ``def``: whether the session is open is the database's answer,
    read in the request's own transaction."""
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise NotAuthenticated("sign in: send 'Authorization: Bearer <token>'")
    return signed_in(request, conn, settings, credentials.credentials, moment)


def signed_in(
    request: Request, conn: Connection, settings: ApiSettings, token: str | None, moment: int
) -> tokens.Session:
    """The wallet ``token`` signs in (401 without one, or with a bad or signed-out one), taken
    from its rate-limit bucket. For ``async`` routes that read in one :func:`api.db.in_transaction`
    (with :func:`bearer_token`): :data:`CurrentUser` would open a transaction of its own and
    cost a thread hop for it and another for its check."""
    if token is None:
        raise NotAuthenticated("sign in: send 'Authorization: Bearer <token>'")
    session = auth.authenticate(conn, settings, token, moment)
    request.app.state.identity_limiter.take(f"wallet:{session.address}")
    return session


def reader_of(
    request: Request, conn: Connection, settings: ApiSettings, token: str | None, moment: int
) -> str | None:
    """The wallet reading: the one ``token`` signs in (401 for a bad one, as
    :func:`signed_in`), None for an anonymous reader."""
    return None if token is None else signed_in(request, conn, settings, token, moment).address


CurrentUser = Annotated[tokens.Session, Depends(current_user)]


async def bearer_token(connection: HTTPConnection) -> str | None:
    """The token of an ``Authorization: Bearer <token>`` header, read by the same security
    scheme the HTTP routes declare, so a WebSocket handshake reads the header exactly as an
    HTTP request does."""
    credentials = await _bearer(connection)
    return credentials.credentials if credentials is not None else None


def optional_user(
    request: Request,
    settings: Settings,
    moment: Now,
    conn: Conn,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> tokens.Session | None:
    """The signed-in wallet when a token is sent (401 if it is invalid), else None."""
    if credentials is None:
        return None
    return current_user(request, settings, moment, conn, credentials)


OptionalUser = Annotated[tokens.Session | None, Depends(optional_user)]


def current_identity(user: CurrentUser, conn: Conn) -> Identity:
    """The signed-in wallet's on-chain identity, as the indexer mirrored it (403 without)."""
    return auth.require_identity(conn, user)


CurrentIdentity = Annotated[Identity, Depends(current_identity)]


def readable_post(
    post_id: PostId, conn: Conn, chain: Chain, user: OptionalUser, moment: Now, access: Access
) -> RowMapping:
    """The post named by the path, if the (optional) signed-in wallet may read it: the one gate
    of every ``/posts/{post_id}`` route, whichever router serves it."""
    reader = user.address if user is not None else None
    return posts.readable(conn, chain.chain_id, post_id, reader, moment, access)


ReadablePost = Annotated[RowMapping, Depends(readable_post)]


def readable_session(
    session_id: SessionId, conn: Conn, chain: Chain, user: OptionalUser, moment: Now, access: Access
) -> RowMapping:
    """The live session named by the path, if the (optional) signed-in wallet may see it: the
    one gate of every ``/live/{session_id}`` route, whichever router serves it."""
    reader = user.address if user is not None else None
    return live.readable(conn, chain.chain_id, session_id, reader, moment, access)


ReadableSession = Annotated[RowMapping, Depends(readable_session)]
