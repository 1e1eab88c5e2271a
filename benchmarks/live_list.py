"""What ``GET /live`` costs a signed-in reader without passes, with and without private
sessions it cannot read, and prints one line:

    live_list: sessions=400 ms=N baseline_ms=N ratio=R

``ms`` is the median time of the listing (first page, 20 sessions) over ``--requests``
requests once ``--sessions`` private sessions of ``--hosts`` hosts sit above the public ones;
``baseline_ms`` the same listing on the same public sessions alone. The listing filters by
the reader's passes in SQL, so the two should be close (the listing used to step over every
private session in Python: 48 ms against 2 ms at 400). Through the app in process (routing,
dependencies, the SQL on SQLite, the JSON answer), no network.

    python -m benchmarks.live_list [--sessions 400] [--hosts 8] [--requests 200]
"""

from __future__ import annotations

import argparse
import secrets
import statistics
import tempfile
import time
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import Engine, insert

from api.app import create_app
from api.services import auth
from api.settings import ApiSettings
from planet.store import MIRROR, OFFCHAIN, make_engine, migrate
from planet.store.mirror import identities
from planet.store.offchain import live_sessions

CHAIN_ID = 31337
NOW = 1_900_000_000
SECRET = secrets.token_hex(32)
PUBLIC = 40


def address(n: int) -> str:
    return f"0x{n:040x}"


def _identity(token_id: int) -> dict[str, object]:
    return {
        "chain_id": CHAIN_ID,
        "token_id": token_id,
        "owner": address(token_id),
        "handle": f"user_{token_id}",
        "metadata_uri": "",
        "metadata_hash": "0x" + "00" * 32,
        "recovery": address(0),
        "verified": False,
        "labels": 0,
        "relayer": address(token_id),
        "registered_block": 1,
        "registered_tx": "0x" + "11" * 32,
        "updated_block": 1,
    }


def _session(host: int, visibility: str, n: int) -> dict[str, object]:
    return {
        "chain_id": CHAIN_ID,
        "host_token_id": host,
        "host_address": address(host),
        "title": f"{visibility} {n}",
        "description": "",
        "visibility": visibility,
        "scheduled_at": NOW + 3600,
        "started_at": None,
        "ended_at": None,
        "created_at": NOW,
    }


def seed(engine: Engine, hosts: int) -> int:
    """``hosts`` hosts, a reader (returned: its token id) and ``PUBLIC`` public sessions."""
    with engine.begin() as conn:
        conn.execute(insert(identities), [_identity(t) for t in range(1, hosts + 2)])
        conn.execute(
            insert(live_sessions), [_session(1 + n % hosts, "public", n) for n in range(PUBLIC)]
        )
    return hosts + 1


def add_private(engine: Engine, hosts: int, count: int) -> None:
    with engine.begin() as conn:
        conn.execute(
            insert(live_sessions),
            [_session(1 + n % hosts, "private", n) for n in range(count)],
        )


def timed_ms(client: TestClient, headers: dict[str, str]) -> float:
    started = time.perf_counter()
    reply = client.get("/live", headers=headers)
    elapsed = (time.perf_counter() - started) * 1000
    assert reply.status_code == 200, reply.text
    return elapsed


def database(folder: Path, name: str, hosts: int, private: int) -> tuple[str, int]:
    """A migrated SQLite database with the hosts, the reader and the public sessions, plus
    ``private`` private sessions; its URL and the reader's token id."""
    url = f"sqlite:///{folder / name}.sqlite"
    engine = make_engine(url)
    migrate(engine, MIRROR)
    migrate(engine, OFFCHAIN)
    reader = seed(engine, hosts)
    if private:
        add_private(engine, hosts, private)
    engine.dispose()
    return url, reader


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sessions", type=int, default=400, help="private sessions")
    parser.add_argument("--hosts", type=int, default=8, help="hosts they belong to")
    parser.add_argument("--requests", type=int, default=200, help="timed requests per figure")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        clients: list[TestClient] = []
        signed: list[dict[str, str]] = []  # the reader's session headers, per app (database)
        for name, private in (("baseline", 0), ("loaded", args.sessions)):
            url, reader = database(Path(folder), name, args.hosts, private)
            settings = ApiSettings(
                database_url=url,
                chain_id=CHAIN_ID,
                session_secret=SECRET,
                rate_limit_ip=10**9,
                rate_limit_identity=10**9,
                rate_limit_burst=10**9,
            )
            app = create_app(settings, clock=lambda: NOW)
            clients.append(TestClient(app))
            with app.state.engine.begin() as conn:
                token, _ = auth.open_session(conn, settings, address(reader), NOW, NOW + 3600)
            signed.append({"Authorization": f"Bearer {token}"})
        baseline_client, loaded_client = clients
        baseline_headers, headers = signed
        listed = loaded_client.get("/live", headers=headers).json()["items"]
        assert all(s["visibility"] == "public" for s in listed), "a private session leaked"
        for client, who in zip(clients, signed, strict=True):  # warm caches and pools
            for _ in range(10):
                timed_ms(client, who)
        # in alternating rounds, so a busy machine slows both figures alike
        baseline: list[float] = []
        loaded: list[float] = []
        for _ in range(max(1, args.requests // 20)):
            baseline += [timed_ms(baseline_client, baseline_headers) for _ in range(20)]
            loaded += [timed_ms(loaded_client, headers) for _ in range(20)]
        for client in clients:
            client.app.state.engine.dispose()  # type: ignore[attr-defined]
            client.close()
    base_ms, loaded_ms = statistics.median(baseline), statistics.median(loaded)
    print(
        f"live_list: sessions={args.sessions} ms={loaded_ms:.2f} baseline_ms={base_ms:.2f} "
        f"ratio={loaded_ms / base_ms:.2f}"
    )


if __name__ == "__main__":
    main()
