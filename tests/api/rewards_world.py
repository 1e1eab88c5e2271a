"""A vault with two published epochs on anvil, their distribution files, and the indexer's
mirror of it: the common ground of the rewards API and ``planet claim`` chain tests."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

from eth_account.signers.local import LocalAccount

from api.app import create_app
from api.settings import ApiSettings
from planet.core.merkle import StandardMerkleTree
from planet.rewards.distribution import Distribution, build_distribution, digest_inputs
from planet.store import OFFCHAIN, migrate
from tests.support.api import SECRET
from tests.support.protocol import Planet

EPOCHS = (0, 1)
POOLS = {0: 3 * 10**18 + 11, 1: 10**18 + 5}


@dataclass
class World:
    planet: Planet
    dists_dir: Path
    files: dict[int, Distribution]
    indexer: Any
    settings: ApiSettings

    @property
    def w3(self) -> Any:
        return self.planet.w3

    @property
    def vault(self) -> Any:
        return self.planet.vault

    def now(self) -> int:
        return self.w3.eth.get_block("latest").timestamp

    def app(self) -> Any:
        return create_app(self.settings, clock=self.now)

    def path(self, epoch: int) -> Path:
        return self.dists_dir / str(self.planet.chain_id) / f"epoch-{epoch}.json"

    def amounts(self, epoch: int) -> dict[str, int]:
        return {e["account"]: int(e["amount"]) for e in self.files[epoch].data["allocations"]}

    def tree(self, epoch: int) -> StandardMerkleTree:
        return StandardMerkleTree.load(self.files[epoch].data["merkle"])

    def amount(self, epoch: int, user: LocalAccount) -> int:
        return self.amounts(epoch)[user.address]

    def propose_pending(self, epoch: int, account: str, pool: int) -> None:
        """Funds ``epoch`` with ``pool``, all of it allocated to ``account``, and proposes its
        root without waiting out the challenge period: the allocation is pending."""
        planet = self.planet
        planet.fund(epoch, pool, planet.actors.users[5])
        dist = build_distribution(
            chain_id=planet.chain_id,
            vault=planet.vault.address,
            epoch=epoch,
            pool=pool,
            scores={account: 1},
            formula_name="planet-weekly",
            formula_version="1",
            weights={"post": 1},
            inputs_digest=digest_inputs([epoch]),
            trade_exchanges=["okx"],
            cap_share=Fraction(1),
        )
        digest = dist.write(self.path(epoch))
        propose = planet.vault.functions.proposeRoot(
            epoch, bytes.fromhex(dist.root[2:]), dist.total, f"ipfs://e{epoch}", digest
        )
        planet.send(propose, planet.actors.admin)
        self.indexer.catch_up()


def build_world(
    planet: Planet,
    dists_dir: Path,
    database_url: str,
    settings_for,
    make_indexer,
    manifest_file: Path,
) -> World:
    """Funds epochs 0 and 1, writes their files for the six users and two wallets nobody holds,
    proposes each root with the file's hash, waits out the challenge period, indexes."""
    users = planet.actors.users
    planet.register(users[0], "alice")
    planet.register(users[1], "bob")
    strangers = [planet.fresh_address() for _ in range(2)]
    files = {}
    for epoch in EPOCHS:
        planet.fund(epoch, POOLS[epoch], users[5])
        scores: dict[str, Any] = {u.address: (i + epoch) % 4 + 1 for i, u in enumerate(users)}
        scores.update({a: Fraction(1, 3) for a in strangers})
        dist = build_distribution(
            chain_id=planet.chain_id,
            vault=planet.vault.address,
            epoch=epoch,
            pool=POOLS[epoch],
            scores=scores,
            formula_name="planet-weekly",
            formula_version="1",
            weights={"post": 1},
            inputs_digest=digest_inputs([epoch]),
            trade_exchanges=["okx"],
            cap_share=Fraction(1, 4),
        )
        path = dists_dir / str(planet.chain_id) / f"epoch-{epoch}.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        digest = dist.write(path)
        call = planet.vault.functions.proposeRoot(
            epoch, bytes.fromhex(dist.root[2:]), dist.total, f"ipfs://e{epoch}", digest
        )
        planet.send(call, planet.actors.admin)
        files[epoch] = dist
    planet.travel(3601)  # past the one-hour challenge period
    assert all(planet.vault.functions.isClaimable(e).call() for e in EPOCHS)

    indexer, engine = make_indexer(settings_for(database_url))
    indexer.catch_up()
    migrate(engine, OFFCHAIN)
    settings = ApiSettings(
        database_url=database_url,
        chain_id=planet.chain_id,
        session_secret=SECRET,
        manifest=manifest_file,
        distributions_dir=dists_dir,
        rate_limit_ip=100_000,
        rate_limit_identity=100_000,
        rate_limit_burst=10_000,
    )
    return World(planet, dists_dir, files, indexer, settings)
