"""The web app served at ``/`` by the API process: its files, its pages' paths answered with
index.html for a browser, and every API route, /docs and unknown API path left as they were."""

from __future__ import annotations

import pytest

from tests.support.api import error

INDEX = "<!doctype html><title>Planet</title><div id=app></div>"
HTML = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}


@pytest.fixture
def web_client(make_client, tmp_path):
    built = tmp_path / "dist"
    (built / "assets").mkdir(parents=True)
    (built / "index.html").write_text(INDEX)
    (built / "assets" / "index-abc123.js").write_text("console.log('planet')")
    (tmp_path / "secret.txt").write_text("outside the build")
    return make_client(web_dir=built)


def test_root_and_assets_are_the_built_files(web_client):
    root = web_client.get("/")
    assert root.status_code == 200 and root.text == INDEX
    assert root.headers["content-type"].startswith("text/html")
    asset = web_client.get("/assets/index-abc123.js")
    assert asset.status_code == 200 and "planet" in asset.text
    assert "immutable" in asset.headers["cache-control"]
    assert web_client.head("/").status_code == 200


@pytest.mark.parametrize("page", ["/post/7", "/creator/alice", "/leaderboard", "/my-rewards"])
def test_a_page_path_answers_index_html_to_a_browser(web_client, page):
    reply = web_client.get(page, headers=HTML)
    assert reply.status_code == 200 and reply.text == INDEX
    # a program asking for JSON still learns there is no such API route
    assert error(web_client.get(page)) == (404, "not_found")


def test_api_routes_docs_and_api_paths_are_never_shadowed(web_client):
    assert web_client.get("/health", headers=HTML).json() == {"status": "ok"}
    assert error(web_client.get("/posts/999999", headers=HTML)) == (404, "not_found")
    assert error(web_client.get("/posts/1/no-such-thing", headers=HTML)) == (404, "not_found")
    assert error(web_client.get("/rewards", headers=HTML)) == (404, "not_found")
    assert error(web_client.get("/auth/nonce", headers=HTML)) == (405, "method_not_allowed")
    docs = web_client.get("/docs", headers=HTML)
    assert docs.status_code == 200 and "swagger" in docs.text.lower()
    assert web_client.get("/openapi.json").json()["info"]["title"] == "Planet API"
    assert error(web_client.post("/post/7", headers=HTML)) == (404, "not_found")


def test_no_file_outside_the_build_and_no_page_for_missing_files(web_client):
    assert error(web_client.get("/assets/missing.js", headers=HTML)) == (404, "not_found")
    assert error(web_client.get("/..%2Fsecret.txt", headers=HTML))[0] == 404
    assert "outside" not in web_client.get("/../secret.txt", headers=HTML).text


def test_without_a_build_the_root_is_the_api_404(make_client, tmp_path):
    client = make_client(web_dir=tmp_path / "empty")
    assert error(client.get("/", headers=HTML)) == (404, "not_found")
