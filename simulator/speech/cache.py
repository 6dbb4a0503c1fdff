"""Heard results kept across runs: a repeated utterance is not spoken or recognised again.

A SQLite file in the data folder, keyed by a hash of everything that decides what is heard
(text, voice, room, the home's noise, seed, channel version). A file that is not a readable
cache is set aside (renamed ``*.corrupt-N``) and a new one started; nothing else is lost,
since every entry can be heard again.
"""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

from simulator.speech.engine import Recognition

SCHEMA = "CREATE TABLE IF NOT EXISTS heard (key TEXT PRIMARY KEY, text TEXT NOT NULL, confidence REAL NOT NULL)"


def cache_key(*parts: object) -> str:
    return hashlib.sha256("\x1f".join(str(p) for p in parts).encode("utf-8")).hexdigest()


class HeardCache:
    """``get``/``put`` of `Recognition`s; ``path=None`` keeps them in memory only."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.set_aside: Path | None = None
        self.hits = self.misses = 0
        self._db = self._open()

    def _open(self) -> sqlite3.Connection:
        if self.path is None:
            return self._init(sqlite3.connect(":memory:"))
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            db = self._init(sqlite3.connect(self.path, timeout=30))
            db.execute("SELECT key, text, confidence FROM heard LIMIT 1").fetchall()
            return db
        except sqlite3.DatabaseError:
            self.set_aside = self._set_aside(self.path)
            return self._init(sqlite3.connect(self.path, timeout=30))

    @staticmethod
    def _init(db: sqlite3.Connection) -> sqlite3.Connection:
        db.execute("PRAGMA journal_mode=WAL")
        db.execute(SCHEMA)
        db.commit()
        return db

    @staticmethod
    def _set_aside(path: Path) -> Path:
        number = 1
        while path.with_name(f"{path.name}.corrupt-{number}").exists():
            number += 1
        target = path.with_name(f"{path.name}.corrupt-{number}")
        path.rename(target)
        for suffix in ("-wal", "-shm"):
            side = path.with_name(path.name + suffix)
            if side.exists():
                side.unlink()
        return target

    def get(self, key: str) -> Recognition | None:
        row = self._db.execute("SELECT text, confidence FROM heard WHERE key = ?", (key,)).fetchone()
        if row is None:
            self.misses += 1
            return None
        self.hits += 1
        return Recognition(str(row[0]), float(row[1]))

    def put(self, key: str, heard: Recognition) -> None:
        self._db.execute("INSERT OR REPLACE INTO heard (key, text, confidence) VALUES (?, ?, ?)",
                         (key, heard.text, heard.confidence))
        self._db.commit()

    def __len__(self) -> int:
        return int(self._db.execute("SELECT COUNT(*) FROM heard").fetchone()[0])

    def close(self) -> None:
        self._db.close()
