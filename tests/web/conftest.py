"""Browser tests: headless Chromium (Debian's package, which ``make setup`` installs) driven by
Playwright for Python, on the app built into web/dist and served by the real API (uvicorn on a
loopback port) over the session's anvil deployment, with the real indexer following the chain
in a thread, and a test wallet injected into every page (:mod:`tests.web.wallet`)."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from eth_account.signers.local import LocalAccount
from playwright.sync_api import Browser, Page, expect, sync_playwright
from sqlalchemy import Engine

from api.app import create_app
from api.settings import ApiSettings
from api.web import BUILT
from planet.chain.vault import KeyProposer, Vault
from planet.chain.wallets import KeyWallet
from planet.core.epochs import EpochCalendar
from planet.core.manifest import Manifest
from planet.demo.runtime import ChainClock
from planet.rewards import scoring
from planet.rewards.close import CloseResult, close_epoch
from planet.store import OFFCHAIN, migrate
from tests.support.api import SECRET
from tests.support.ports import free_port
from tests.support.protocol import Planet
from tests.support.servers import serving
from tests.web.wallet import INIT_SCRIPT, TestWallet

CHROMIUM = os.environ.get("PLANET_CHROMIUM", "/usr/bin/chromium")
#: Every page's screenshot, for the reviewer (git-ignored).
SCREENSHOTS = Path(__file__).resolve().parents[2] / "web-screenshots"
#: How long the page may take to show what a step waits for (indexing included).
WAIT_MS = 20_000


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    assert (BUILT / "index.html").is_file(), "the web app is not built: run make setup"
    assert Path(CHROMIUM).is_file(), f"no Chromium at {CHROMIUM}: run make setup"
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield launched
        launched.close()


@dataclass
class WebApp:
    """The API serving the app, its chain, and the indexer following it."""

    url: str
    planet: Planet
    clock: ChainClock
    engine: Engine
    indexer: Any
    manifest: Manifest
    distributions: Path
    app: Any = None  # the FastAPI app (its paper exchange: app.state.exchange)

    def indexed(self, timeout: float = 20) -> None:
        """Waits until the following indexer has mirrored every block mined so far."""
        head = self.planet.w3.eth.block_number
        deadline = time.monotonic() + timeout
        while self.indexer.cursor.block_number < head:
            assert time.monotonic() < deadline, "the indexer did not catch up"
            time.sleep(0.05)

    def close_week(self, epoch: int, proposer: LocalAccount) -> CloseResult:
        """Moves the chain's clock past ``epoch``'s end, waits for the indexer, and closes the
        week as ``planet epoch close`` does (scored with the local formula, its root proposed
        by ``proposer``, its files served under ``/distributions``)."""
        self.clock.travel_to(EpochCalendar(self.manifest.genesis).end(epoch) + 60)
        self.indexed()
        vault = Vault(self.planet.w3, self.manifest.contract("PrizeVault"))
        return close_epoch(
            engine=self.engine,
            vault=vault,
            proposer=KeyProposer(vault, KeyWallet(proposer)),
            manifest=self.manifest,
            epoch=epoch,
            config=scoring.load("config/scoring-local.yaml"),
            out_dir=self.distributions,
            uri_base=f"{self.url}/distributions",
            progress=False,
        )


@pytest.fixture
def web_settings() -> dict[str, Any]:
    """API settings a test module changes by overriding this fixture."""
    return {}


@pytest.fixture
def web_app(
    planet,
    manifest,
    manifest_file,
    database_url,
    settings_for,
    make_indexer,
    actors,
    tmp_path,
    web_settings,
) -> Iterator[WebApp]:
    indexer, engine = make_indexer(settings_for(database_url, poll_interval=0.1))
    indexer.catch_up()
    migrate(engine, OFFCHAIN)
    stop = threading.Event()
    follower = threading.Thread(target=indexer.follow, args=(stop,), daemon=True)
    follower.start()
    port = free_port()  # the sign-in domain names it, so it is chosen before the app is built
    clock = ChainClock(planet.w3)
    settings = ApiSettings(
        database_url=database_url,
        chain_id=manifest.chain_id,
        siwe_domain=f"127.0.0.1:{port}",
        session_secret=SECRET,
        attester_private_key=actors.attester.key.hex(),
        manifest=manifest_file,
        rpc_url=planet.w3.provider.endpoint_uri,
        distributions_dir=tmp_path / "distributions",
        paper_prices={"BTC-USDT": "65000"},  # orders from posts fill on the paper exchange
        token_ttl=30 * 24 * 3600,  # sessions outlive the week a test skips
        rate_limit_ip=100_000,
        rate_limit_identity=100_000,
        rate_limit_burst=10_000,
    )
    settings = settings.model_copy(update=web_settings)
    app = create_app(settings, clock=clock)
    try:
        with serving(app, port) as url:
            yield WebApp(
                url, planet, clock, engine, indexer, manifest, tmp_path / "distributions", app
            )
    finally:
        app.state.engine.dispose()
        stop.set()
        follower.join(10)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> Any:
    report = yield
    if report.when == "call":
        item.stash[FAILED] = report.failed
    return report


FAILED = pytest.StashKey[bool]()


@pytest.fixture
def open_page(browser, web_app, request) -> Iterator[Callable[..., tuple[Page, TestWallet]]]:
    """Opens a page of the app in a fresh browser profile with a test wallet holding
    ``account`` (on the anvil's chain unless ``on_chain`` says another; ``legacy``: a wallet
    that sets window.ethereum and does not announce itself through EIP-6963)."""
    contexts = []

    def open_(
        account: LocalAccount, path: str = "/", on_chain: int = 0, legacy: bool = False
    ) -> tuple[Page, TestWallet]:
        wallet = TestWallet(
            web_app.planet.w3, account, web_app.manifest.chain_id, on_chain=on_chain
        )
        context = browser.new_context(viewport={"width": 1100, "height": 900})
        contexts.append(context)
        context.expose_function("planetTestWallet", wallet.handle)
        if legacy:  # the wallet only sets window.ethereum
            context.add_init_script("window.__planetTestWalletLegacy = true;")
        context.add_init_script(INIT_SCRIPT)
        page = context.new_page()
        page.set_default_timeout(WAIT_MS)
        page.goto(web_app.url + path)
        return page, wallet

    yield open_
    if request.node.stash.get(FAILED, False):  # what each page showed when the test failed
        for n, context in enumerate(contexts):
            for m, page in enumerate(context.pages):
                screenshot(page, f"failed-{request.node.name}-{n}-{m}")
    for context in contexts:
        context.close()


def screenshot(page: Page, name: str) -> Path:
    """Writes the page's screenshot for the reviewer; the caller asserts its content."""
    SCREENSHOTS.mkdir(exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def connect_and_sign_in(page: Page) -> None:
    """Connects the injected wallet and signs in with Ethereum, through the app's buttons."""
    page.get_by_role("button", name="Connect Planet Test Wallet").click()
    page.get_by_role("button", name="Sign in with Ethereum").click()
    page.get_by_text("Signed in").wait_for()


def publish(page: Page, body: str, instruments: str = "") -> int:
    """Publishes a post from the studio (the page is signed in, the visibility as selected);
    answers its id once the status names it. The studio reuses one status line, so a second
    post is waited for until the line changes: read at once, it still named the first post
    while the second was in flight, and the next post's text could overwrite the second's."""
    status = page.get_by_role("status").filter(has_text="Published post")
    before = status.inner_text() if status.count() else None
    page.get_by_label("Text").fill(body)
    if instruments:
        page.get_by_label("Instruments it discusses").fill(instruments)
    page.get_by_role("button", name="Publish").click()
    if before is not None:
        expect(status).not_to_have_text(before, timeout=WAIT_MS)
    return int(status.inner_text().split("post ")[1].split()[0])
