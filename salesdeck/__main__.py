"""``python -m salesdeck``: the salesdeck command, for when its Scripts folder is not on PATH."""

from salesdeck.cli import main

if __name__ == "__main__":
    main()
