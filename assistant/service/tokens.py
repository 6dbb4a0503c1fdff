"""Household API tokens: a random 32-byte secret shown once; only its SHA-256 is stored.

A token names its home; `authenticate` returns that home or None (revoked, unknown).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass

from assistant.service.ids import check_home
from assistant.service.tables import ServiceDB, utc_now

TOKEN_BYTES = 32
# `last_used_at` is written at most this often per token (a write per request is wasteful).
TOUCH_EVERY = dt.timedelta(seconds=60)


@dataclass(frozen=True)
class TokenInfo:
    """What `assistant tokens list` shows: never the token itself."""

    id: int
    home: str
    created_at: dt.datetime
    last_used_at: dt.datetime | None
    revoked_at: dt.datetime | None

    @property
    def active(self) -> bool:
        return self.revoked_at is None


def token_hash(token: str) -> str:
    """The stored form of a token (SHA-256 is enough for 256 random bits)."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


class TokenStore:
    """Create, list, revoke and check tokens in the service database."""

    def __init__(self, db: ServiceDB) -> None:
        self._db = db
        self._touched: dict[int, dt.datetime] = {}

    def create(self, home: str) -> tuple[TokenInfo, str]:
        """A new token for ``home``: its row, and the token (shown once, never stored)."""
        import sqlalchemy as sa

        check_home(home)
        token = secrets.token_urlsafe(TOKEN_BYTES)
        now = utc_now()
        t = self._db.tokens
        with self._db.begin() as conn:
            result = conn.execute(sa.insert(t).values(home=home, token_hash=token_hash(token), created_at=now))
            token_id = int(result.inserted_primary_key[0])
        return TokenInfo(token_id, home, now, None, None), token

    def list(self, home: str | None = None) -> list[TokenInfo]:
        """Tokens (of one home), oldest first."""
        import sqlalchemy as sa

        t = self._db.tokens
        query = sa.select(t).order_by(t.c.id)
        if home is not None:
            query = query.where(t.c.home == home)
        rows = self._db.read(lambda conn: conn.execute(query).all())
        return [TokenInfo(r.id, r.home, r.created_at, r.last_used_at, r.revoked_at) for r in rows]

    def revoke(self, token_id: int) -> TokenInfo | None:
        """Revoke a token at once (idempotent); None when there is no such token."""
        import sqlalchemy as sa

        t = self._db.tokens
        with self._db.begin() as conn:
            conn.execute(sa.update(t).where(t.c.id == token_id, t.c.revoked_at.is_(None))
                         .values(revoked_at=utc_now()))
            row = conn.execute(sa.select(t).where(t.c.id == token_id)).first()
        return None if row is None else TokenInfo(row.id, row.home, row.created_at, row.last_used_at,
                                                  row.revoked_at)

    def authenticate(self, token: str | None) -> str | None:
        """The home a token belongs to, or None (missing, unknown or revoked). Raises
        ServiceStoreError when the database can't be read."""
        import sqlalchemy as sa

        if not token or len(token) > 200:
            return None
        wanted = token_hash(token)
        t = self._db.tokens
        row = self._db.read(lambda conn: conn.execute(
            sa.select(t.c.id, t.c.home, t.c.token_hash, t.c.revoked_at).where(t.c.token_hash == wanted)).first())
        if row is None or row.revoked_at is not None or not hmac.compare_digest(row.token_hash, wanted):
            return None
        self._touch(int(row.id))
        return str(row.home)

    def _touch(self, token_id: int) -> None:
        import sqlalchemy as sa

        now = utc_now()
        last = self._touched.get(token_id)
        if last is not None and now - last < TOUCH_EVERY:
            return
        self._touched[token_id] = now
        t = self._db.tokens
        try:
            with self._db.begin() as conn:
                conn.execute(sa.update(t).where(t.c.id == token_id).values(last_used_at=now))
        except Exception:  # noqa: BLE001 - a missed "last used" never refuses a request
            self._touched.pop(token_id, None)


def bearer(header: str | None) -> str | None:
    """The token of an ``Authorization: Bearer TOKEN`` header, or None."""
    if not header:
        return None
    scheme, _, value = header.strip().partition(" ")
    return value.strip() or None if scheme.lower() == "bearer" else None
