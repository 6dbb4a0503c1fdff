"""What every `assistant` command shares: exit codes, the console, errors, the home file."""

from __future__ import annotations

from pathlib import Path

from assistant.paths import PROJECT_ROOT

EXIT_OK, EXIT_FAIL, EXIT_USAGE = 0, 1, 2
SHARED_DATA = PROJECT_ROOT.parent / "shared" / "data"


def make_console():
    """The console commands print to (stdout, no highlighting)."""
    from rich.console import Console

    return Console(stderr=False, highlight=False)


def print_error(message: str) -> int:
    """Print one red error line on stderr; return EXIT_FAIL."""
    from rich.console import Console

    Console(stderr=True, highlight=False).print(f"[bold red]error:[/] {message}")
    return EXIT_FAIL


def load_home(path: str | None):
    """The home in a YAML file, or the shipped one."""
    from assistant.home import Home

    return Home.load(Path(path)) if path else Home.default()

