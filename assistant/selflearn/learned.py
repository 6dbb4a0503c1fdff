"""The learned training data: accepted labels as a Rasa NLU file in the data folder
(`DATA/learned/nlu.yml`, never committed), each example with its provenance in `metadata`.

Guards, in order: a confidence threshold; nothing from a user who asked to be forgotten; texts
cleaned (`assistant.context.clean_text`, and Rasa's markup characters removed); entities only
where their words occur in the text; duplicates merged (provenance merged); a text that two
intents claim, or that the committed data already holds, is left out; no single user backs more
than ``max_user_share`` of an intent's learned examples (beyond a small floor).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Collection, Iterable, Sequence

from assistant.selflearn import entities as ent
from assistant.selflearn.candidates import Label
from assistant.text import normalize

VERSION = "3.1"
MARKUP = re.compile(r"[\[\]{}()]")
ENTITY = re.compile(r"\[(?P<text>[^\]]+)\](?:\((?P<name>[^)]+)\)|\{(?P<dict>[^}]+)\})")


class LearnedFileError(ValueError):
    """The learned file could not be read (invalid YAML, or not a Rasa NLU file)."""


@dataclass(frozen=True)
class Guards:
    """What an example must pass to be learned."""

    min_confidence: float = 0.9
    max_user_share: float = 0.2      # of an intent's learned examples, per user
    min_per_user: int = 2            # ... but every user may back this many


@dataclass
class Example:
    """One learned example with its provenance."""

    intent: str
    text: str                                        # plain, cleaned; no markup
    entities: list[tuple[str, str, int, int]] = field(default_factory=list)
    turns: set[int] = field(default_factory=set)
    users: set[str] = field(default_factory=set)
    kinds: set[str] = field(default_factory=set)
    confidence: float = 0.0
    learned_at: str = ""
    by_hand: bool = False                            # in the file without our provenance

    @property
    def key(self) -> str:
        return normalize(self.text)

    def merge(self, other: "Example") -> None:
        self.turns |= other.turns
        self.users |= other.users
        self.kinds |= other.kinds
        self.confidence = max(self.confidence, other.confidence)
        if not self.entities and other.entities:
            self.entities = list(other.entities)
        self.learned_at = min(filter(None, (self.learned_at, other.learned_at)), default="")

    def markup(self) -> str:
        """The text with Rasa's entity markup."""
        out, at = [], 0
        for name, value, start, end in sorted(self.entities, key=lambda e: e[2]):
            said = self.text[start:end]
            out.append(self.text[at:start])
            out.append(f"[{said}]({name})" if said == value else
                       f"[{said}]" + json.dumps({"entity": name, "value": value}, ensure_ascii=False))
            at = end
        out.append(self.text[at:])
        return "".join(out)

    def to_yaml(self) -> dict[str, Any]:
        item: dict[str, Any] = {"text": self.markup()}
        if not self.by_hand:
            item["metadata"] = {"learned": {"turns": sorted(self.turns), "users": sorted(self.users),
                                            "kinds": sorted(self.kinds), "confidence": round(self.confidence, 4),
                                            "learned_at": self.learned_at}}
        return item


@dataclass
class Merge:
    """The outcome of merging labels into the learned examples."""

    examples: list[Example]
    added: list[Example]
    updated: list[Example]
    dropped: Counter[str] = field(default_factory=Counter)


def clean(text: str) -> str:
    """A label's text as it is learned: `clean_text`, then no markup characters."""
    from assistant.context import clean_text

    return " ".join(MARKUP.sub(" ", clean_text(text).text).split())


def from_label(label: Label, now: str) -> Example | None:
    """An example from an accepted label (None when nothing is left of the text)."""
    text = clean(label.text)
    if not text:
        return None
    placed: list[tuple[str, str, int, int]] = []
    taken: list[tuple[int, int]] = []
    for name, value, start, end in label.entities:
        said = label.text[start:end] if 0 <= start < end <= len(label.text) else ""
        for words in (clean(said), clean(value)):
            where = ent.find(words, text, taken) if words else None
            if where is not None:
                taken.append(where)
                placed.append((name, value, where[0], where[1]))
                break
    return Example(label.intent, text, placed, {label.turn_id}, {label.user_id}, {label.kind.value},
                   label.confidence, now)


# -- reading -------------------------------------------------------------------------


def parse_markup(text: str) -> tuple[str, list[tuple[str, str, int, int]]]:
    """Plain text and entities from Rasa's markup (``[words](name)`` and ``[words]{...}``)."""
    plain, found, at = [], [], 0
    length = 0
    for match in ENTITY.finditer(text):
        before = text[at:match.start()]
        plain.append(before)
        length += len(before)
        said = match.group("text")
        name, value = match.group("name"), said
        if match.group("dict"):
            try:
                data = json.loads("{" + match.group("dict") + "}")
            except ValueError as error:
                raise LearnedFileError(f"unreadable entity markup in {text!r}") from error
            name, value = str(data.get("entity", "")), str(data.get("value", said))
        found.append((str(name), str(value), length, length + len(said)))
        plain.append(said)
        length += len(said)
        at = match.end()
    plain.append(text[at:])
    return "".join(plain), found


def read(path: Path) -> list[Example]:
    """The learned file's examples ([] when there is none); LearnedFileError when unreadable."""
    import yaml

    if not path.exists():
        return []
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        raise LearnedFileError(f"{path} is not valid YAML: {str(error).splitlines()[0]}") from error
    if data is None:
        return []
    if not isinstance(data, dict) or not isinstance(data.get("nlu", []), list):
        raise LearnedFileError(f"{path} is not a Rasa NLU file (no `nlu:` list)")
    out: list[Example] = []
    for block in data.get("nlu") or []:
        if not isinstance(block, dict) or not isinstance(block.get("intent"), str):
            raise LearnedFileError(f"{path}: every `nlu:` item needs an `intent:`")
        items = block.get("examples") or []
        if isinstance(items, str):
            items = [{"text": line.strip()[2:]} for line in items.splitlines() if line.strip().startswith("- ")]
        for item in items:
            if not isinstance(item, dict) or not isinstance(item.get("text"), str):
                raise LearnedFileError(f"{path}: an example of {block['intent']} has no `text:`")
            out.append(_example(block["intent"], item))
    return out


def _example(intent: str, item: dict[str, Any]) -> Example:
    text, found = parse_markup(item["text"].strip())
    meta = (item.get("metadata") or {}).get("learned") if isinstance(item.get("metadata"), dict) else None
    if not isinstance(meta, dict):
        return Example(intent, text, found, by_hand=True)
    return Example(intent, text, found, {int(t) for t in meta.get("turns") or [] if str(t).isdigit()},
                   {str(u) for u in meta.get("users") or []}, {str(k) for k in meta.get("kinds") or []},
                   float(meta.get("confidence") or 0.0), str(meta.get("learned_at") or ""))


def committed_texts(folder: Path) -> dict[str, str]:
    """Normalized text -> intent of the committed NLU examples (stories/nlu)."""
    import yaml

    out: dict[str, str] = {}
    for path in sorted(folder.glob("*.yml")) if folder.is_dir() else []:
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except (OSError, yaml.YAMLError):
            continue
        for block in data.get("nlu") or [] if isinstance(data, dict) else []:
            if not isinstance(block, dict) or not isinstance(block.get("intent"), str):
                continue
            if isinstance(block.get("examples"), str):
                for line in block["examples"].splitlines():
                    if not line.strip().startswith("- "):
                        continue
                    try:
                        out.setdefault(normalize(parse_markup(line.strip()[2:])[0]), block["intent"])
                    except LearnedFileError:
                        continue   # markup the committed data's own checks will name
    return out


# -- merging and writing -------------------------------------------------------------


def merge(existing: Iterable[Example], labels: Sequence[Label], *, guards: Guards = Guards(),
          forgotten: Collection[str] = (), committed: dict[str, str] | None = None,
          now: str | None = None) -> Merge:
    """The learned examples after adding ``labels`` to ``existing``, every guard applied."""
    now = now or dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
    dropped: Counter[str] = Counter()
    by_key: dict[tuple[str, str], Example] = {}
    before: dict[tuple[str, str], tuple[int, int]] = {}
    for example in existing:
        if example.users & set(forgotten):
            example.users -= set(forgotten)
            if not example.users:
                dropped["a forgotten user's"] += 1
                continue
        key = _add(by_key, example)
        before[key] = (len(by_key[key].turns), len(by_key[key].users))
    for label in labels:
        if label.confidence < guards.min_confidence:
            dropped["below the confidence threshold"] += 1
            continue
        if label.user_id in forgotten:
            dropped["a forgotten user's"] += 1
            continue
        made = from_label(label, now)
        if made is None:
            dropped["empty once cleaned"] += 1
            continue
        _add(by_key, made)
    kept = _resolve_conflicts(list(by_key.values()), committed or {}, dropped)
    kept = _cap_users(kept, guards, dropped)
    added = [e for e in kept if (e.intent, e.key) not in before]
    updated = [e for e in kept if (e.intent, e.key) in before
               and before[(e.intent, e.key)] != (len(e.turns), len(e.users))]
    kept.sort(key=lambda e: (e.intent, e.key))
    return Merge(kept, added, updated, dropped)


def _add(by_key: dict[tuple[str, str], Example], example: Example) -> tuple[str, str]:
    """Merge ``example`` into the one with its intent and text, or keep it; its key."""
    key = (example.intent, example.key)
    if key in by_key:
        by_key[key].merge(example)
    else:
        by_key[key] = example
    return key


def _resolve_conflicts(examples: list[Example], committed: dict[str, str], dropped: Counter[str]) -> list[Example]:
    """One intent per text: the committed data's, else the one with most users (then confidence)."""
    by_text: dict[str, list[Example]] = {}
    for example in examples:
        by_text.setdefault(example.key, []).append(example)
    out: list[Example] = []
    for key, group in by_text.items():
        if key in committed:
            dropped["already in the committed data" if any(e.intent == committed[key] for e in group)
                    else "contradicts the committed data"] += len([e for e in group if not e.by_hand])
            out.extend(e for e in group if e.by_hand)
            continue
        group.sort(key=lambda e: (not e.by_hand, -len(e.users), -e.confidence, e.intent))
        out.append(group[0])
        if len(group) > 1:
            dropped["another intent claims the same text"] += len(group) - 1
    return out


def _cap_users(examples: list[Example], guards: Guards, dropped: Counter[str]) -> list[Example]:
    """No user backs more than their share of an intent's learned examples (most confident kept)."""
    out: list[Example] = []
    by_intent: dict[str, list[Example]] = {}
    for example in examples:
        by_intent.setdefault(example.intent, []).append(example)
    for group in by_intent.values():
        allowed = max(guards.min_per_user, int(guards.max_user_share * len(group)))
        used: Counter[str] = Counter()
        for example in sorted(group, key=lambda e: (not e.by_hand, -len(e.users), -e.confidence, e.key)):
            if example.by_hand:
                out.append(example)
                continue
            backers = {u for u in example.users if used[u] < allowed}
            if not backers:
                dropped["its users already taught this intent their share"] += 1
                continue
            example.users = backers
            used.update(backers)
            out.append(example)
    return out


def render(examples: Sequence[Example]) -> str:
    """The Rasa NLU YAML of the examples."""
    import yaml

    blocks: dict[str, list[dict[str, Any]]] = {}
    for example in sorted(examples, key=lambda e: (e.intent, e.key)):
        blocks.setdefault(example.intent, []).append(example.to_yaml())
    data = {"version": VERSION, "nlu": [{"intent": i, "examples": items} for i, items in blocks.items()]}
    header = "# Learned by `assistant learn-nlu` from the interaction log: generated, never committed.\n"
    return header + yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=1000)


def write(path: Path, examples: Sequence[Example]) -> Path:
    """Write the file whole (a partial file is never left in place)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".tmp")
    partial.write_text(render(examples), encoding="utf-8")
    partial.replace(path)
    return path


def back_up(path: Path) -> Path:
    """Keep an unreadable learned file beside it before it is replaced."""
    stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%S")
    target = path.with_name(f"{path.name}.unreadable-{stamp}")
    path.replace(target)
    return target
