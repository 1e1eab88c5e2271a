"""Rewards: the published distribution files, checked against what the vault recorded.

The vault only stores an epoch's root, total and the hash of the file the distributor published;
the allocations and proofs live in that file. The API serves them from a folder of files laid
out as ``<dir>/<chain_id>/epoch-<N>.json`` (what ``planet epoch close`` writes), but only for
epochs whose root the indexer mirrored as proposed, and only when the file's keccak256 is the
mirrored ``fileHash`` and its root is the mirrored root: a file that differs from what the
chain committed to is never served (503 ``distribution_mismatch``), since its proofs would
fail or, worse, describe another split than the one on chain.

Parsed files are cached by file hash (a file is immutable once its hash is on chain); the
file's bytes are re-hashed whenever its size or modification time changes, so an edit on disk
is noticed on the next request.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any, Literal

from eth_utils import to_checksum_address
from sqlalchemy import Connection, select

from api.errors import ApiError, ErrorCode, NotFound, Unavailable
from api.settings import ApiSettings
from planet.chain.vault import VAULT_CONTRACT
from planet.core.epochs import EPOCH_DURATION
from planet.core.manifest import ManifestError, load
from planet.core.merkle import MerkleError, StandardMerkleTree, leaf_hash
from planet.rewards.distribution import FORMATS, file_hash
from planet.store.mirror import identities, vault_claims, vault_epochs, vault_pauses

# PrizeVault(epochSource, asset, challengePeriod, claimWindowWeeks, admin, distributor, guardian)
_CHALLENGE_PERIOD_ARG = 2
_CLAIM_WINDOW_WEEKS_ARG = 3


def paused_extension(pauses: list[tuple[int, int]], proposed_at: int) -> int:
    """Seconds the vault's ended pauses add to the claim window of a root proposed at
    ``proposed_at``: the part of each pause after the proposal (``PrizeVault`` counts its pause
    clock from the proposal). A pause still running is not known to the mirror yet; it moves
    the window further once it ends."""
    return sum(max(0, until - max(since, proposed_at)) for since, until in pauses)


class DistributionUnavailable(Unavailable):
    """The epoch is published on chain but its file cannot be served as it was committed."""

    def __init__(self, code: ErrorCode, message: str) -> None:
        super().__init__(message, code=code)


@dataclass(frozen=True)
class Entry:
    rank: int  # 1-based, by amount descending, then account
    account: str  # as the file writes it; checksummed when served (cheaper than all at load)
    amount: int
    score: str  # the published score, a fraction as text


@dataclass(frozen=True)
class EpochFile:
    """One distribution file, checked and indexed for the routes."""

    epoch: int
    root: str
    total: int
    file_hash: str
    tree: StandardMerkleTree
    ranking: list[Entry]
    by_account: dict[str, Entry]  # lowercase account -> entry
    #: lowercase account -> its ``accounts`` entry (before, after, standing, reasons); empty
    #: for a file of a formula without trust (planet.distribution/1)
    reasons: dict[str, dict[str, Any]] = field(default_factory=dict)
    reason_codes: dict[str, str] = field(default_factory=dict)

    def proof(self, account: str) -> list[str]:
        return ["0x" + node.hex() for node in self.tree.proof(account)]


@dataclass(frozen=True)
class PublishedEpoch:
    """A mirrored ``vault_epochs`` row whose root is proposed (pending or claimable)."""

    epoch: int
    root: str
    total: int
    funded: int
    paid: int
    uri: str | None
    file_hash: str | None
    claimable_at: int
    swept: bool
    window_closes_at: int | None

    def claimable(self, now: int) -> bool:
        """What the vault accepts claims for at ``now``, and the window not yet closed."""
        return self.phase(now) == "claimable"

    def phase(self, now: int) -> Literal["pending", "claimable", "expired"]:
        """``pending`` in the challenge period, ``claimable``, or ``expired`` once the claim
        window closed or the epoch was swept. (The vault itself keeps paying an expired epoch
        until it is swept; the API stops offering it as claimable when its window closes,
        since a sweep may come at any moment after.)"""
        if self.swept or (self.window_closes_at is not None and now >= self.window_closes_at):
            return "expired"
        return "claimable" if self.claimable_at <= now else "pending"


class DistributionStore:
    """Loads, checks and caches distribution files for one chain."""

    def __init__(self, directory: Path, chain_id: int, vault: str | None) -> None:
        self.directory = directory
        self.chain_id = chain_id
        self.vault = vault
        self._lock = threading.Lock()
        self._parse_lock = threading.Lock()
        self._hashes: dict[Path, tuple[int, int, int, str]] = {}  # path -> (ino, size, mtime, hash)
        self._parsed: dict[str, EpochFile] = {}  # file hash -> parsed file

    def path(self, epoch: int) -> Path:
        return self.directory / str(self.chain_id) / f"epoch-{epoch}.json"

    def get(self, published: PublishedEpoch) -> EpochFile:
        epoch = published.epoch
        path = self.path(epoch)
        try:
            raw, digest = self._read(path)
        except FileNotFoundError:
            raise DistributionUnavailable(
                ErrorCode.DISTRIBUTION_MISSING,
                f"epoch {epoch} is published on chain but its distribution file is not on this "
                "server yet",
            ) from None
        except OSError as err:
            raise DistributionUnavailable(
                ErrorCode.DISTRIBUTION_MISSING,
                f"the distribution file of epoch {epoch} is unreadable",
            ) from err
        if published.file_hash is None or digest != published.file_hash.lower():
            raise DistributionUnavailable(
                ErrorCode.DISTRIBUTION_MISMATCH,
                f"the distribution file of epoch {epoch} hashes to {digest}, but the vault "
                f"recorded fileHash {published.file_hash}",
            )
        with self._lock:
            cached = self._parsed.get(digest)
        if cached is None:
            with self._parse_lock:  # one parse at a time: a big file takes seconds and memory
                with self._lock:
                    cached = self._parsed.get(digest)
                if cached is None:
                    cached = self._parse(raw or self.path(epoch).read_bytes(), digest, epoch)
                    with self._lock:
                        self._parsed[digest] = cached
        if cached.root != published.root.lower():
            raise DistributionUnavailable(
                ErrorCode.DISTRIBUTION_MISMATCH,
                f"the distribution file of epoch {epoch} has root {cached.root}, but the vault's "
                f"root is {published.root}",
            )
        return cached

    def _read(self, path: Path) -> tuple[bytes | None, str]:
        """The file's hash, and its bytes when they had to be read to get it."""
        stat = path.stat()
        key = (stat.st_ino, stat.st_size, stat.st_mtime_ns)
        with self._lock:
            known = self._hashes.get(path)
        if known is not None and known[:3] == key and known[3] in self._parsed:
            return None, known[3]
        raw = path.read_bytes()
        digest = file_hash(raw)
        with self._lock:
            self._hashes[path] = (*key, digest)
        return raw, digest

    def _parse(self, raw: bytes, digest: str, epoch: int) -> EpochFile:
        try:
            data = json.loads(raw.decode("utf-8"))
            return self._check(data, digest, epoch)
        except (ValueError, KeyError, TypeError, AttributeError, MerkleError) as err:
            raise DistributionUnavailable(
                ErrorCode.DISTRIBUTION_INVALID,
                f"the distribution file of epoch {epoch} cannot be served: {err}",
            ) from None

    def _check(self, data: Any, digest: str, epoch: int) -> EpochFile:
        if data.get("format") not in FORMATS:
            raise ValueError(f"format is {data.get('format')!r}, not one of {', '.join(FORMATS)}")
        if data["chain_id"] != self.chain_id or data["epoch"] != epoch:
            raise ValueError(
                f"it is for chain {data['chain_id']} epoch {data['epoch']}, "
                f"not chain {self.chain_id} epoch {epoch}"
            )
        if self.vault is not None and str(data["vault"]).lower() != self.vault.lower():
            raise ValueError(f"it is for vault {data['vault']}, not {self.vault}")
        tree = StandardMerkleTree.load(data["merkle"])  # recomputes every node
        if tree.root_hex != data["root"]:
            raise ValueError(f"its tree's root is {tree.root_hex}, not its root {data['root']}")
        scores = {e["account"].lower(): str(Fraction(e["score"])) for e in data["allocations"]}
        leaves = tree.leaves()
        if len(scores) != len(leaves):
            raise ValueError("its allocations and its tree list different accounts")
        for leaf in leaves:
            if leaf.account.lower() not in scores:
                raise ValueError(f"account {leaf.account} has a leaf but no allocation")
        if sum(leaf.amount for leaf in leaves) != int(data["total"]):
            raise ValueError("its leaves do not sum to its total")
        ordered = sorted(leaves, key=lambda leaf: (-leaf.amount, leaf.account.lower()))
        ranking = [
            Entry(
                rank=i + 1,
                account=leaf.account,
                amount=leaf.amount,
                score=scores[leaf.account.lower()],
            )
            for i, leaf in enumerate(ordered)
        ]
        return EpochFile(
            epoch=epoch,
            root=tree.root_hex,
            total=int(data["total"]),
            file_hash=digest,
            tree=tree,
            ranking=ranking,
            by_account={e.account.lower(): e for e in ranking},
            reasons={e["account"].lower(): e for e in data.get("accounts", ())},
            reason_codes=dict(data.get("reason_codes", {})),
        )


@dataclass(frozen=True)
class Rewards:
    """What the rewards routes need, built once per app."""

    store: DistributionStore | None
    vault: str | None
    claim_window: int | None  # seconds; None when neither setting nor manifest says
    challenge_period: int = 0  # seconds, from the manifest (0 when unknown)

    @classmethod
    def from_settings(cls, settings: ApiSettings) -> Rewards:
        vault, window, challenge = None, settings.claim_window, 0
        if settings.manifest is not None:
            try:
                deployed = load(settings.manifest).contract(VAULT_CONTRACT)
            except ManifestError:
                deployed = None
            if deployed is not None:
                vault = to_checksum_address(deployed.address)
                challenge = int(deployed.constructor_args[_CHALLENGE_PERIOD_ARG])
                if window is None:
                    weeks = int(deployed.constructor_args[_CLAIM_WINDOW_WEEKS_ARG])
                    window = weeks * EPOCH_DURATION
        store = None
        if settings.distributions_dir is not None:
            store = DistributionStore(settings.distributions_dir, settings.chain_id, vault)
        return cls(store=store, vault=vault, claim_window=window, challenge_period=challenge)

    def require_store(self) -> DistributionStore:
        if self.store is None:
            raise Unavailable(
                "rewards are not served here: PLANET_API_DISTRIBUTIONS_DIR is not set",
                code=ErrorCode.REWARDS_UNAVAILABLE,
            )
        return self.store

    @staticmethod
    def _pauses(conn: Connection, chain_id: int) -> list[tuple[int, int]]:
        rows = conn.execute(
            select(vault_pauses.c.paused_at, vault_pauses.c.unpaused_at).where(
                vault_pauses.c.chain_id == chain_id
            )
        )
        return [(r.paused_at, r.unpaused_at) for r in rows]

    def _published(self, row: Any, pauses: list[tuple[int, int]]) -> PublishedEpoch:
        window = None
        if self.claim_window is not None:
            proposed_at = row.claimable_at - self.challenge_period
            window = row.claimable_at + self.claim_window + paused_extension(pauses, proposed_at)
        return PublishedEpoch(
            epoch=row.epoch,
            root=row.root,
            total=row.total,
            funded=row.funded,
            paid=row.paid,
            uri=row.uri,
            file_hash=row.file_hash,
            claimable_at=row.claimable_at,
            swept=row.swept,
            window_closes_at=window,
        )

    def published(self, conn: Connection, chain_id: int) -> list[PublishedEpoch]:
        """Every epoch with a proposed (not vetoed) root, oldest first."""
        rows = conn.execute(
            select(vault_epochs).where(
                vault_epochs.c.chain_id == chain_id, vault_epochs.c.status == "proposed"
            )
        ).all()
        pauses = self._pauses(conn, chain_id)
        return sorted((self._published(r, pauses) for r in rows), key=lambda p: p.epoch)

    def published_epoch(self, conn: Connection, chain_id: int, epoch: int) -> PublishedEpoch:
        row = conn.execute(
            select(vault_epochs).where(
                vault_epochs.c.chain_id == chain_id, vault_epochs.c.epoch == epoch
            )
        ).one_or_none()
        if row is None or row.status != "proposed":
            state = "has no root" if row is None or row.status == "none" else "was vetoed"
            raise NotFound(
                f"epoch {epoch} is not published: it {state}", code=ErrorCode.EPOCH_NOT_PUBLISHED
            )
        return self._published(row, self._pauses(conn, chain_id))


def claimed_accounts(conn: Connection, chain_id: int, epoch: int, accounts: list[str]) -> set[str]:
    """Which of ``accounts`` (any case) the indexer saw claim ``epoch``; lowercase."""
    if not accounts:
        return set()
    rows = conn.execute(
        select(vault_claims.c.account).where(
            vault_claims.c.chain_id == chain_id,
            vault_claims.c.epoch == epoch,
            vault_claims.c.account.in_([a.lower() for a in accounts]),
        )
    )
    return {r.account for r in rows}


def claimed_epochs(conn: Connection, chain_id: int, account: str) -> set[int]:
    rows = conn.execute(
        select(vault_claims.c.epoch).where(
            vault_claims.c.chain_id == chain_id, vault_claims.c.account == account.lower()
        )
    )
    return {r.epoch for r in rows}


def handles_of(conn: Connection, chain_id: int, accounts: list[str]) -> dict[str, str]:
    """Mirrored identity handles of ``accounts``, by lowercase owner."""
    if not accounts:
        return {}
    rows = conn.execute(
        select(identities.c.owner, identities.c.handle).where(
            identities.c.chain_id == chain_id,
            identities.c.owner.in_([a.lower() for a in accounts]),
        )
    )
    return {r.owner: r.handle for r in rows}


def no_allocation(epoch: int, account: str) -> ApiError:
    return NotFound(f"{account} has no allocation in epoch {epoch}", code=ErrorCode.NO_ALLOCATION)


def leaf_hex(account: str, amount: int) -> str:
    return "0x" + leaf_hash(account, amount).hex()
