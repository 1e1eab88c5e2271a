"""``python -m indexer``: see :mod:`planet.commands.index`."""

from planet.commands.index import main

if __name__ == "__main__":
    main()
