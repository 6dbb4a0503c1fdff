"""`assistant serve` and `assistant tokens` (create, list, revoke)."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from assistant.paths import (
    LEARNING_URL_ENV,
    LOCK_URL_ENV,
    PREFS_URL_ENV,
    SERVICE_URL_ENV,
    TRACKER_URL_ENV,
    DataDir,
)

EXIT_OK, EXIT_FAIL = 0, 1


def add_serve_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--host", default="127.0.0.1", help="interface to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=5005, help="port (default 5005)")
    p.add_argument("--home", action="append", default=[], metavar="FILE",
                   help="register a home from a home YAML file (repeatable; a registered home keeps its state)")
    p.add_argument("--db", metavar="URL", help="one SQLAlchemy URL for every store (postgresql://...; "
                                               "default: SQLite files in the data folder)")
    p.add_argument("--redis", metavar="URL", help="Rasa's lock store (redis://...), for several servers")


def add_tokens_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("action", choices=["create", "list", "revoke"])
    p.add_argument("id", nargs="?", type=int, help="the token id to revoke")
    p.add_argument("--home", help="the household (create: required; list: only this one)")
    p.add_argument("--db", metavar="URL", help="the service database's URL (default: the data folder's)")


def use_store_urls(db: str | None, redis: str | None) -> None:
    """Point every store at ``db`` (and the lock store at ``redis``) for this process and the
    processes it starts (the action server inherits the environment)."""
    if db:
        for name in (PREFS_URL_ENV, LEARNING_URL_ENV, SERVICE_URL_ENV, TRACKER_URL_ENV):
            os.environ[name] = db
    if redis:
        os.environ[LOCK_URL_ENV] = redis


def register_homes(state: object, files: list[str]) -> list[str]:
    """Register the homes of ``files`` (or the shipped home when none is registered); their names."""
    from assistant.home import Home

    homes = state.homes  # type: ignore[attr-defined]
    names = []
    for file in files:
        home = Home.load(Path(file))
        registered, _created = homes.register(home)
        names.append(registered.name)
    if not homes.names():
        homes.register(Home.default(), "default")
    return names or homes.names()


def run_serve(args: argparse.Namespace) -> int:
    use_store_urls(args.db, args.redis)
    from assistant.service import server
    from assistant.service.state import ServiceState

    data = DataDir(Path(args.data_dir)).ensure()
    state = ServiceState.open(data, verbose=args.verbose)
    try:
        names = register_homes(state, args.home)
        state.start_runtime(names[0])
        server.serve(state, args.host, args.port, verbose=args.verbose)
    finally:
        state.close()
    return EXIT_OK


def run_tokens(args: argparse.Namespace) -> int:
    from rich.console import Console
    from rich.table import Table

    from assistant.service.tables import ServiceDB
    from assistant.service.tokens import TokenStore

    use_store_urls(args.db, None)
    console = Console(highlight=False)
    db = ServiceDB.open(DataDir(Path(args.data_dir)).ensure().service_url)
    try:
        tokens = TokenStore(db)
        if args.action == "create":
            if not args.home:
                console.print("[red]error:[/] say whose token: `assistant tokens create --home NAME`")
                return EXIT_FAIL
            info, token = tokens.create(args.home)
            # The token alone on stdout, so scripts can capture it; the rest on stderr.
            print(token)
            Console(stderr=True).print(f"token {info.id} for home {info.home!r}; it is shown only once "
                                       "(only its hash is stored)")
            return EXIT_OK
        if args.action == "revoke":
            if args.id is None:
                console.print("[red]error:[/] say which token: `assistant tokens revoke ID`")
                return EXIT_FAIL
            revoked = tokens.revoke(args.id)
            if revoked is None:
                console.print(f"[red]error:[/] no token {args.id}; `assistant tokens list` shows them")
                return EXIT_FAIL
            console.print(f"revoked token {revoked.id} of home {revoked.home!r}")
            return EXIT_OK
        rows = tokens.list(args.home)
        table = Table(title="Household tokens")
        for column in ("id", "home", "created", "last used", "state"):
            table.add_column(column)
        for row in rows:
            table.add_row(str(row.id), row.home, f"{row.created_at:%Y-%m-%d %H:%M}",
                          f"{row.last_used_at:%Y-%m-%d %H:%M}" if row.last_used_at else "never",
                          "active" if row.active else f"revoked {row.revoked_at:%Y-%m-%d %H:%M}")
        console.print(table if rows else "No tokens yet: `assistant tokens create --home NAME`.")
        return EXIT_OK
    finally:
        db.close()
