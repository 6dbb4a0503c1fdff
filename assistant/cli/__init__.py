"""The `assistant` command: chat, demo, train, simulate, eval-nlu, bench and friends.

Command names and options follow the command-line contract in DESIGN.md. The package holds
the parser (`parser.py`), the commands (`commands.py`) and what they share (`common.py`);
`main` (the console script `assistant.cli:main`) parses, runs the command and turns the
expected errors into one clear line.
"""

from __future__ import annotations

from pathlib import Path

from assistant.cli.common import EXIT_FAIL, EXIT_OK, EXIT_USAGE, print_error
from assistant.cli.parser import build_parser
from assistant.paths import DEFAULT_DATA_DIR

__all__ = ["EXIT_FAIL", "EXIT_OK", "EXIT_USAGE", "build_parser", "main"]


def main(argv: list[str] | None = None) -> int:
    """Run the `assistant` command line; return its exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    args.data_dir = Path(getattr(args, "data_dir", DEFAULT_DATA_DIR))
    args.verbose = getattr(args, "verbose", False)
    if not getattr(args, "func", None):
        parser.print_help()
        return EXIT_USAGE
    from assistant.context import BadUserIdError, UnknownDeviceError
    from assistant.runtime import RuntimeStartError, quiet_logs
    from assistant.training import TrainingError

    quiet_logs(args.verbose)
    try:
        return int(args.func(args))
    except (RuntimeStartError, TrainingError, UnknownDeviceError, BadUserIdError,
            ConnectionError) as error:
        return print_error(str(error))
    except KeyboardInterrupt:
        return 130
    except Exception as error:  # noqa: BLE001 - a clear line instead of a traceback
        if args.verbose:
            raise
        name = type(error).__name__
        if name == "HomeFileError":
            return print_error(str(error))
        return print_error(f"{name}: {error} (run with --verbose for details)")

