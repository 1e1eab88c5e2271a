"""Trust-weighted engagement: how much each view, like, comment, attendance and trade counts.

Identities are free, so counting engagement one per identity pays whoever makes the most of
them. Instead an engagement counts by the *standing* of the identity that made it:

1. **Seeds.** Identities first seen at least ``seed_min_age_days`` before the week, verified
   ones and pass holders are established: their standing is 1 (with ``seed_min_age_days: 0``,
   the local formula's, every identity is).
2. **Fresh identities.** An identity first seen during the week itself (and not a seed) has
   standing 0 and vouches for no one: a farm's new identities, however they engage each other,
   count nothing. An honest newcomer still earns from what it *receives*: its engagers are
   established.
3. **Propagated trust.** Everyone else's standing flows from the seeds through the week's
   interaction graph (engager -> creator, weighted view 1, like 2, comment 3, attendance 3,
   trade 3; fresh identities' edges left out): a personalized PageRank (networkx) that restarts
   at the seeds, over the identities the seeds reach. A non-seed's standing is
   ``newcomer_weight * min(1, rank / r)``, ``r`` being what a seed holds from the restart
   alone; a low damping keeps a closed group from amplifying the little trust it receives.
4. **Budgets.** An engager's week counts in full up to ``engager_budget`` weight units; beyond
   that each of its engagements is scaled down, so one identity (a bought one, say) cannot
   carry a cluster however much it clicks.
5. **Same funder.** Engagement and trades between identities sharing a funder key
   (:mod:`planet.rewards.standing`: first funded by one wallet within a week, first funded by
   a contract in one block, one relayer, one recovery address) are left out, as are a
   creator's own (already so in the inputs).

An account's weighted quantities are, per kind, the sum over its engagements (one per engager
and post, or live session) of the engager's standing x budget scale: per post rather than per
distinct engager, so splitting one's posts over several identities gains nothing; trade
counts whole quote units times the trader's standing, and a trader's week counts up to
``trade_cap`` units in all, shared over the creators it traded from in proportion (formula v3;
v2 had no cap); points count times the account's own standing. Standings and contributions
are whole millionths (rounded down), so scores stay exact rationals with small denominators and
the file stays readable.

Every account gets a :class:`Report`: its inputs before and after, and the reason codes that
applied (:data:`REASONS`), published in the distribution file.
"""

from __future__ import annotations

import math
from collections import defaultdict, deque
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import networkx as nx

from planet.rewards.inputs import MICRO, EpochInputs, WeekGraph
from planet.rewards.scoring import WEIGHT_KEYS, Formula, TrustRules

#: How much one engagement of each kind weighs in the graph and in an engager's budget.
EDGE_WEIGHTS = {"view": 1, "like": 2, "comment": 3, "live_attendance": 3, "trade": 3}
UNIT = 10**6  # contributions are rounded down to a millionth
RING_MIN = 3  # identities below full standing engaging each other: flagged from this many

CAPPED = "capped"
SELF_INTERACTION_REMOVED = "self_interaction_removed"
LOW_TRUST_DISCOUNTED = "low_trust_discounted"
SAME_FUNDER_CLUSTER = "same_funder_cluster"
REVOKED_ATTESTATION_REMOVED = "revoked_attestation_removed"
QUOTA_REACHED = "quota_reached"
BUDGET_SCALED = "budget_scaled"
TRADE_CAPPED = "trade_capped"
#: Every reason code a distribution file may give, with what it means.
REASONS = {
    CAPPED: "held at the per-account cap; the rest went to others",
    SELF_INTERACTION_REMOVED: "its own views, likes, comments, attendance or trades left out",
    LOW_TRUST_DISCOUNTED: "engagement from, or points of, identities of low standing discounted",
    SAME_FUNDER_CLUSTER: "engagement or trades between identities sharing a funder left out",
    REVOKED_ATTESTATION_REMOVED: "points of revoked attestations left out",
    QUOTA_REACHED: "used up a weekly attestation quota (further activity earned no points)",
    BUDGET_SCALED: "engagement from identities beyond their weekly budget scaled down",
    TRADE_CAPPED: "trades from traders beyond their weekly volume cap scaled down",
}


def reason_codes(rules: TrustRules) -> dict[str, str]:
    """The codes a file under ``rules`` may give: ``trade_capped`` only with a trade cap, so
    a formula without one (v2) publishes the list it always did."""
    if rules.trade_cap is None:
        return {k: v for k, v in REASONS.items() if k != TRADE_CAPPED}
    return dict(REASONS)


@dataclass
class Report:
    """One account's inputs before and after the rules, and the reasons that applied."""

    before: dict[str, int]
    after: dict[str, Fraction] = field(default_factory=dict)
    standing: Fraction = Fraction(0)
    reasons: set[str] = field(default_factory=set)
    cluster: str | None = None  # a funder key it shares with another identity

    def to_json(self) -> dict[str, Any]:
        return {
            "before": {k: str(v) for k, v in self.before.items()},
            "after": {k: str(v) for k, v in self.after.items()},
            "standing": str(self.standing),
            "reasons": sorted(self.reasons),
        }


def _floor(x: float) -> Fraction:
    return Fraction(math.floor(x * UNIT + 1e-9), UNIT)


def seeds(graph: WeekGraph, rules: TrustRules, start: int) -> set[int]:
    """The established identities trust flows from (see the module)."""
    if not rules.seed_min_age:
        return set(graph.owners)  # a local chain or a demo: everyone is new, all count
    old = {t for t, seen in graph.first_seen.items() if seen <= start - rules.seed_min_age}
    return (old | graph.verified | graph.pass_holders) & set(graph.owners)


def fresh(graph: WeekGraph, start: int) -> set[int]:
    """Identities first seen during the week (or never): no standing, no vouching."""
    return {t for t in graph.owners if graph.first_seen.get(t, start) >= start}


def standings(graph: WeekGraph, rules: TrustRules, start: int) -> dict[int, Fraction]:
    """Every identity's standing in [0, 1] (absent: 0)."""
    trusted = seeds(graph, rules, start)
    new = fresh(graph, start) - trusted
    edges: dict[tuple[int, int], int] = defaultdict(int)
    for engager, creator, kind, _ in graph.interactions:
        edges[(engager, creator)] += EDGE_WEIGHTS[kind]
    for trader, creator, _ in graph.trades:
        edges[(trader, creator)] += EDGE_WEIGHTS["trade"]
    kept = sorted(
        (a, b, w) for (a, b), w in edges.items() if a not in new and not _same(graph, a, b)
    )
    successors: dict[int, list[int]] = defaultdict(list)
    nodes: set[int] = set()
    for a, b, _ in kept:
        successors[a].append(b)
        nodes |= {a, b}
    out = dict.fromkeys(trusted, Fraction(1))
    present = sorted(t for t in trusted if t in nodes)
    # only what the seeds reach: identities they do not reach hold no trust, and adding them
    # (a farm) leaves everyone else's rank exactly as it was
    reached = set(present)
    queue = deque(present)
    while queue:
        for successor in successors.get(queue.popleft(), ()):
            if successor not in reached:
                reached.add(successor)
                queue.append(successor)
    if not reached - trusted - new:
        return out  # nobody's standing to propagate: seeds hold 1, the fresh 0
    sub: nx.DiGraph[int] = nx.DiGraph()
    sub.add_nodes_from(sorted(reached))
    sub.add_weighted_edges_from((a, b, w) for a, b, w in kept if a in reached)
    alpha = float(rules.damping)
    rank = nx.pagerank(
        sub,
        alpha=alpha,
        personalization=dict.fromkeys(present, 1.0),
        weight="weight",
        max_iter=500,
        tol=1e-12,
    )
    restart = (1 - alpha) / len(present)
    for token in sorted(rank):
        if token not in out and token not in new:
            propagated = min(1.0, rank[token] / restart)
            out[token] = _floor(float(rules.newcomer_weight) * propagated)
    return out


def _same(graph: WeekGraph, a: int, b: int) -> bool:
    ka, kb = graph.funders.get(a), graph.funders.get(b)
    return bool(ka and kb and ka & kb)


def weigh(
    inputs: EpochInputs, formula: Formula, stand: dict[int, Fraction] | None = None
) -> dict[str, Report]:
    """Every account's report (checksummed address -> :class:`Report`); ``after`` holds the
    weighted quantities the formula scores. Needs ``inputs.graph`` and ``formula.trust``;
    ``stand`` is :func:`standings` if already computed."""
    graph, rules = inputs.graph, formula.trust
    if graph is None or rules is None:
        raise ValueError("trust weighting needs the week's graph and the formula's trust rules")
    if stand is None:
        stand = standings(graph, rules, inputs.start)
    by_owner = {a.lower(): a for a in inputs.accounts}
    reports: dict[str, Report] = {
        a: Report(before=i.quantities()) for a, i in inputs.accounts.items()
    }

    def report(token: int) -> Report | None:
        account = by_owner.get(graph.owners.get(token, ""))
        return None if account is None else reports[account]

    # budgets: each engager's week, same-funder engagement aside; contributions are counted
    # in whole millionths (floor of standing x budget scale), exactly, in integers
    funded = bool(graph.funders)
    micro = {t: s.numerator * UNIT // s.denominator for t, s in stand.items()}
    budget = rules.engager_budget
    spent: dict[int, int] = defaultdict(int)
    for engager, creator, kind, _ in graph.interactions:
        if not (funded and _same(graph, engager, creator)):
            spent[engager] += EDGE_WEIGHTS[kind]
    # a trader's week of attributed volume (same-funder trades aside) counts up to the trade
    # cap, shared over the creators it traded from: like the budget, per trader and not per
    # creator, so a creator splitting itself over identities gains nothing
    traded: dict[int, int] = defaultdict(int)
    for trader, creator, notional in graph.trades:
        if not (funded and _same(graph, trader, creator)):
            traded[trader] += notional // MICRO
    after: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    flags: dict[int, set[str]] = defaultdict(set)
    for engager, creator, kind, _ in graph.interactions:
        if funded and _same(graph, engager, creator):
            flags[creator].add(SAME_FUNDER_CLUSTER)
            continue
        weight, used = micro.get(engager, 0), spent[engager]
        if weight < UNIT:
            flags[creator].add(LOW_TRUST_DISCOUNTED)
        if used > budget:
            flags[creator].add(BUDGET_SCALED)
            weight = weight * budget // used
        after[creator][kind] += weight
    for trader, creator, notional in graph.trades:
        if funded and _same(graph, trader, creator):
            flags[creator].add(SAME_FUNDER_CLUSTER)
            continue
        weight = micro.get(trader, 0)
        if weight < UNIT:
            flags[creator].add(LOW_TRUST_DISCOUNTED)
        units, total = notional // MICRO, traded[trader]
        if rules.trade_cap is not None and total > rules.trade_cap:
            flags[creator].add(TRADE_CAPPED)
            after[creator]["trade"] += weight * units * rules.trade_cap // total
        else:
            after[creator]["trade"] += weight * units

    for token in set(after) | set(flags) | set(graph.self_interactions) | set(graph.quota_reached):
        found = report(token)
        if found is None:
            continue
        for kind, value in after[token].items():
            found.after[kind] = found.after.get(kind, Fraction(0)) + Fraction(value, UNIT)
        found.reasons |= flags[token]
        if graph.self_interactions.get(token):
            found.reasons.add(SELF_INTERACTION_REMOVED)
        if token in graph.quota_reached:
            found.reasons.add(QUOTA_REACHED)
        keys = graph.funders.get(token)
        if keys and SAME_FUNDER_CLUSTER in found.reasons:
            found.cluster = min(keys)

    # points, by the account's own standing (its best identity)
    own: dict[str, Fraction] = {}
    for token, owner in graph.owners.items():
        account = by_owner.get(owner)
        if account is not None:
            own[account] = max(own.get(account, Fraction(0)), stand.get(token, Fraction(0)))
    for account, found in reports.items():
        found.standing = own.get(account, Fraction(0))
        points = found.before.get("points", 0)
        if points:
            standing = found.standing.numerator * UNIT // found.standing.denominator
            found.after["points"] = Fraction(standing * points, UNIT)
            if found.standing < 1:
                found.reasons.add(LOW_TRUST_DISCOUNTED)
        if graph.revoked_points.get(account.lower()):
            found.reasons.add(REVOKED_ATTESTATION_REMOVED)
        found.after = {k: found.after.get(k, Fraction(0)) for k in WEIGHT_KEYS}
    return reports


def clusters(inputs: EpochInputs, stand: dict[int, Fraction]) -> list[dict[str, Any]]:
    """The week's flagged clusters, for the risk role before the root is proposed: identities
    sharing a funder key that engaged each other, and groups of identities below full standing
    that engage each other (largest first)."""
    graph = inputs.graph
    if graph is None:
        return []
    members: dict[str, set[int]] = defaultdict(set)
    for engager, creator, *_ in graph.interactions:
        if _same(graph, engager, creator):
            for key in graph.funders[engager] & graph.funders[creator]:
                members[key] |= {engager, creator}
    for trader, creator, _ in graph.trades:
        if _same(graph, trader, creator):
            for key in graph.funders[trader] & graph.funders[creator]:
                members[key] |= {trader, creator}
    out: list[dict[str, Any]] = []
    listed: list[tuple[str, set[int]]] = []
    # largest first; a funder's group inside one of the same funder's already listed is that
    # cluster seen through its other week's key, not a second one
    for key, tokens in sorted(members.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        source = key.rsplit(":", 1)[0] if key.startswith("funder:") else key
        if any(source == seen and tokens <= other for seen, other in listed):
            continue
        listed.append((source, tokens))
        out.append(
            {
                "kind": SAME_FUNDER_CLUSTER,
                "key": key,
                "identities": sorted(tokens),
                "accounts": sorted({graph.owners[t] for t in tokens if t in graph.owners}),
            }
        )
    # rings: connected groups of identities below full standing that engage each other
    low = {t for t in graph.owners if stand.get(t, Fraction(0)) < 1}
    ring: nx.Graph[int] = nx.Graph()
    ring.add_edges_from(
        (a, b) for a, b, *_ in graph.interactions if a in low and b in low and a != b
    )
    for component in nx.connected_components(ring):
        if len(component) >= RING_MIN:
            ordered = sorted(component)
            out.append(
                {
                    "kind": LOW_TRUST_DISCOUNTED,
                    "key": f"ring:{ordered[0]}",
                    "identities": ordered,
                    "accounts": sorted({graph.owners[t] for t in ordered}),
                }
            )
    out.sort(key=lambda c: (-len(c["accounts"]), c["key"]))
    return out
