"""Helpers for API tests: the constants the test app runs with, a settable clock, wallets
that sign in with Ethereum, identities and passes as the indexer mirrors them, a manifest
for apps that never reach a chain, and the error shape."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from eth_account.messages import encode_defunct
from eth_account.signers.local import LocalAccount
from fastapi.testclient import TestClient
from sqlalchemy import Engine, insert

from api.services.moderation import RISK_ROLE
from api.services.siwe import SiweMessage, compose
from planet.core.epochs import EPOCH_DURATION
from planet.core.manifest import DeployedContract, Manifest, save
from planet.core.passes import NATIVE
from planet.store.mirror import identities, pass_holdings, pass_proceeds, passes, points_roles

CHAIN_ID = 31337
DOMAIN = "planet.test"
SECRET = "9c41e0b7d25a8f36ce7b104d9a5f2e83b6d07c1a4e95f2d8"  # random hex; "s" * 40 is refused
START = 1_900_000_000  # a fixed "now" for tests that do not touch the chain
GENESIS = START - 3 * EPOCH_DURATION
POINTS = "0x" + "ab" * 20


class Clock:
    """The app's clock; tests move it."""

    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


_tokens = itertools.count(1)


@dataclass
class Member:
    """A wallet, its mirrored identity (if any) and its session headers."""

    account: LocalAccount
    token_id: int | None
    handle: str | None
    headers: dict[str, str]

    @property
    def address(self) -> str:
        return self.account.address.lower()


def siwe_text(
    address: str,
    nonce: str,
    issued_at: int,
    domain: str = DOMAIN,
    chain_id: int = CHAIN_ID,
    **extra: object,
) -> str:
    return compose(
        SiweMessage(
            domain=domain,
            address=address,
            statement="Sign in to Planet.",
            uri=f"https://{domain}/login",
            version="1",
            chain_id=chain_id,
            nonce=nonce,
            issued_at=datetime.fromtimestamp(issued_at, tz=UTC),
            **extra,  # type: ignore[arg-type]
        )
    )


def sign(account: LocalAccount, text: str) -> str:
    return "0x" + account.sign_message(encode_defunct(text=text)).signature.hex()


def sign_in(client: TestClient, account: LocalAccount) -> dict[str, str]:
    nonce = client.post("/auth/nonce").json()["nonce"]
    text = siwe_text(account.address, nonce, int(client.app.state.clock()))
    reply = client.post("/auth/verify", json={"message": text, "signature": sign(account, text)})
    assert reply.status_code == 200, reply.text
    return {"Authorization": f"Bearer {reply.json()['token']}"}


def add_identity(
    engine: Engine, address: str, handle: str, metadata_hash: str = "0x" + "00" * 32, **kw: object
) -> int:
    """An identity row as the indexer writes it for a registration."""
    token_id = next(_tokens)
    row = {
        "chain_id": CHAIN_ID,
        "token_id": token_id,
        "owner": address.lower(),
        "handle": handle.lower(),
        "metadata_uri": f"https://{DOMAIN}/profiles/{handle}/persona",
        "metadata_hash": metadata_hash,
        "recovery": "0x" + "00" * 20,
        "verified": False,
        "labels": 0,
        "relayer": address.lower(),
        "registered_block": 1,
        "registered_tx": "0x" + "11" * 32,
        "updated_block": 1,
    }
    row.update(kw)
    with engine.begin() as conn:
        conn.execute(insert(identities).values(**row))
    return token_id


def error(reply) -> tuple[int, str]:
    """(status, error code) of an error reply, after checking the error shape."""
    body = reply.json()
    assert set(body) == {"error"}, body
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    return reply.status_code, body["error"]["code"]


def offline_manifest(folder: Path) -> Path:
    """A manifest of the four contracts for apps that never reach a chain (``GET /chain``
    describes it; nothing calls it): made-up addresses and blocks, the vault paying native
    OKB with a one-hour challenge period and a one-week claim window."""
    addresses = {
        name: "0x" + f"{i:02x}" * 20
        for i, name in enumerate(
            ("Identity", "ContributionPoints", "CommunityPass", "PrizeVault"), start=1
        )
    }
    vault_args = [addresses["ContributionPoints"], NATIVE, 3600, 1, NATIVE, NATIVE, NATIVE]
    manifest = Manifest(
        chain_id=CHAIN_ID,
        network="ethereum:local",
        deployer=NATIVE,
        genesis=GENESIS,
        roles={},
        contracts={
            name: DeployedContract(
                address=address,
                block_number=i,
                block_hash="0x" + "00" * 32,
                tx_hash="0x" + "00" * 32,
                constructor_args=vault_args if name == "PrizeVault" else [],
                abi=[{"type": "function", "name": "example", "inputs": [], "outputs": []}],
            )
            for i, (name, address) in enumerate(addresses.items(), start=1)
        },
    )
    return save(manifest, folder)


def add_native_pass(engine: Engine, pass_id: int, creator: str, holders: list[str]) -> None:
    """A lifetime pass priced in native OKB as the indexer mirrors it, each holder holding one
    token, and the creator's proceeds of those sales (no fee)."""
    creator = creator.lower()
    price = 10**15
    with engine.begin() as conn:
        conn.execute(
            insert(passes).values(
                chain_id=CHAIN_ID,
                pass_id=pass_id,
                creator=creator,
                currency=NATIVE,
                price=price,
                max_supply=2**64 - 1,
                wallet_limit=1,
                duration=0,
                transferable=False,
                royalty_bps=0,
                fee_bps=0,
                paused=False,
                minted=len(holders),
                uri="",
                created_block=1,
                created_tx="0x" + "22" * 32,
                updated_block=1,
            )
        )
        for holder in holders:
            conn.execute(
                insert(pass_holdings).values(
                    chain_id=CHAIN_ID,
                    pass_id=pass_id,
                    holder=holder.lower(),
                    balance=1,
                    minted=1,
                    expiry=0,
                    updated_block=1,
                )
            )
        conn.execute(
            insert(pass_proceeds).values(
                chain_id=CHAIN_ID,
                payee=creator,
                currency=NATIVE,
                accrued=price * len(holders),
                withdrawn=0,
                updated_block=1,
            )
        )


def chat_url(client: TestClient, session_id: int, who: Member | None = None) -> str:
    """The chat socket's path for ``who`` (anonymous when None): with a fresh single-use ticket
    from ``POST /live/{id}/chat/ticket``, as a browser opens it."""
    if who is None:
        return f"/live/{session_id}/chat"
    reply = client.post(f"/live/{session_id}/chat/ticket", headers=who.headers)
    assert reply.status_code == 201, reply.text
    return reply.json()["url"]


def grant_risk_role(engine: Engine, address: str, held: bool = True) -> None:
    """The row the indexer writes for ContributionPoints' RoleGranted(RISK_ROLE, address)."""
    with engine.begin() as conn:
        conn.execute(
            insert(points_roles).values(
                chain_id=CHAIN_ID,
                role=RISK_ROLE,
                account=address.lower(),
                held=held,
                updated_block=1,
            )
        )
