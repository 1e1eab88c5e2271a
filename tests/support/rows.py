"""Rows of the real tables, as the indexer and the API write them, for tests that seed a
database directly: ``events`` and ``attestations`` rows, and :class:`Seeder` for a week of
rewards activity (identities, posts, views, likes, comments, live sessions, fills, points) and
the posts deleted or hidden since."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

from eth_account import Account
from sqlalchemy import Engine, Table, insert, update

from planet.store.mirror import attestations, identities
from planet.store.offchain import (
    comments,
    fills,
    hidden,
    live_attendance,
    live_sessions,
    orders,
    post_likes,
    post_views,
    posts,
)

CHAIN_ID = 31337
NO_ADDRESS = "0x" + "00" * 20


@dataclass
class Seeder:
    """Writes rows with fresh ids; ``at`` is the default timestamp of an interaction."""

    engine: Engine
    at: int
    chain_id: int = CHAIN_ID
    _tokens: itertools.count = field(default_factory=lambda: itertools.count(1))
    _uids: itertools.count = field(default_factory=lambda: itertools.count(1))
    _ids: itertools.count = field(default_factory=lambda: itertools.count(1))

    def _insert(self, table: Table, **row: object) -> None:
        with self.engine.begin() as conn:
            conn.execute(insert(table).values(**row))

    def user(
        self, registered: bool = True, address: str | None = None, verified: bool = False
    ) -> tuple[int, str]:
        """(token id, checksummed address); an unregistered user has a token id the mirror
        does not know (a stale or forged one). A verified one is an established identity
        under a formula that weighs engagement by trust."""
        token = next(self._tokens)
        address = address or Account.create().address
        if registered:
            self._insert(
                identities,
                chain_id=self.chain_id,
                token_id=token,
                owner=address.lower(),
                handle=f"user{token}",
                metadata_uri="",
                metadata_hash="0x" + "00" * 32,
                recovery="0x" + "00" * 20,
                verified=verified,
                labels=0,
                relayer=address.lower(),
                registered_block=1,
                registered_tx="0x" + "11" * 32,
                updated_block=1,
            )
        return token, address

    def post(self, author: int, chain_id: int | None = None) -> int:
        post_id = next(self._ids)
        self._insert(
            posts,
            id=post_id,
            chain_id=chain_id or self.chain_id,
            author_token_id=author,
            author_address=NO_ADDRESS,
            body="hello",
            instruments=[],
            created_at=self.at,
            view_count=0,
            like_count=0,
            comment_count=0,
            visibility="public",
        )
        return post_id

    def view(self, post_id: int, token: int, at: int | None = None) -> None:
        self._insert(post_views, post_id=post_id, token_id=token, first_viewed_at=at or self.at)

    def like(self, post_id: int, token: int, at: int | None = None) -> None:
        self._insert(post_likes, post_id=post_id, token_id=token, created_at=at or self.at)

    def comment(self, post_id: int, token: int, at: int | None = None) -> None:
        self._insert(
            comments,
            post_id=post_id,
            chain_id=self.chain_id,
            author_token_id=token,
            author_address=NO_ADDRESS,
            body="nice",
            created_at=at or self.at,
        )

    def attest(self, account: str, epoch: int, amount: int, revoked: bool = False) -> None:
        uid = next(self._uids)
        self._insert(
            attestations,
            chain_id=self.chain_id,
            uid="0x" + f"{uid:064x}",
            account=account.lower(),
            epoch=epoch,
            kind=0,
            amount=amount,
            attester="0x" + "aa" * 20,
            submitter=account.lower(),
            block_number=1,
            log_index=uid,
            tx_hash="0x" + "22" * 32,
            revoked=revoked,
        )

    def session(self, host: int) -> int:
        session_id = next(self._ids)
        self._insert(
            live_sessions,
            id=session_id,
            chain_id=self.chain_id,
            host_token_id=host,
            host_address=NO_ADDRESS,
            title="live",
            description="",
            visibility="public",
            scheduled_at=self.at,
            started_at=self.at,
            created_at=self.at,
        )
        return session_id

    def attend(self, session_id: int, token: int, at: int | None = None) -> None:
        self._insert(
            live_attendance, session_id=session_id, token_id=token, joined_at=at or self.at
        )

    def fill(
        self, creator: int, trader: int, notional_micro: int, attributed: bool = True,
        at: int | None = None, exchange: str = "okx",
    ) -> int:  # fmt: skip
        """A fill of ``trader``'s order placed from a new post of ``creator``'s; that post's
        id."""
        post_id = self.post(creator)
        order_id = next(self._ids)
        self._insert(
            orders,
            id=order_id,
            chain_id=self.chain_id,
            post_id=post_id,
            creator_token_id=creator,
            trader_token_id=trader,
            trader_address=NO_ADDRESS,
            instrument="BTC-USDT",
            side="buy",
            order_type="market",
            size="1",
            exchange=exchange,
            client_order_id=f"seed{order_id}",
            status="filled",
            created_at=at or self.at,
        )
        self._insert(
            fills,
            chain_id=self.chain_id,
            order_id=order_id,
            exchange=exchange,
            exchange_fill_id=f"fill{order_id}",
            price=str(notional_micro),
            size="0.000001",
            notional_micro=notional_micro,
            fee="0",
            post_id=post_id,
            creator_token_id=creator,
            trader_token_id=trader,
            attributed=attributed,
            filled_at=at or self.at,
        )
        return post_id

    def delete(self, post_id: int) -> None:
        """The author deletes the post, as ``DELETE /posts/{id}`` marks it."""
        with self.engine.begin() as conn:
            conn.execute(update(posts).where(posts.c.id == post_id).values(deleted_at=self.at))

    def hide(self, kind: str, target_id: int) -> None:
        """The risk role hides the content, as a ``hide`` decision records it."""
        self._insert(
            hidden,
            chain_id=self.chain_id,
            kind=kind,
            target_id=target_id,
            label="scam",
            decision_id=next(self._ids),
            hidden_at=self.at,
        )


def event_row(log_index: int, block_number: int = 7) -> tuple[object, ...]:
    """An ``events`` row in :data:`~indexer.decode.EVENT_COLUMNS` order."""
    return (
        1,
        block_number,
        log_index,
        "0x" + "11" * 32,
        "0x" + "22" * 32,
        0,
        "0x" + "33" * 20,
        "C",
        "E",
        "{}",
    )


def attestation(i: int, reason: str | None = None) -> dict:
    """An ``attestations`` row (without ``chain_id``): the ``i``-th, revoked for ``reason``
    if one is given; every other amount is beyond 64 bits."""
    return {
        "uid": f"0x{i:064x}",
        "account": f"0x{i % 7:040x}",
        "epoch": i % 3,
        "kind": i % 6,
        "amount": 2**255 + i if i % 2 else i,
        "attester": "0x" + "bb" * 20,
        "submitter": "0x" + "cc" * 20,
        "block_number": 10 + i,
        "log_index": i,
        "tx_hash": "0x" + "dd" * 32,
        "revoked": reason is not None,
        "revoked_reason": reason,
        "revoker": None if reason is None else "0x" + "ee" * 20,
        "revoked_block": None if reason is None else 99,
        "revoked_tx": None,
    }
