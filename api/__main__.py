"""``python -m api``: the same as ``planet serve`` (:mod:`planet.commands.serve`)."""

from planet.commands.serve import main

if __name__ == "__main__":
    main()
