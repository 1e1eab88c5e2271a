"""How every ``planet`` command reports a failure the user can act on: one ``Error:`` line on
stderr and exit status 1, never a traceback."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import NoReturn

import click
from pydantic import ValidationError
from sqlalchemy.exc import SQLAlchemyError

from planet.core.errors import PlanetError
from planet.store.engine import describe


@contextmanager
def user_errors() -> Iterator[None]:
    """Turns Planet's own failures and a database's into one line and exit status 1."""
    try:
        yield
    except PlanetError as err:
        raise click.ClickException(str(err).strip().splitlines()[0]) from None
    except SQLAlchemyError as err:
        raise click.ClickException(describe(err)) from None


def fail_on_settings(err: ValidationError, env_prefix: str) -> NoReturn:
    """A settings object that failed validation: one ``Error:`` line per bad variable, named
    as the user sets it, then exit status 1."""
    for e in err.errors():
        if not e["loc"]:  # a rule across settings: its message names them
            click.echo(f"Error: {e['msg'].removeprefix('Value error, ')}", err=True)
            continue
        name = env_prefix + "_".join(str(p) for p in e["loc"]).upper()
        click.echo(f"Error: {name}: {e['msg']}", err=True)
    raise click.exceptions.Exit(1)
