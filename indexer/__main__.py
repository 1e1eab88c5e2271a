"""``python -m indexer``: see :mod:`indexer.cli`."""

from indexer.cli import main

if __name__ == "__main__":
    main()
