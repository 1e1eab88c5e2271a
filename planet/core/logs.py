"""Structured logging for Planet's programs: key=value lines on a terminal, JSON lines when
``PLANET_LOG_FORMAT=json`` (for log collectors)."""

from __future__ import annotations

import logging
import os
import sys

import structlog


def configure(level: str | None = None) -> None:
    level_name = (level or os.environ.get("PLANET_LOG_LEVEL", "INFO")).upper()
    renderer: structlog.typing.Processor = (
        structlog.processors.JSONRenderer()
        if os.environ.get("PLANET_LOG_FORMAT") == "json"
        else structlog.dev.ConsoleRenderer(colors=sys.stderr.isatty())
    )
    structlog.configure(
        processors=[
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(
            logging.getLevelNamesMapping().get(level_name, logging.INFO)
        ),
        logger_factory=structlog.PrintLoggerFactory(file=sys.stderr),
        cache_logger_on_first_use=False,
    )


def bars_allowed() -> bool:
    """A progress bar only where a person watches it: on a terminal, and never into JSON logs
    (a bar's carriage returns would break every log line a collector parses)."""
    return sys.stderr.isatty() and os.environ.get("PLANET_LOG_FORMAT") != "json"


def get(name: str) -> structlog.typing.FilteringBoundLogger:
    return structlog.get_logger(name)
