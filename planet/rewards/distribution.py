"""The distribution file an epoch's root is published with, and checking it.

The file is canonical JSON (sorted keys, no spaces, UTF-8), so its bytes, and so
``file_hash`` (keccak256 of those bytes, what ``proposeRoot`` records as ``fileHash``), follow
from its content alone. Amounts are decimal strings, as in the Merkle dump, so no reader loses
precision on uint256 values::

    {
      "format": "planet.distribution/1",
      "chain_id": 1952, "vault": "0x…", "epoch": 3,
      "pool": "1000",                      # what the epoch's pool held when allocated
      "formula": {"name": "…", "version": "…", "weights": {…}, "cap_share": "1/10" | null,
                  "trade_exchanges": ["okx"]},  # whose attributed fills counted as trade
      "inputs_digest": "0x…",              # keccak256 of the canonical JSON of the inputs
      "allocations": [{"account": "0x…", "amount": "990", "score": "7/3"}, …],  # by account
      "unallocated": "10",                 # pool - total; > 0 only when every account is capped
      "merkle": {…},                       # StandardMerkleTree dump (standard-v1)
      "root": "0x…",
      "total": "990"                       # what the root pays: the sum of the amounts
    }

Every positive-score account has an entry (its amount may be 0 after rounding), so anyone can
re-run :func:`planet.rewards.allocation.allocate` on the scores, the pool and the cap and get
the same amounts, then rebuild the tree and get the same root.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any

from eth_utils import keccak

from planet.core.errors import PlanetError
from planet.core.merkle import MerkleError, StandardMerkleTree
from planet.rewards.allocation import AllocationError, Score, allocate

FORMAT = "planet.distribution/1"
#: /2: /1 plus, for a formula that weighs by trust, ``formula.trust``, ``accounts`` (every
#: account with inputs: before, after, standing, reason codes), ``reason_codes`` (what each code
#: means) and ``clusters`` (flagged for review before the root is proposed).
FORMAT_REASONS = "planet.distribution/2"
FORMATS = (FORMAT, FORMAT_REASONS)
_HASH = re.compile(r"0x[0-9a-f]{64}")


class DistributionError(PlanetError, ValueError):
    """A distribution that cannot be built (nothing to distribute, bad inputs)."""


def canonical_json(data: Any) -> bytes:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def digest_inputs(inputs: Any) -> str:
    """keccak256 of the canonical JSON of whatever the scores were computed from."""
    return "0x" + keccak(canonical_json(inputs)).hex()


def file_hash(path_or_bytes: str | Path | bytes) -> str:
    """keccak256 of the file's exact bytes, as ``0x`` hex: the ``fileHash`` of ``proposeRoot``."""
    data = path_or_bytes if isinstance(path_or_bytes, bytes) else Path(path_or_bytes).read_bytes()
    return "0x" + keccak(data).hex()


def _fraction_str(value: Fraction | None) -> str | None:
    return None if value is None else str(Fraction(value))


@dataclass(frozen=True)
class Distribution:
    data: dict[str, Any]

    @property
    def root(self) -> str:
        return self.data["root"]

    @property
    def total(self) -> int:
        return int(self.data["total"])

    def to_bytes(self) -> bytes:
        return canonical_json(self.data)

    def write(self, path: str | Path) -> str:
        """Writes the canonical bytes; returns their :func:`file_hash`."""
        payload = self.to_bytes()
        Path(path).write_bytes(payload)
        return file_hash(payload)


def build_distribution(
    *,
    chain_id: int,
    vault: str,
    epoch: int,
    pool: int,
    scores: Mapping[str, Score],
    formula_name: str,
    formula_version: str,
    weights: Mapping[str, Any],
    inputs_digest: str,
    trade_exchanges: Sequence[str],
    cap_share: Fraction | None = None,
    trust: Mapping[str, Any] | None = None,
    reports: Mapping[str, Mapping[str, Any]] | None = None,
    clusters: Sequence[Mapping[str, Any]] | None = None,
    reason_codes: Mapping[str, str] | None = None,
) -> Distribution:
    """Allocates ``pool`` over ``scores`` and lays out the file with its tree and root."""
    if not _HASH.fullmatch(inputs_digest):
        raise DistributionError(f"inputs_digest {inputs_digest!r} is not a 0x keccak256 hex")
    try:
        result = allocate(pool, scores, cap_share)
    except AllocationError as err:
        raise DistributionError(str(err)) from None
    if not result.allocations:
        raise DistributionError(f"nothing to distribute in epoch {epoch}: no positive score")
    by_lower = {a.lower(): Fraction(s) for a, s in scores.items()}
    tree = StandardMerkleTree.of(result.allocations.items())
    data: dict[str, Any] = {
        "format": FORMAT,
        "chain_id": chain_id,
        "vault": vault,
        "epoch": epoch,
        "pool": str(pool),
        "formula": {
            "name": formula_name,
            "version": formula_version,
            "weights": dict(weights),
            "cap_share": _fraction_str(cap_share),
            "trade_exchanges": sorted(trade_exchanges),
        },
        "inputs_digest": inputs_digest,
        "allocations": [
            {"account": a, "amount": str(v), "score": str(by_lower[a.lower()])}
            for a, v in result.allocations.items()
        ],
        "unallocated": str(result.unallocated),
        "merkle": tree.dump(),
        "root": tree.root_hex,
        "total": str(result.total),
    }
    if reports is not None:
        data["format"] = FORMAT_REASONS
        data["formula"]["trust"] = dict(trust or {})
        accounts = []
        for account in sorted(reports, key=str.lower):
            entry = {"account": account, **reports[account]}
            if account in result.capped:
                entry["reasons"] = sorted({*entry["reasons"], "capped"})
            accounts.append(entry)
        data["accounts"] = accounts
        data["clusters"] = [dict(c) for c in clusters or ()]
        data["reason_codes"] = dict(reason_codes or {})
    return Distribution(data)


@dataclass
class VerifyReport:
    """What :func:`verify_distribution` found; ``problems`` is empty when the file holds up."""

    epoch: int | None = None
    root: str | None = None
    total: int | None = None
    accounts: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def _int(value: Any, what: str) -> int:
    if isinstance(value, str) and value.isdigit():
        return int(value)
    raise DistributionError(f"{what} must be a decimal string, got {value!r}")


def verify_distribution(data: Any) -> VerifyReport:
    """Recomputes everything the file claims; each disagreement is one line in ``problems``,
    naming the account or leaf concerned. Never raises on a malformed file."""
    report = VerifyReport()
    try:
        _verify(data, report)
    except (DistributionError, MerkleError) as err:
        report.problems.append(str(err))
    except (KeyError, TypeError, AttributeError, ValueError) as err:
        report.problems.append(f"malformed distribution file: {type(err).__name__}: {err}")
    return report


def _verify(data: Any, report: VerifyReport) -> None:
    if not isinstance(data, dict):
        raise DistributionError("a distribution file must be a JSON object")
    if data.get("format") not in FORMATS:
        raise DistributionError(
            f"format must be one of {', '.join(FORMATS)}, got {data.get('format')!r}"
        )
    report.epoch = data["epoch"]
    pool = _int(data["pool"], "pool")
    total = _int(data["total"], "total")
    unallocated = _int(data["unallocated"], "unallocated")
    report.total = total
    report.root = data["root"]
    problems = report.problems

    entries = data["allocations"]
    accounts = [e["account"] for e in entries]
    amounts = {e["account"]: _int(e["amount"], f"amount of {e['account']}") for e in entries}
    report.accounts = len(entries)
    if accounts != sorted(accounts, key=str.lower):
        problems.append("allocations are not sorted by account")

    # the tree from the allocations, and the published dump against it
    ours = StandardMerkleTree.of(amounts.items())
    published = StandardMerkleTree.load(data["merkle"])  # names a leaf that disagrees with it
    in_dump = {leaf.account.lower(): leaf.amount for leaf in published.leaves()}
    for account, amount in amounts.items():
        theirs = in_dump.pop(account.lower(), None)
        if theirs is None:
            problems.append(f"account {account} is in the allocations but not in the tree")
        elif theirs != amount:
            problems.append(
                f"account {account}: allocations say {amount}, the tree's leaf says {theirs}"
            )
    for account in in_dump:
        problems.append(f"account {account} has a leaf in the tree but no allocation")
    if ours.root_hex != data["root"]:
        problems.append(
            f"root {data['root']} does not match the root of the allocations {ours.root_hex}"
        )
    if published.root_hex != data["root"]:
        problems.append(f"root {data['root']} does not match the tree's root {published.root_hex}")

    # the books
    if sum(amounts.values()) != total:
        problems.append(f"amounts sum to {sum(amounts.values())}, not the total {total}")
    if total + unallocated != pool:
        problems.append(f"total {total} + unallocated {unallocated} is not the pool {pool}")

    # the allocation itself, re-run from the published scores
    cap_raw = data["formula"].get("cap_share")
    cap_share = None if cap_raw is None else Fraction(cap_raw)
    scores = {e["account"]: Fraction(e["score"]) for e in entries}
    try:
        again = allocate(pool, scores, cap_share)
    except AllocationError as err:
        problems.append(f"the scores cannot be allocated: {err}")
        return
    recomputed = {a.lower(): v for a, v in again.allocations.items()}
    for account, amount in amounts.items():
        expected = recomputed.get(account.lower())
        if expected != amount:
            problems.append(f"account {account}: amount {amount}, but the scores give {expected}")
    if again.unallocated != unallocated:
        problems.append(f"unallocated {unallocated}, but the scores leave {again.unallocated}")

    # a file with reasons: each score is the weights times the published quantities after
    if data["format"] == FORMAT_REASONS:
        weights = {k: Fraction(v) for k, v in data["formula"]["weights"].items()}
        after = {e["account"].lower(): e["after"] for e in data["accounts"]}
        for account, score in scores.items():
            quantities = after.get(account.lower())
            if quantities is None:
                problems.append(f"account {account} is allocated but has no reasons entry")
                continue
            weighed = sum(
                (w * Fraction(quantities.get(k, "0")) for k, w in weights.items()), Fraction(0)
            )
            if weighed != score:
                problems.append(
                    f"account {account}: score {score}, but its quantities after the rules "
                    f"give {weighed}"
                )


def read(path: str | Path) -> tuple[bytes, Any]:
    """The file's bytes and its parsed JSON (raises OSError / ValueError)."""
    raw = Path(path).read_bytes()
    return raw, json.loads(raw.decode("utf-8"))
