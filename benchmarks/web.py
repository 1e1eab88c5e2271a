"""The web app's first load: builds it, serves it with the demo's data (``ape run demo`` on
free ports, its own work folder), loads each page in headless Chromium from a cold profile and
prints ``web: js_gzip_kb=N largest_page_ms=N``.

    python -m benchmarks.web

``js_gzip_kb`` is the gzipped size of the JavaScript the first page loads (target <= 250);
``largest_page_ms`` the slowest page's time from navigation until its heading is shown and
nothing on it is still loading, each in a fresh browser profile (no cache) after one throwaway
load that starts Chromium's processes (target: every page under 1,000 ms, local API).
"""

from __future__ import annotations

import gzip
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from playwright.sync_api import Page, Response, sync_playwright

ROOT = Path(__file__).resolve().parents[1]
APE = str(Path(sys.executable).with_name("ape"))
CHROMIUM = os.environ.get("PLANET_CHROMIUM", "/usr/bin/chromium")
PAGES = (
    "/",
    "/creators",
    "/creator/alice",
    "/post/1",
    "/sessions",
    "/leaderboard",
    "/my-rewards",
    "/studio",
    "/dashboard",
)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _demo(workdir: Path) -> tuple[subprocess.Popen[str], str]:
    """Starts the demo; returns it and the web app's URL once the story is told."""
    ports = ["--port", str(_free_port()), "--api-port", str(_free_port())]
    folders = ["--workdir", str(workdir / "run"), "--manifest-dir", str(workdir / "deployments")]
    demo = subprocess.Popen(
        [APE, "run", "demo", *ports, *folders],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert demo.stdout is not None
    for line in demo.stdout:
        if "web app at " in line:
            return demo, line.split("web app at ", 1)[1].split()[0].rstrip("/")
    raise SystemExit(f"the demo ended before serving (exit {demo.wait()})")


def _load(page: Page, url: str) -> float:
    """Milliseconds from navigation until the page's heading shows and nothing is loading."""
    began = time.perf_counter()
    page.goto(url, wait_until="commit")
    page.locator("main h1").first.wait_for()
    page.locator("[aria-busy=true]").first.wait_for(state="detached")
    return (time.perf_counter() - began) * 1000


def main() -> None:
    subprocess.run(["make", "--no-print-directory", "web/dist/index.html"], cwd=ROOT, check=True)
    with tempfile.TemporaryDirectory(prefix="planet-web-bench-") as folder:
        demo, base = _demo(Path(folder))
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path=CHROMIUM, args=["--no-sandbox"]
                )
                # One throwaway load first: Chromium's own start-up (renderer process, network
                # service) is not the app's first load; every measured page starts cold anyway.
                warm = browser.new_context()
                _load(warm.new_page(), base + "/leaderboard")
                warm.close()
                scripts: list[bytes] = []
                timings: dict[str, float] = {}
                for path in PAGES:
                    context = browser.new_context()  # cold: no cache, no session
                    page = context.new_page()

                    def keep(response: Response) -> None:
                        if response.request.resource_type == "script":
                            scripts.append(response.body())

                    if path == "/":
                        page.on("response", keep)
                    timings[path] = _load(page, base + path)
                    context.close()
                browser.close()
        finally:
            demo.send_signal(signal.SIGINT)
            demo.wait(60)
    for path, ms in timings.items():
        print(f"  {path:<16} {ms:7.0f} ms")
    js_kb = sum(len(gzip.compress(body)) for body in scripts) / 1024
    print(f"web: js_gzip_kb={js_kb:.0f} largest_page_ms={max(timings.values()):.0f}")


if __name__ == "__main__":
    main()
