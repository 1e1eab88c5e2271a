"""``python -m api``: serve the API with uvicorn, or migrate its tables.

Settings come from ``PLANET_API_*`` variables (see :class:`api.settings.ApiSettings`); the
indexer must have migrated its own tables in the same database (``python -m indexer migrate``).
"""

from __future__ import annotations

import argparse
import sys

from pydantic import ValidationError

from api.settings import ENV_PREFIX, ApiSettings


def _settings() -> ApiSettings:
    try:
        return ApiSettings()  # type: ignore[call-arg]
    except ValidationError as err:
        for e in err.errors():
            if not e["loc"]:  # a rule across settings: its message names them
                print(f"error: {e['msg'].removeprefix('Value error, ')}", file=sys.stderr)
                continue
            name = ENV_PREFIX + "_".join(str(p) for p in e["loc"]).upper()
            print(f"error: {name}: {e['msg']}", file=sys.stderr)
        raise SystemExit(1) from None


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m api",
        description="Planet's API. Settings come from PLANET_API_* environment variables "
        "(PLANET_API_SESSION_SECRET is required).",
    )
    sub = parser.add_subparsers(dest="command")
    sub.add_parser("serve", help="run the HTTP server (the default)")
    parser.add_argument("--host", default="127.0.0.1", help="bind address (127.0.0.1)")
    parser.add_argument("--port", type=int, default=8000, help="port (8000)")
    parser.add_argument("--workers", type=int, default=1, help="worker processes (1)")
    sub.add_parser("migrate", help="create or upgrade the API's tables, then exit")
    args = parser.parse_args(argv)
    settings = _settings()

    from api.db import make_engine, migrate
    from indexer.db import DatabaseError, schema_is_current

    engine = make_engine(settings.database_url)
    if args.command == "migrate":
        migrate(engine)
        engine.dispose()
        return
    try:
        current = schema_is_current(engine)
    except DatabaseError as err:
        print(f"error: {err}", file=sys.stderr)
        raise SystemExit(1) from None
    finally:
        engine.dispose()
    if not current:
        print(
            "warning: the indexer's tables are missing or out of date in this database; "
            "run `python -m indexer migrate` (or the indexer) against it",
            file=sys.stderr,
        )

    import uvicorn

    uvicorn.run(
        "api.app:create_app", factory=True, host=args.host, port=args.port, workers=args.workers
    )


if __name__ == "__main__":
    main()
