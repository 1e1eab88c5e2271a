"""The wallet in a real browser: EIP-6963 discovery, connect, Sign-In with Ethereum through the
API's /auth routes, the session across a reload, an account switch signing the old account out,
a wrong network prompting a switch (adding the network first), rejected requests and calls the
contract refuses (shown as its custom error) sending nothing, and a wallet found only at
window.ethereum."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.web.conftest import connect_and_sign_in, screenshot


def test_connect_sign_in_survives_reload_and_an_account_switch_signs_out(open_page, actors):
    fan, other = actors.users[0], actors.users[1]
    page, wallet = open_page(fan)
    page.get_by_role("heading", name="Public feed").wait_for()
    connect_and_sign_in(page)
    assert page.get_by_test_id("account").inner_text().startswith(fan.address[:6])
    assert wallet.asked.count("personal_sign") == 1
    assert page.evaluate("JSON.parse(localStorage['planet.session']).address") == (
        fan.address.lower()
    )
    screenshot(page, "feed-signed-in")

    page.reload()
    page.get_by_text("Signed in").wait_for()  # the session and the wallet came back
    assert page.get_by_test_id("account").inner_text().startswith(fan.address[:6])

    wallet.switch_account(page, other)
    page.get_by_role("button", name="Sign in with Ethereum").wait_for()
    assert page.get_by_test_id("account").inner_text().startswith(other.address[:6])
    assert page.evaluate("localStorage['planet.session'] === undefined")

    page.get_by_role("button", name="Sign in with Ethereum").click()
    page.get_by_text("Signed in").wait_for()
    page.get_by_role("button", name="Sign out").click()
    page.get_by_role("button", name="Sign in with Ethereum").wait_for()


def test_wrong_network_prompts_a_switch_that_adds_the_network(open_page, actors, web_app):
    page, wallet = open_page(actors.users[0], on_chain=1)
    page.get_by_role("button", name="Connect Planet Test Wallet").click()
    alert = page.get_by_role("alert").filter(has_text="Wrong network (chain 1)")
    alert.wait_for()
    assert page.get_by_role("button", name="Sign in with Ethereum").is_disabled()
    screenshot(page, "wrong-network")

    page.get_by_role("button", name="Switch to local anvil").click()
    alert.wait_for(state="detached")
    assert wallet.on_chain == web_app.manifest.chain_id
    assert [int(a["chainId"], 16) for a in wallet.added] == [web_app.manifest.chain_id]
    assert wallet.asked.count("wallet_switchEthereumChain") == 2  # refused, then after adding
    assert page.get_by_role("button", name="Sign in with Ethereum").is_enabled()


def test_rejected_requests_send_nothing(open_page, actors, web_app):
    user = actors.users[2]
    page, wallet = open_page(user, "/studio")
    page.get_by_role("button", name="Connect Planet Test Wallet").click()

    wallet.reject_next("personal_sign")
    page.get_by_role("button", name="Sign in with Ethereum").click()
    page.get_by_role("alert").filter(has_text="You rejected the request").wait_for()
    assert page.evaluate("localStorage['planet.session'] === undefined")

    page.get_by_label("Handle").fill("rejecter")
    wallet.reject_next("eth_sendTransaction")
    page.get_by_role("button", name="Register").click()
    status = page.get_by_role("status").filter(has_text="Register:")
    status.filter(has_text="nothing was sent").wait_for()
    screenshot(page, "studio-rejected")
    assert wallet.sent == []
    identity = web_app.planet.identity
    assert identity.functions.identityOf(user.address).call() == 0

    # a call the contract would refuse shows its custom error and notice; nothing is sent
    web_app.planet.register(actors.users[3], "taken")
    page.get_by_label("Handle").fill("taken")
    page.get_by_role("button", name="Register").click()
    failed = page.get_by_role("status").filter(has_text="Register failed")
    expect(failed).to_contain_text("IdentityHandleTaken(taken): The handle, after normalisation")
    screenshot(page, "studio-custom-error")
    assert wallet.sent == []


def test_a_wallet_without_eip6963_is_found_at_window_ethereum(open_page, actors):
    page, wallet = open_page(actors.users[0], legacy=True)
    page.get_by_role("button", name="Connect Browser wallet").click()
    page.get_by_role("button", name="Sign in with Ethereum").click()
    page.get_by_text("Signed in").wait_for()
    assert wallet.asked.count("personal_sign") == 1
    assert page.get_by_role("button", name="Connect Planet Test Wallet").count() == 0
