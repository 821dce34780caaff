"""``python -m dfopt``: the same as the ``dfopt`` command."""

from dfopt.cli import main

if __name__ == "__main__":
    main()
