"""`python -m feeds` runs the same CLI as the `feeds` console script."""

from feeds.cli import main

if __name__ == "__main__":
    main()
