"""The trading record in the browser: a creator publishes a post disclosing her BTC position,
buys and sells from it, attests the closed trade from her studio with her wallet; a visitor sees
it on her creator page as recorded on chain and downloads the file, which ``planet record
verify`` checks against the chain."""

from __future__ import annotations

import json
from typing import Any

import pytest
from click.testing import CliRunner
from playwright.sync_api import expect

from planet.commands.main import main
from tests.web.conftest import connect_and_sign_in, screenshot


@pytest.fixture
def web_settings() -> dict[str, Any]:
    # a local chain's server: paper fills are attested (the default attests okx only)
    return {"attested_exchanges": ("okx", "paper")}


def test_a_creator_attests_a_trade_and_a_visitor_downloads_a_record_that_verifies(
    open_page, actors, web_app, manifest_file, tmp_path
):
    creator, visitor = actors.users[2], actors.users[3]
    web_app.planet.register(creator, "trader")
    web_app.indexed()

    studio, _ = open_page(creator, "/studio")
    connect_and_sign_in(studio)
    studio.get_by_label("Text").fill("Long BTC from here, I hold it.")
    studio.get_by_label("Instruments it discusses").fill("BTC-USDT")
    studio.get_by_label("I hold a position").check()
    studio.get_by_role("button", name="Publish").click()
    published = studio.get_by_role("status").filter(has_text="Published post")
    post_id = int(published.inner_text().split("post ")[1].split()[0])

    studio.goto(f"{web_app.url}/post/{post_id}")
    for side, price in (("buy", "65000"), ("sell", "66000")):
        web_app.app.state.exchange.set_price("BTC-USDT", price)
        studio.get_by_label("Side").select_option(side)
        studio.get_by_label("Size (base currency)").fill("0.002")
        studio.get_by_role("button", name="Place market order").click()
        expect(studio.get_by_test_id("order")).to_contain_text(f"{side} 0.002 BTC-USDT, filled")

    studio.get_by_role("link", name="Studio").click()
    record = studio.get_by_test_id("trading-record")
    row = record.locator("tr[data-seq='1']")
    expect(row).to_contain_text("BTC-USDT")
    expect(row).to_contain_text("long")
    expect(row.get_by_test_id("record-result")).to_have_text("2 (1.53846154%)")
    expect(row).to_contain_text("not attested")
    row.get_by_role("button", name="Attest trade 1").click()
    expect(row.get_by_role("status")).to_contain_text("confirmed")
    web_app.indexed()
    screenshot(studio, "trading-record-studio")

    page, _ = open_page(visitor, "/creator/trader")
    record = page.get_by_test_id("trading-record")
    row = record.locator("tr[data-seq='1']")
    expect(row.locator("[data-status]")).to_have_attribute("data-status", "recorded")
    expect(row).to_contain_text("recorded on chain")
    expect(row).to_contain_text("65000")
    expect(row).to_contain_text("66000")
    screenshot(page, "trading-record-creator")
    with page.expect_download() as download:
        record.get_by_role("link", name="Download the record").click()
    file = tmp_path / "trader.json"
    download.value.save_as(file)
    data = json.loads(file.read_text())
    assert [e["status"] for e in data["entries"]] == ["recorded"]

    checked = CliRunner(mix_stderr=False).invoke(
        main,
        [
            "record",
            "verify",
            str(file),
            "--rpc",
            web_app.planet.w3.provider.endpoint_uri,
            "--manifest",
            str(manifest_file),
        ],
    )
    assert checked.exit_code == 0, (checked.stdout, checked.stderr)
    assert "1 of 1 entries verified on chain" in checked.stdout
