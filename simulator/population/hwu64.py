"""The HWU64 corpus: real requests people wrote for a home assistant, read and checked.

Rows are read once per call of `load_corpus` (nothing at import). Every problem (a missing
file, a line that is not JSON, a missing field, a duplicate id, an annotation whose spans do
not spell the sentence) raises `HwuDataError` naming the file and the line or row, so a run
never starts half-way. `to_speech` turns a written row into what an ASR front end hands over.
"""

from __future__ import annotations

import functools
import json
import math
import random
import re
from dataclasses import dataclass
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parents[1] / "data"
DEFAULT_CORPUS = DATA_DIR / "hwu64.jsonl"
WAKE_WORD = "olly"
HELD_OUT_SEED = 6401          # fixed: the held-out tenth never moves with a run's seed
HELD_OUT_SHARE = 0.1

_SPAN = re.compile(r"\[\s*(\w+)\s*:\s*([^\]]*?)\s*\]")
_WAKE = re.compile(rf"\b{WAKE_WORD}\b", re.IGNORECASE)
_NOT_SPOKEN = re.compile(r"[^\w\s']|(?<!\w)'|'(?!\w)")  # punctuation; apostrophes only inside words
_FIELDS = ("id", "sentence", "intent", "annotation", "entities")


class HwuDataError(ValueError):
    """The corpus can't be used; the message names the file and the line or row."""


@dataclass(frozen=True)
class Span:
    """An annotated entity: its type and the words it covers in the sentence."""

    type: str
    value: str


@dataclass(frozen=True)
class Piece:
    """A stretch of an annotation: plain text (``span`` None) or an entity span."""

    text: str
    span: Span | None = None


@dataclass(frozen=True)
class HwuRow:
    """One HWU64 request."""

    id: int
    sentence: str
    intent: str
    pieces: tuple[Piece, ...]

    @property
    def spans(self) -> tuple[Span, ...]:
        return tuple(p.span for p in self.pieces if p.span is not None)

    @property
    def span_types(self) -> frozenset[str]:
        return frozenset(s.type for s in self.spans)


@dataclass(frozen=True)
class Corpus:
    """The rows of one file, by id and in file order."""

    path: Path
    rows: tuple[HwuRow, ...]

    def row(self, row_id: int) -> HwuRow:
        """The row with this id; `HwuDataError` naming the file when there is none."""
        found = self._by_id.get(row_id)
        if found is None:
            raise HwuDataError(f"{self.path}: no row with id {row_id}")
        return found

    @functools.cached_property
    def _by_id(self) -> dict[int, HwuRow]:
        return {row.id: row for row in self.rows}

    @property
    def intents(self) -> frozenset[str]:
        return frozenset(r.intent for r in self.rows)


def parse_annotation(annotation: str) -> tuple[Piece, ...]:
    """``"lights off in [house_place : kitchen]"`` -> text and span pieces, in order."""
    pieces: list[Piece] = []
    at = 0
    for match in _SPAN.finditer(annotation):
        if match.start() > at:
            pieces.append(Piece(annotation[at:match.start()]))
        pieces.append(Piece(match.group(2), Span(match.group(1), match.group(2))))
        at = match.end()
    if at < len(annotation):
        pieces.append(Piece(annotation[at:]))
    return tuple(pieces)


def to_speech(text: str) -> str:
    """What a recogniser hands over: lower case, no punctuation, no wake word, single spaces."""
    spoken = _NOT_SPOKEN.sub(" ", text.lower())
    spoken = _WAKE.sub(" ", spoken)
    return " ".join(spoken.split())


def _row(raw: object, where: str) -> HwuRow:
    if not isinstance(raw, dict):
        raise HwuDataError(f"{where}: a row must be a JSON object")
    missing = [name for name in _FIELDS if name not in raw]
    if missing:
        raise HwuDataError(f"{where}: missing {', '.join(missing)}")
    row_id, sentence, annotation = raw["id"], raw["sentence"], raw["annotation"]
    if not isinstance(row_id, int) or isinstance(row_id, bool):
        raise HwuDataError(f"{where}: id must be a whole number, not {row_id!r}")
    if not isinstance(sentence, str) or not isinstance(annotation, str) or not isinstance(raw["intent"], str):
        raise HwuDataError(f"{where} (row {row_id}): sentence, annotation and intent must be text")
    pieces = parse_annotation(annotation)
    spelled = "".join(p.text for p in pieces)
    if spelled != sentence:
        raise HwuDataError(f"{where} (row {row_id}): the annotation's spans do not match the sentence "
                           f"({annotation!r} spells {spelled!r}, the sentence is {sentence!r})")
    listed = raw["entities"]
    spans = [(p.span.type, p.span.value) for p in pieces if p.span is not None]
    if not isinstance(listed, list) or [(e.get("type"), e.get("value")) for e in listed
                                        if isinstance(e, dict)] != spans:
        raise HwuDataError(f"{where} (row {row_id}): entities {listed!r} differ from the annotation's spans")
    return HwuRow(row_id, sentence, raw["intent"], pieces)


def load_corpus(path: str | Path = DEFAULT_CORPUS) -> Corpus:
    """Read and check a HWU64 jsonl file.

    Raises:
        HwuDataError: the file is missing, unreadable or has a bad row (named by line and id).
    """
    path = Path(path)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        raise HwuDataError(f"{path}: no such file (the HWU64 corpus; see simulator/data/README.md)") from None
    except (OSError, UnicodeDecodeError) as error:
        raise HwuDataError(f"{path}: can't read the HWU64 corpus ({error})") from None
    rows: list[HwuRow] = []
    seen: dict[int, int] = {}
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        where = f"{path}:{number}"
        try:
            raw = json.loads(line)
        except json.JSONDecodeError as error:
            raise HwuDataError(f"{where}: not JSON ({error.msg})") from None
        row = _row(raw, where)
        if row.id in seen:
            raise HwuDataError(f"{where}: row id {row.id} is also on line {seen[row.id]}")
        seen[row.id] = number
        rows.append(row)
    if not rows:
        raise HwuDataError(f"{path}: the HWU64 corpus is empty")
    return Corpus(path, tuple(rows))


def held_out_ids(corpus: Corpus) -> frozenset[int]:
    """A fixed, seeded tenth of each intent's rows that no simulated user ever speaks."""
    by_intent: dict[str, list[int]] = {}
    for row in corpus.rows:
        by_intent.setdefault(row.intent, []).append(row.id)
    kept: set[int] = set()
    for intent in sorted(by_intent):
        ids = sorted(by_intent[intent])
        rng = random.Random(f"hwu64-held-out:{HELD_OUT_SEED}:{intent}")
        kept.update(rng.sample(ids, max(1, math.ceil(len(ids) * HELD_OUT_SHARE))))
    return frozenset(kept)


@functools.lru_cache(maxsize=4)
def cached_corpus(path: str = str(DEFAULT_CORPUS)) -> Corpus:
    """`load_corpus`, read once per process and path (scenario files look rows up by id)."""
    return load_corpus(path)


def speech_of(row_id: int, path: str | Path = DEFAULT_CORPUS) -> str:
    """Row ``row_id`` of the corpus as speech (`HwuDataError` naming the file when it has none)."""
    return to_speech(cached_corpus(str(path)).row(row_id).sentence)
