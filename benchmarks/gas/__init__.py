"""Gas measurements, one module per contract family, each exposing
``measure(project, accounts, chain) -> dict[str, int]``."""
