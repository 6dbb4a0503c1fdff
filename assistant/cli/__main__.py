"""`python -m assistant.cli`: the same as the `assistant` console script."""

import sys

from assistant.cli import main

if __name__ == "__main__":   # not again in a worker process (spawned workers import this module)
    sys.exit(main())
