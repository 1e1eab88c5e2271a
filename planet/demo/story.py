"""A week of a small Planet community, told against a deployed chain, the indexer and the API.

Two creators and their fans sign up on chain, sign in with Ethereum, write personas and posts in
all four areas (public posts, persona pages, a live session with chat, a private community behind
a pass), trade from a post on the paper exchange and submit the API's attestations from their own
wallets; a pass only contributors may buy is bought by the fan who earned the points, then
refunded within its window. Then the week closes: the vault is funded, the chain's clock passes
the week's end, the epoch is scored and its root proposed, the challenge period passes, and two
creators claim from their wallets. Every step goes through the real interfaces: signed
transactions on the chain, HTTP and WebSocket on the API, the indexer in between.

:func:`run` returns what happened (allocations, claims, balances) for a caller to print or check.
"""

from __future__ import annotations

import contextlib
import secrets
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from eth_account.signers.local import LocalAccount
from eth_utils import to_checksum_address
from web3 import Web3

from api.settings import ApiSettings
from planet.chain.vault import KeyProposer, Vault
from planet.chain.wallets import KeyWallet
from planet.commands.claim import Claimed, claim_with
from planet.core import manifest as manifests
from planet.core.epochs import EpochCalendar
from planet.core.passes import NATIVE, PassTerms
from planet.core.typed_data import Registration
from planet.demo.client import ApiClient, DemoError
from planet.demo.runtime import ApiServer, ChainClock, LocalIndexer, Wallets
from planet.rewards import scoring
from planet.rewards.close import CloseResult, close_epoch
from planet.store import OFFCHAIN, migrate

ETHER = 10**18
PRICES = {"BTC-USDT": "65000", "ETH-USDT": "3200"}
ZERO_HASH = b"\x00" * 32
NO_RECOVERY = "0x" + "00" * 20  # no recovery address


@dataclass
class Member:
    account: LocalAccount
    handle: str
    token_id: int = 0

    @property
    def address(self) -> str:
        return self.account.address


@dataclass
class StoryConfig:
    rpc_url: str
    manifest_path: Path
    workdir: Path
    #: the deployer (holds every role on a local deployment: attester, distributor, admin),
    #: then creators and fans, in that order
    deployer: LocalAccount
    people: list[LocalAccount]
    api_host: str = "127.0.0.1"
    api_port: int = 8000
    pool: int = ETHER  # what the week's prize pool holds (native OKB)
    fans: int = 3  # how many of ``people`` after the two creators take part
    # The local formula: the published one, with paper-exchange trades counted (they cost
    # nothing, so production counts only real exchanges).
    scoring_config: Path = Path("config/scoring-local.yaml")


@dataclass
class Earner:
    handle: str
    address: str
    amount: int
    score: str
    why: dict[str, int]
    reasons: list[str] = field(default_factory=list)  # the rules that changed its inputs


@dataclass
class StoryResult:
    epoch: int
    close: CloseResult
    earners: list[Earner]
    claims: dict[str, Claimed]  # handle -> what the claim paid
    api_url: str
    events_indexed: int
    earned_pass: dict[str, Any] = field(default_factory=dict)  # the pass bought with points


class Story:
    """The running parts of one telling: chain, wallets, indexer, API server and client."""

    def __init__(self, config: StoryConfig, say: Callable[[str], None]) -> None:
        self.config = config
        self.say = say
        self.w3 = Web3(Web3.HTTPProvider(config.rpc_url, request_kwargs={"timeout": 60}))
        self.manifest = manifests.load(config.manifest_path)
        if self.w3.eth.chain_id != self.manifest.chain_id:
            raise DemoError(
                f"the RPC serves chain {self.w3.eth.chain_id}, the manifest is for "
                f"{self.manifest.chain_id}"
            )
        self.clock = ChainClock(self.w3)
        self.wallets = Wallets(self.w3)
        self.calendar = EpochCalendar(self.manifest.genesis)
        self.contracts = {
            name: self.w3.eth.contract(address=to_checksum_address(c.address), abi=c.abi)
            for name, c in self.manifest.contracts.items()
        }
        config.workdir.mkdir(parents=True, exist_ok=True)
        database = config.workdir / "planet.sqlite"
        for stale in config.workdir.glob("planet.sqlite*"):
            stale.unlink()
        self.database_url = f"sqlite:///{database}"
        self.distributions = config.workdir / "distributions"
        self.indexer = LocalIndexer(config.rpc_url, self.database_url, self.manifest)
        migrate(self.indexer.engine, OFFCHAIN)
        domain = f"{config.api_host}:{config.api_port}"
        settings = ApiSettings(
            database_url=self.database_url,
            chain_id=self.manifest.chain_id,
            siwe_domain=domain,
            session_secret=secrets.token_hex(32),
            attester_private_key=config.deployer.key.hex(),
            manifest=config.manifest_path,
            rpc_url=config.rpc_url,  # what GET /chain hands the wallets, and where tokens are read
            distributions_dir=self.distributions,
            paper_prices=PRICES,
            attested_exchanges=("okx", "paper"),
            scoring_config=config.scoring_config,  # its attestation rules: the local formula
            token_ttl=30 * 24 * 3600,  # sessions outlive the week the story skips
            # Every wallet of the story calls from this one address: per-IP limits for a crowd.
            rate_limit_ip=60_000,
            rate_limit_burst=1_000,
        )
        self.server = ApiServer(settings, self.clock, config.api_host, config.api_port)
        self.api = ApiClient(self.server.url, domain, self.manifest.chain_id)
        self.events = 0

    def close(self) -> None:
        self.api.close()
        self.server.stop()
        self.indexer.close()

    def c(self, name: str) -> Any:
        return self.contracts[name].functions

    def index(self) -> None:
        new = self.indexer.catch_up()
        self.events += new
        self.say(f"   indexer: {new} new events (total {self.events})")

    def now(self) -> int:
        return int(self.clock())


@contextlib.contextmanager
def started(config: StoryConfig, say: Callable[[str], None]) -> Iterator[Story]:
    story = Story(config, say)
    story.server.start()
    try:
        yield story
    finally:
        story.close()


def _attest(story: Story, member: Member, activity: str, activity_id: int) -> str:
    """The API signs a Contribution; the member submits it from their own wallet."""
    signed = story.api.call(
        "POST", "/attestations", member.account, json={"activity": activity, "id": activity_id}
    )
    # The API signed for the week of its clock. anvil mines only on demand, so at a week's turn
    # its latest block (which the gas estimate runs against) can still lie in the week before,
    # and attest() would refuse the "future" epoch: a block mined now brings the chain level.
    story.w3.provider.make_request("evm_mine", [])  # type: ignore[arg-type]
    c = signed["contribution"]
    contribution = (
        to_checksum_address(c["account"]),
        c["kind"],
        c["amount"],
        c["epoch"],
        bytes.fromhex(c["uid"][2:]),
        c["deadline"],
    )
    story.wallets.send(
        member.account,
        story.c("ContributionPoints").attest(contribution, bytes.fromhex(signed["signature"][2:])),
        what=f"attest {activity} {activity_id} for @{member.handle}",
    )
    return f"@{member.handle}: {activity} #{activity_id} -> {c['amount']} points"


def sign_up(story: Story, members: list[Member]) -> None:
    """Identities on chain, sessions by SIWE, personas whose hash goes back on chain."""
    story.say("==> signing up: identities on chain, then Sign-In with Ethereum")
    identity = story.c("Identity")
    for m in members:
        uri = f"{story.server.url}/profiles/{m.handle}/persona"
        registration = Registration(m.handle, uri, ZERO_HASH, NO_RECOVERY)
        story.wallets.send(m.account, identity.register(registration.as_tuple()), what="register")
        m.token_id = identity.identityOf(m.address).call()
        story.say(f"   @{m.handle} is identity #{m.token_id} ({m.address})")
    story.index()
    for m in members:
        story.api.sign_in(m.account, story.now())
        saved = story.api.call(
            "PUT",
            "/profiles/me/persona",
            m.account,
            json={"bio": f"I am {m.handle} on Planet.", "links": [f"https://{m.handle}.example"]},
        )
        digest = bytes.fromhex(saved["metadata_hash"][2:])
        uri = f"{story.server.url}/profiles/{m.handle}/persona"
        story.wallets.send(m.account, identity.setMetadata(uri, digest), what="setMetadata")
    story.index()
    verified = [story.api.call("GET", f"/profiles/{m.handle}")["persona_verified"] for m in members]
    story.say(f"   {len(members)} signed in; personas match their on-chain hash: {all(verified)}")


def create_content(story: Story, alice: Member, bob: Member) -> dict[str, int]:
    story.say("==> posting: public posts with instruments and disclosures, a private post")
    trade_post = story.api.call(
        "POST",
        "/posts",
        alice.account,
        json={
            "body": "BTC looks strong into the weekly close.",
            "instruments": ["BTC-USDT"],
            "disclosure": {"holds_position": True, "sponsored": False},
        },
    )["id"]
    bob_post = story.api.call(
        "POST", "/posts", bob.account, json={"body": "Live AMA on Thursday, bring questions."}
    )["id"]
    private_post = story.api.call(
        "POST",
        "/posts",
        alice.account,
        json={"body": "Pass holders: my full trade plan.", "visibility": "private"},
    )["id"]
    story.api.call(
        "PUT",
        "/profiles/me/persona",
        alice.account,
        json={"bio": "Macro and BTC.", "pinned_post_ids": [trade_post]},
    )
    # The persona changed, so its new hash goes on chain.
    saved = story.api.call("GET", f"/profiles/{alice.handle}")
    story.wallets.send(
        alice.account,
        story.c("Identity").setMetadata(
            saved["metadata_uri"], bytes.fromhex(saved["persona_hash"][2:])
        ),
        what="setMetadata",
    )
    story.index()
    persona = story.api.call("GET", f"/profiles/{alice.handle}")
    story.say(
        f"   posts #{trade_post} (BTC-USDT, holds a position), #{bob_post}, "
        f"#{private_post} (private); @{alice.handle}'s persona pins #{trade_post} "
        f"(matches chain: {persona['persona_verified']})"
    )
    return {"trade": trade_post, "bob": bob_post, "private": private_post}


def private_community(story: Story, alice: Member, fans: list[Member], post_id: int) -> None:
    story.say("==> a private community: a pass on chain, bought by one fan")
    cp = story.c("CommunityPass")
    price = ETHER // 100
    terms = PassTerms(NATIVE, price, 100, 1, uri="ipfs://planet-demo/passes/alice")
    story.wallets.send(alice.account, cp.createPass(terms.as_tuple()), what="createPass")
    pass_id = cp.lastPassId().call()
    buyer, outsider = fans[0], fans[-1]
    story.wallets.send(
        buyer.account, cp.mint(pass_id, buyer.address, 1, price), value=price, what="mint pass"
    )
    story.index()
    post = story.api.call("GET", f"/posts/{post_id}", buyer.account)
    refused = story.api.call("GET", f"/posts/{post_id}", outsider.account, expect=(403,))
    story.say(
        f"   @{buyer.handle} bought pass #{pass_id} for 0.01 OKB and reads: {post['body']!r}; "
        f"@{outsider.handle} gets 403 {refused['error']['code']}"
    )


def earned_pass(story: Story, alice: Member, fans: list[Member]) -> dict[str, Any]:
    """Protocol v2: a pass only contributors may buy. The fan whose comment was attested holds
    the points it requires and buys it; a fan without points is refused on chain (``canMint``
    names the missing points, as the API's rights route does). The buyer then cancels within
    the refund window and withdraws the pro-rata refund (pull payment)."""
    story.say("==> rights earned by contribution: a pass only contributors may buy, and a refund")
    cp = story.c("CommunityPass")
    points = story.c("ContributionPoints")
    earned = {f.handle: int(points.balanceOf(f.address).call()) for f in fans}
    earner = max(fans, key=lambda f: earned[f.handle])
    newcomer = min(fans, key=lambda f: earned[f.handle])
    required = earned[earner.handle]
    if required == 0 or earned[newcomer.handle] >= required:
        raise DemoError("the story needs one fan with attested points and one without")
    price = ETHER // 100
    terms = PassTerms(
        NATIVE, price, 100, 1, duration=30 * 86400, uri="ipfs://planet-demo/passes/circle"
    )
    story.wallets.send(alice.account, cp.createPass(terms.as_tuple()), what="createPass circle")
    pass_id = cp.lastPassId().call()
    story.wallets.send(
        alice.account, cp.setRequirements(pass_id, (required, 0, False)), what="setRequirements"
    )
    story.wallets.send(alice.account, cp.setRefundWindow(pass_id, 7 * 86400), what="refund window")
    story.index()
    refused = story.api.call("GET", f"/passes/{pass_id}/rights/{newcomer.address}")
    allowed, reason = cp.canMint(pass_id, newcomer.address).call()
    missing = refused["missing"][0]
    story.say(
        f"   pass #{pass_id} requires {required} contribution points; @{newcomer.handle} has "
        f"{missing['has']}: buy disabled ({refused['mint_blocked']}; on chain canMint = "
        f"{bool(allowed)}, reason {reason})"
    )
    story.wallets.send(
        earner.account,
        cp.mint(pass_id, earner.address, 1, price),
        value=price,
        what="mint the contributors' pass",
    )
    access = cp.hasAccess(earner.address, pass_id).call()
    story.say(
        f"   @{earner.handle} earned {earned[earner.handle]} points (an attested comment) and "
        f"bought pass #{pass_id} for 0.01 OKB: access {access}"
    )
    story.index()
    offer = story.api.call("GET", f"/passes/{pass_id}/rights/{earner.address}")["refund"]
    story.wallets.send(earner.account, cp.cancelSubscription(pass_id), what="cancel and refund")
    refund = int(cp.proceeds(earner.address, NATIVE).call())
    story.wallets.send(earner.account, cp.withdraw(NATIVE), what="withdraw the refund")
    story.index()
    story.say(
        f"   @{earner.handle} cancelled within the 7-day window: refunded {refund} wei "
        f"(offered: about {offer['amount_display']}), withdrawn by pull; access now "
        f"{cp.hasAccess(earner.address, pass_id).call()}"
    )
    return {"pass": pass_id, "required": required, "buyer": earner.handle, "refund": refund}


def engage(story: Story, posts: dict[str, int], fans: list[Member]) -> None:
    story.say("==> fans view, like and comment")
    for n, fan in enumerate(fans):
        for post_id in (posts["trade"], posts["bob"]):
            story.api.call("POST", f"/posts/{post_id}/views", fan.account)
            story.api.call("PUT", f"/posts/{post_id}/like", fan.account)
        if n % 2 == 0:
            story.api.call(
                "POST",
                f"/posts/{posts['trade']}/comments",
                fan.account,
                json={"body": f"Great call, from @{fan.handle}"},
            )
    trade_post = story.api.call("GET", f"/posts/{posts['trade']}")
    story.say(
        f"   post #{posts['trade']}: {trade_post['view_count']} views, "
        f"{trade_post['like_count']} likes, {trade_post['comment_count']} comments"
    )


def live_session(story: Story, bob: Member, fans: list[Member]) -> int:
    story.say("==> a live session with chat over WebSocket")
    when = datetime.fromtimestamp(story.now() + 60, tz=UTC).isoformat()
    session = story.api.call(
        "POST",
        "/live",
        bob.account,
        json={"title": "Thursday AMA", "description": "Ask me anything", "scheduled_at": when},
    )["id"]
    story.api.call("POST", f"/live/{session}/start", bob.account)
    sockets = [story.api.chat(session, fan.account) for fan in fans]
    try:
        sockets[0].send('{"body": "gm from the chat"}')
        heard = [ApiClient.receive(s, "message")["body"] for s in sockets[1:]]
        story.api.call(
            "POST", f"/live/{session}/messages", bob.account, json={"body": "welcome all"}
        )
        for s in sockets:
            ApiClient.receive(s, "message")
        story.api.call("POST", f"/live/{session}/end", bob.account)
        # the end is the last frame each socket hears; then the server closes it
        closed = sum(ApiClient.hears_end(s) for s in sockets)
    finally:
        for s in sockets:
            s.close()
    info = story.api.call("GET", f"/live/{session}")
    story.say(
        f"   session #{session} ({info['status']}): {len(fans)} attended; "
        f"{len(heard)} other sockets heard 'gm from the chat'; {closed} closed by the end"
    )
    return session


def trade(story: Story, alice: Member, fans: list[Member], post_id: int) -> list[int]:
    story.say("==> trading from a post on the paper exchange")
    fills: list[int] = []
    for n, trader in enumerate([*fans[:2], alice]):
        order = story.api.call(
            "POST",
            f"/posts/{post_id}/orders",
            trader.account,
            json={
                "instrument": "BTC-USDT",
                "side": "buy",
                "type": "market",
                "size": "0.01" if n < 2 else "0.05",
            },
        )
        own = trader is alice
        story.say(
            f"   @{trader.handle} bought {order['size']} BTC at {order['fills'][0]['price']}: "
            f"{order['status']}{' (own post: not attributed)' if own else ''}"
        )
        if not own:
            fills += [f["id"] for f in order["fills"]]
    volume = story.api.call("GET", f"/posts/{post_id}/trading")
    story.say(f"   attributed to @{alice.handle}'s post: {volume}")
    return fills


def attest(
    story: Story,
    alice: Member,
    bob: Member,
    fans: list[Member],
    posts: dict[str, int],
    session: int,
    fills: list[int],
) -> None:
    story.say("==> contribution attestations: the API signs, users submit from their wallets")
    done = [
        _attest(story, alice, "post", posts["trade"]),
        _attest(story, bob, "post", posts["bob"]),
        _attest(story, bob, "live", session),
        *(_attest(story, alice, "trade", fill) for fill in fills[:1]),
    ]
    comments = story.api.call("GET", f"/posts/{posts['trade']}/comments")["items"]
    for comment in comments[:1]:
        author = next(f for f in fans if f.token_id == comment["author"]["token_id"])
        done.append(_attest(story, author, "comment", comment["id"]))
    for line in done:
        story.say(f"   {line}")
    story.index()
    mine = story.api.call("GET", "/attestations/mine", alice.account)["items"]
    story.say(f"   @{alice.handle}'s attestations: {[a['status'] for a in mine]}")


def settle(story: Story, epoch: int) -> CloseResult:
    config = story.config
    story.say(f"==> closing week {epoch}: fund the pool, pass the week's end, score, propose")
    vault = story.c("PrizeVault")
    story.wallets.send(
        config.deployer, vault.fund(epoch, config.pool), value=config.pool, what="fund"
    )
    story.clock.travel_to(story.calendar.end(epoch) + 60)
    story.say(f"   chain clock moved past the end of week {epoch}")
    story.index()
    deployed = story.manifest.contract("PrizeVault")
    reader = Vault(story.w3, deployed)
    result = close_epoch(
        engine=story.indexer.engine,
        vault=reader,
        proposer=KeyProposer(reader, KeyWallet(config.deployer)),
        manifest=story.manifest,
        epoch=epoch,
        config=scoring.load(config.scoring_config),
        out_dir=story.distributions,
        uri_base=f"{story.server.url}/distributions",
        progress=False,
    )
    story.say(
        f"   root {result.distribution.root} for {result.distribution.total} wei proposed in "
        f"{result.tx_hash}; file {result.path.name if result.path else '-'} "
        f"(hash {result.file_hash[:18]}…)"
    )
    challenge = vault.CHALLENGE_PERIOD().call()
    story.clock.travel_to(story.now() + challenge + 60)
    story.say(f"   challenge period ({challenge} s) passed without a veto")
    story.index()
    return result


def claims(story: Story, claimers: list[Member]) -> dict[str, Claimed]:
    story.say("==> claiming from wallets (claimMany with the API's proofs)")
    paid: dict[str, Claimed] = {}
    for m in claimers:
        key_file = story.config.workdir / f"{m.handle}.key"
        key_file.write_text(m.account.key.hex() + "\n")
        key_file.chmod(0o600)
        claimed = claim_with(
            rpc=story.config.rpc_url,
            manifest_path=story.config.manifest_path,
            api=story.server.url,
            key_file=key_file,
            echo=lambda line: story.say(f"   {line}"),
        )
        if claimed is None:
            raise DemoError(f"@{m.handle} had nothing to claim")
        paid[m.handle] = claimed
    story.index()
    return paid


def earners(result: CloseResult, members: list[Member]) -> list[Earner]:
    handles = {m.address.lower(): m.handle for m in members}
    reasons = {
        e["account"].lower(): list(e["reasons"])
        for e in result.distribution.data.get("accounts", ())
    }
    out = []
    for entry in result.distribution.data["allocations"]:
        account = entry["account"]
        inputs = result.inputs.accounts[to_checksum_address(account)]
        why = {k: v for k, v in inputs.quantities().items() if v}
        out.append(
            Earner(
                handles.get(account.lower(), "?"),
                account,
                int(entry["amount"]),
                entry["score"],
                why,
                reasons.get(account.lower(), []),
            )
        )
    return sorted(out, key=lambda e: -e.amount)


def run(
    config: StoryConfig,
    say: Callable[[str], None],
    after: Callable[[StoryResult], None] | None = None,
) -> StoryResult:
    """Tells the story. ``after`` runs once it is told, with the API still serving and the
    indexer following the chain (the demo prints its table there and waits for Ctrl-C)."""
    if config.fans < 2 or len(config.people) < 2 + config.fans:
        raise DemoError("the story needs two creators and at least two fans")
    handles = ["alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi"]
    members = [
        Member(a, h) for a, h in zip(config.people[: 2 + config.fans], handles, strict=False)
    ]
    alice, bob, fans = members[0], members[1], members[2:]
    with started(config, say) as story:
        say(f"==> API at {story.server.url}, database {story.database_url}")
        epoch = story.calendar.epoch_at(story.now())
        begins = datetime.fromtimestamp(story.now(), tz=UTC)
        say(f"==> week {epoch} is under way (chain time {begins:%Y-%m-%d %H:%M} UTC)")
        sign_up(story, members)
        posts = create_content(story, alice, bob)
        private_community(story, alice, fans, posts["private"])
        engage(story, posts, fans)
        session = live_session(story, bob, fans)
        fills = trade(story, alice, fans, posts["trade"])
        attest(story, alice, bob, fans, posts, session, fills)
        earned = earned_pass(story, alice, fans)
        result = settle(story, epoch)
        paid = claims(story, [alice, bob])
        outcome = StoryResult(
            epoch, result, earners(result, members), paid, story.server.url, story.events, earned
        )
        if after is not None:
            stop = threading.Event()
            follower = story.indexer.follow(stop)
            try:
                after(outcome)
            finally:
                stop.set()
                follower.join(timeout=10)
        return outcome
