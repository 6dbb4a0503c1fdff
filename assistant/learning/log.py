"""The interaction log: one row per user turn, with what was heard, what it was rewritten to,
what NLU understood, what the assistant did, and the feedback signals that followed.

It is what rewrite mining, defect analytics and the simulator's measurements read. Rows are
append-only except for one JSON column filled in later: `feedback` (signals from the next turns).

The simulator's ground truth is not the product's: it is kept beside the log, keyed by the
turn's id, by `simulator.truth_store`, and attached to `TurnRecord.truth` (in memory only) by
whoever reads it (the simulator, the lab, the `assistant analyze` command). A log written by an
older version still has a `truth` column: it opens, the column is left alone and never read or
written here (the simulator's store copies it once, see `simulator.truth_store`).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterator

from assistant.db import EngineStore, create_all, create_engine, database_url, schema_lock
from assistant.turn import ASKED_CITY_KEY, IMPLICIT_KEY

if TYPE_CHECKING:
    from assistant.turn import TurnRequest, TurnResult

logger = logging.getLogger(__name__)

SCHEMA_VERSION = 2
# Columns added after the first schema, with their SQL type: `open` adds any that an older
# file lacks (ALTER TABLE ... ADD COLUMN, nullable, so old rows read as None).
ADDED_COLUMNS = {"nlu_margin": "FLOAT", "request_id": "VARCHAR(200)", "explore_asked": "TEXT",
                 "explore_choice": "VARCHAR(80)", "evidence": "TEXT"}
MAX_TEXT = 500


class InteractionLogError(RuntimeError):
    """The log could not be opened, read or written."""


class Feedback:
    """Names of the feedback signals kept in a turn's `feedback` (all optional)."""

    BARGE_IN = "barge_in"            # the user cut this turn's reply off
    REPEAT = "repeat"                # the next turn repeated this request
    REPHRASE = "rephrase"            # the next turn rephrased it
    DISSATISFACTION = "dissatisfaction"  # "no, that's wrong" right after it
    EXPLICIT = "explicit"            # "yes"/"no" to "Did I answer your question?"
    GIVE_UP = "give_up"              # the user abandoned the goal after it
    DEFECT_SIGNALS = (BARGE_IN, REPEAT, REPHRASE, DISSATISFACTION, GIVE_UP)


@dataclass
class TurnRecord:
    """One turn as the runtime logs it (``id`` is set once stored)."""

    user_id: str
    device_id: str
    session_id: str
    timestamp: dt.datetime
    text: str                          # what was heard (cleaned)
    text_rewritten: str | None = None  # what NLU read instead, if rewritten
    rewrite_source: str | None = None  # precomputed | global | personal | personal_correction
    rewrite_id: int | None = None
    intent: str | None = None
    confidence: float | None = None
    entities: list[dict[str, Any]] = field(default_factory=list)
    actions: list[str] = field(default_factory=list)
    reply: str = ""
    directives: list[str] = field(default_factory=list)
    # As stored (JSON): [directive, reason, message] rows and problem codes, the values of
    # `assistant.outcomes.Problem` (decode_problem reads one; an old or unknown code is OTHER).
    refused: list[list[str]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)   # NOT_FOUND, NO_SUCH_DEVICE, UNKNOWN_CITY...
    context: dict[str, Any] = field(default_factory=dict)
    asr_confidence: float | None = None
    barge_in: bool = False             # this turn cut the previous reply off
    nlu_margin: float | None = None    # top-1 minus top-2 intent confidence (None: not known)
    request_id: str | None = None      # the client's idempotency key (served turns), namespaced
    explore_asked: list[str] = field(default_factory=list)  # the two readings this turn asked about
    explore_choice: str | None = None  # this turn answered a question: the intent chosen, or
    #                                    "neither" / "unclear" (assistant.exploration)
    # What the actions tagged for learning from activity ({"implicit": [...], "asked_city": ...});
    # None on rows logged before the column (their reply is all there is).
    evidence: dict[str, Any] | None = None
    feedback: dict[str, Any] = field(default_factory=dict)
    # The simulator's ground truth, in memory only: never stored in, nor read from, the log
    # (the simulator and the lab attach it from `simulator.truth_store`; None for real users).
    truth: dict[str, Any] | None = None
    id: int | None = None

    @property
    def defect_signalled(self) -> bool:
        """Whether any feedback after this turn says it failed."""
        if self.feedback.get(Feedback.EXPLICIT) == "no":
            return True
        return any(self.feedback.get(name) for name in Feedback.DEFECT_SIGNALS)

    def to_json(self) -> dict[str, Any]:
        return {name: (value.isoformat() if isinstance(value, dt.datetime) else value)
                for name, value in self.__dict__.items()}

    @classmethod
    def from_result(cls, result: "TurnResult", request: "TurnRequest", *, session_id: str,
                    timestamp: dt.datetime, context: dict[str, Any]) -> "TurnRecord":
        """The log row of a played turn: what was asked (``request``), what it produced
        (``result``, its replies as the user heard them), in the conversation ``session_id`` at
        ``timestamp`` (naive UTC), with the ambient ``context`` it was played in (a snapshot is kept)."""
        rewrite = result.rewrite or {}
        report = result.report
        return cls(
            user_id=request.user_id, device_id=request.device_id, session_id=session_id,
            timestamp=timestamp, text=result.text,
            text_rewritten=rewrite.get("rewritten") if rewrite else None,
            rewrite_source=rewrite.get("source"), rewrite_id=rewrite.get("rewrite_id"),
            intent=result.intent, confidence=result.confidence,
            entities=[{k: e.get(k) for k in ("entity", "value", "start", "end")} for e in result.entities],
            actions=list(result.actions), reply=result.reply, directives=list(report.directives),
            refused=[list(r) for r in result.refused], problems=list(report.problems),
            context=context_snapshot(context),
            asr_confidence=request.asr_confidence, barge_in=bool(request.barge_in), nlu_margin=result.nlu_margin,
            request_id=request.request_id, explore_asked=list(report.explore_asked),
            explore_choice=report.explore_choice,
            evidence={IMPLICIT_KEY: list(report.implicit_used), ASKED_CITY_KEY: report.asked_city},
        )


def context_snapshot(context: dict[str, Any]) -> dict[str, Any]:
    """What the log keeps of the ambient context: the speaking device, room, time and the
    state of every device (not the home's rules and layout)."""
    snapshot = {k: v for k, v in context.items() if k != "home"}
    devices = (context.get("home") or {}).get("devices") or {}
    if isinstance(devices, dict):
        snapshot["device_states"] = {k: (v.get("state") if isinstance(v, dict) else v) for k, v in devices.items()}
    elif isinstance(devices, list):
        snapshot["device_states"] = {d.get("id"): d.get("state") for d in devices if isinstance(d, dict)}
    return snapshot


@dataclass
class ExploreHistory:
    """A user's exploration so far and the record of the words asked about (`explore_history`)."""

    turns: int
    questions: int
    asked_recently: bool
    same_text: list[TurnRecord]


def _table(metadata: Any) -> Any:
    import sqlalchemy as sa

    return sa.Table(
        "turns", metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("user_id", sa.String(100), nullable=False, index=True),
        sa.Column("device_id", sa.String(100), nullable=False),
        sa.Column("session_id", sa.String(120), nullable=False, index=True),
        sa.Column("timestamp", sa.DateTime, nullable=False),
        sa.Column("text", sa.String(MAX_TEXT), nullable=False),
        sa.Column("text_rewritten", sa.String(MAX_TEXT)),
        sa.Column("rewrite_source", sa.String(30)),
        sa.Column("rewrite_id", sa.Integer),
        sa.Column("intent", sa.String(80)),
        sa.Column("confidence", sa.Float),
        sa.Column("entities", sa.Text, nullable=False, default="[]"),
        sa.Column("actions", sa.Text, nullable=False, default="[]"),
        sa.Column("reply", sa.Text, nullable=False, default=""),
        sa.Column("directives", sa.Text, nullable=False, default="[]"),
        sa.Column("refused", sa.Text, nullable=False, default="[]"),
        sa.Column("problems", sa.Text, nullable=False, default="[]"),
        sa.Column("context", sa.Text, nullable=False, default="{}"),
        sa.Column("asr_confidence", sa.Float),
        sa.Column("barge_in", sa.Boolean, nullable=False, default=False),
        sa.Column("feedback", sa.Text, nullable=False, default="{}"),
        # No `truth` column: an older file's is left as it is (nullable, never read or written).
        sa.Column("nlu_margin", sa.Float),
        sa.Column("request_id", sa.String(200), index=True),
        sa.Column("explore_asked", sa.Text),
        sa.Column("explore_choice", sa.String(80)),
        sa.Column("evidence", sa.Text),
    )


_JSON_COLUMNS = ("entities", "actions", "directives", "refused", "problems", "context", "feedback",
                 "explore_asked")
# What a light read leaves out: mining and the index never need them, and decoding each row's
# context snapshot would take most of the time on a large log.
HEAVY_COLUMNS = frozenset({"context", "reply", "entities", "directives"})
# TurnRecord fields that are not columns of the table (kept in memory only).
_NOT_STORED = ("id", "truth")


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)


def _loads(text: str | None, default: Any) -> Any:
    """A JSON column; a corrupt one (or one of the wrong type) reads as the default."""
    if text is None or text in ("[]", "{}"):
        return type(default)() if default is not None else None
    try:
        value = json.loads(text)
    except (TypeError, ValueError):
        return default
    return value if default is None or isinstance(value, type(default)) else default


def _timestamp(value: Any) -> dt.datetime:
    """A stored timestamp (text on SQLite, a datetime elsewhere); ValueError when it is not one."""
    if isinstance(value, dt.datetime):
        return value
    if not isinstance(value, str):
        raise ValueError(f"timestamp {value!r} is not a time")
    return dt.datetime.fromisoformat(value)


class InteractionLog(EngineStore):
    """The turns table. Open with `InteractionLog.open(url_or_path)`."""

    def __init__(self, engine: Any) -> None:
        import sqlalchemy as sa

        self._engine = engine
        self._metadata = sa.MetaData()
        self._turns = _table(self._metadata)
        self.skipped_rows = 0

    @property
    def url(self) -> str:
        """The database URL the log is in (password included: for opening, not for showing)."""
        return self._engine.url.render_as_string(hide_password=False)

    @classmethod
    def open(cls, target: str | Path) -> "InteractionLog":
        url, engine = str(target), None
        try:
            url = database_url(target)
            engine = create_engine(url)
            log = cls(engine)
            create_all(log._metadata, engine)
            log._add_missing_columns()
        except Exception as error:  # noqa: BLE001 - one clear error type for callers
            if engine is not None:
                engine.dispose()
            raise InteractionLogError(f"could not open the interaction log at {url}: {error}") from error
        return log

    def _add_missing_columns(self) -> None:
        """Bring a log written by an older version up to this schema (new columns only)."""
        import sqlalchemy as sa

        present = {c["name"] for c in sa.inspect(self._engine).get_columns("turns")}
        missing = [name for name in ADDED_COLUMNS if name not in present]
        if not missing:
            return
        with self._engine.begin() as conn:
            schema_lock(conn)   # another server may be adding them at this moment
            present = {c["name"] for c in sa.inspect(conn).get_columns("turns")}
            for name in (n for n in missing if n not in present):
                conn.execute(sa.text(f"ALTER TABLE turns ADD COLUMN {name} {ADDED_COLUMNS[name]}"))
        logger.info("interaction log: added column(s) %s", ", ".join(missing))

    # -- writes --------------------------------------------------------------------

    def record(self, turn: TurnRecord) -> int:
        """Store one turn; returns its id (also set on ``turn``)."""
        ids = self.record_many([turn])
        return ids[0]

    def record_many(self, turns: list[TurnRecord]) -> list[int]:
        """Store turns in one transaction (all or none); returns their ids."""
        import sqlalchemy as sa

        ids: list[int] = []
        try:
            with self._engine.begin() as conn:
                for turn in turns:
                    row = self._row(turn)
                    result = conn.execute(sa.insert(self._turns).values(**row))
                    ids.append(int(result.inserted_primary_key[0]))
        except Exception as error:  # noqa: BLE001
            raise InteractionLogError(f"could not write {len(turns)} turn(s) to the log: {error}") from error
        for turn, turn_id in zip(turns, ids):
            turn.id = turn_id
        return ids

    def _row(self, turn: TurnRecord) -> dict[str, Any]:
        row = {name: value for name, value in turn.__dict__.items() if name not in _NOT_STORED}
        row["text"] = str(turn.text)[:MAX_TEXT]
        if turn.text_rewritten is not None:
            row["text_rewritten"] = str(turn.text_rewritten)[:MAX_TEXT]
        for name in _JSON_COLUMNS:
            row[name] = _dumps(row[name])
        row["evidence"] = None if turn.evidence is None else _dumps(turn.evidence)
        return row

    def add_feedback(self, turn_id: int, **signals: Any) -> None:
        """Merge signals into a turn's feedback (later signals win)."""
        self._merge(turn_id, "feedback", signals)

    def _merge(self, turn_id: int, column: str, values: dict[str, Any]) -> None:
        import sqlalchemy as sa

        t = self._turns
        try:
            with self._engine.begin() as conn:
                current = conn.execute(sa.select(t.c[column]).where(t.c.id == turn_id)).scalar_one_or_none()
                merged = {**_loads(current, {}), **values}
                updated = conn.execute(sa.update(t).where(t.c.id == turn_id).values(**{column: _dumps(merged)}))
                if updated.rowcount == 0:
                    raise InteractionLogError(f"no turn {turn_id} in the log")
        except InteractionLogError:
            raise
        except Exception as error:  # noqa: BLE001
            raise InteractionLogError(f"could not update turn {turn_id}: {error}") from error

    def forget_user(self, user_id: str) -> int:
        """Delete every turn of one user (privacy: `DELETE /api/users/{id}/data`); how many went."""
        import sqlalchemy as sa

        try:
            with self._engine.begin() as conn:
                return int(conn.execute(sa.delete(self._turns).where(self._turns.c.user_id == user_id)).rowcount or 0)
        except Exception as error:  # noqa: BLE001
            raise InteractionLogError(f"could not delete the turns of {user_id!r}: {error}") from error

    def clear(self) -> None:
        """Delete every turn (a fresh learning state for a simulation arm)."""
        import sqlalchemy as sa

        with self._engine.begin() as conn:
            conn.execute(sa.delete(self._turns))

    # -- reads ---------------------------------------------------------------------

    def turns(self, *, user_id: str | None = None, since_id: int = 0, batch: int = 5000,
              light: bool = False) -> Iterator[TurnRecord]:
        """Turns in the order they were logged (by id), streamed in batches. ``light`` leaves
        the heavy columns (HEAVY_COLUMNS) at their defaults. A corrupt row (a timestamp that is
        not one) is skipped, logged and counted in `skipped_rows`, never a failed read."""

        t = self._turns
        last = since_id
        while True:
            query = self._select(light).where(t.c.id > last).order_by(t.c.id).limit(batch)
            if user_id is not None:
                query = query.where(t.c.user_id == user_id)
            with self._engine.connect() as conn:
                rows = conn.execute(query).mappings().all()
            if not rows:
                return
            for row in rows:
                record = self._checked_record(row)
                if record is not None:
                    yield record
            last = rows[-1]["id"]

    def _select(self, light: bool = False) -> Any:
        import sqlalchemy as sa

        # SQLite keeps timestamps as text: read them as text and parse each row, so that a
        # garbage one spoils that row only (SQLAlchemy's parser would stop the whole read).
        columns = [sa.type_coerce(c, sa.String).label(c.name) if c.name == "timestamp" else c
                   for c in self._turns.c if not (light and c.name in HEAVY_COLUMNS)]
        return sa.select(*columns)

    def _checked_record(self, row: Any) -> TurnRecord | None:
        try:
            return self._record(row)
        except (TypeError, ValueError) as error:
            self.skipped_rows += 1
            logger.warning("skipped corrupt turn %s in the interaction log: %s", row.get("id"), error)
            return None

    def get(self, turn_id: int) -> TurnRecord | None:
        """One turn, or None when there is none (or it is corrupt)."""
        with self._engine.connect() as conn:
            row = conn.execute(self._select().where(self._turns.c.id == turn_id)).mappings().first()
        return None if row is None else self._checked_record(row)

    def find_request(self, request_id: str) -> TurnRecord | None:
        """The turn logged for this request id (a retried request), or None."""
        import sqlalchemy as sa

        t = self._turns
        try:
            with self._engine.connect() as conn:
                row = conn.execute(sa.select(t).where(t.c.request_id == request_id)
                                   .order_by(t.c.id).limit(1)).mappings().first()
        except Exception as error:  # noqa: BLE001
            raise InteractionLogError(f"could not read the log: {error}") from error
        return self._record(row) if row is not None else None

    def explore_history(self, user_id: str, text: str, *, recent: int = 2) -> "ExploreHistory":
        """What the exploration bounds read: the user's turns and questions, whether one of their
        last ``recent`` turns asked, and how the same words (any user, case aside) went."""
        import sqlalchemy as sa

        t = self._turns
        asked = sa.and_(t.c.explore_asked.isnot(None), t.c.explore_asked != "[]")
        try:
            with self._engine.connect() as conn:
                turns, questions = conn.execute(
                    sa.select(sa.func.count(), sa.func.count().filter(asked)).where(t.c.user_id == user_id)).one()
                last = conn.execute(sa.select(t.c.explore_asked).where(t.c.user_id == user_id)
                                    .order_by(t.c.id.desc()).limit(recent)).scalars().all()
                same = conn.execute(self._select(light=True).where(sa.func.lower(t.c.text) == str(text).lower())
                                    .where(sa.not_(asked)).where(t.c.explore_choice.is_(None))
                                    .order_by(t.c.id.desc()).limit(50)).mappings().all()
        except Exception as error:  # noqa: BLE001
            raise InteractionLogError(f"could not read the log: {error}") from error
        records = [r for r in (self._checked_record(row) for row in same) if r is not None]
        return ExploreHistory(int(turns or 0), int(questions or 0),
                              any(_loads(value, []) for value in last), records)

    def count(self) -> int:
        import sqlalchemy as sa

        with self._engine.connect() as conn:
            return int(conn.execute(sa.select(sa.func.count()).select_from(self._turns)).scalar() or 0)

    @staticmethod
    def _record(row: Any) -> TurnRecord:
        values = dict(row)
        for name in _JSON_COLUMNS:
            if name in values:
                values[name] = _loads(values[name], {} if name in ("context", "feedback") else [])
        values.pop("truth", None)   # never selected; an older file's column is not ours to read
        values["evidence"] = _loads(values.get("evidence"), None)
        values["barge_in"] = bool(values["barge_in"])
        values["timestamp"] = _timestamp(values["timestamp"])
        for name in ("user_id", "session_id", "text"):
            if not isinstance(values.get(name), str):
                raise ValueError(f"{name} is missing")
        return TurnRecord(**values)
