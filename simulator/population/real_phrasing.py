"""Real sentences for goals: which HWU64 rows fit a goal kind, and saying them with its values.

A kind's spec says which span types a row may carry: ``fills`` are replaced by the goal's own
values (the room, the colour, the time...), ``keeps`` stay as written, anything else rules the
row out (a light row with a ``time`` span asks for something else). The sentence keeps its
structure; only the spans change. The held-out tenth (`hwu64.held_out_ids`) is never spoken.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from simulator.population.goals import Goal, GoalKind
from simulator.population.hwu64 import DEFAULT_CORPUS, Corpus, HwuRow, held_out_ids, load_corpus, to_speech
from simulator.population.hwu_mapping import DEFAULT_MAPPING, HwuMapping, ReactionKind, Section, load_mapping

K = GoalKind
_EATING = r"restaurant|diner|eatery|bistro|cafe|place to eat|food"


@dataclass(frozen=True)
class KindSpec:
    """Which rows fit a goal kind and how its values replace their spans.

    Attributes:
        fills: span type -> what the goal says there, a format over the goal's slots ("{room}").
        needs: span types a row must have.
        keeps: span types that may stay as written.
        when: goal slots that must hold for this spec (a preference statement's key).
        pattern: span type -> a regular expression its value must match.
    """

    fills: dict[str, str] = field(default_factory=dict)
    needs: frozenset[str] = frozenset()
    keeps: frozenset[str] = frozenset()
    when: dict[str, str] = field(default_factory=dict)
    pattern: dict[str, str] = field(default_factory=dict)

    def fits_row(self, row: HwuRow) -> bool:
        types = row.span_types
        if not types <= set(self.fills) | self.keeps or not self.needs <= types:
            return False
        filled = [s.type for s in row.spans if s.type in self.fills]
        if len(filled) != len(set(filled)):
            return False  # "nineties classic music": two genres can't both become the goal's one
        return all(re.search(rx, s.value, re.IGNORECASE) for s in row.spans
                   for kind, rx in self.pattern.items() if s.type == kind)

    def fits_goal(self, goal: Goal) -> bool:
        return all(goal.slots.get(slot) == value for slot, value in self.when.items()) \
            and all(_needed_slots(fmt) <= set(goal.slots) for fmt in self.fills.values())


def _needed_slots(fmt: str) -> set[str]:
    return set(re.findall(r"{(\w+)}", fmt))


_ROOM = {"house_place": "{room}"}
KIND_SPECS: dict[GoalKind, tuple[KindSpec, ...]] = {
    K.LIGHT_ON: (KindSpec(fills=_ROOM, keeps=frozenset({"device_type"})),),
    K.LIGHT_OFF: (KindSpec(fills=_ROOM, keeps=frozenset({"device_type"})),),
    K.BRIGHTNESS: (KindSpec(fills={**_ROOM, "change_amount": "to {number} percent"},
                            needs=frozenset({"change_amount"})),),
    K.COLOR: (KindSpec(fills={**_ROOM, "color_type": "{color}"}, needs=frozenset({"color_type"})),),
    K.COFFEE: (KindSpec(keeps=frozenset({"device_type", "coffee_type"})),),
    K.ALARM: (KindSpec(fills={"time": "{time}"}, needs=frozenset({"time"})),),
    K.PLAY_ARTIST: (KindSpec(fills={"artist_name": "{artist}"}, needs=frozenset({"artist_name"})),),
    K.PLAY_GENRE: (KindSpec(fills={"music_genre": "{genre}"}, needs=frozenset({"music_genre"})),),
    K.PLAY_MUSIC: (KindSpec(),),
    K.PLAY_TITLE: (KindSpec(fills={"audiobook_name": "{media_title}"}, needs=frozenset({"audiobook_name"}),
                            keeps=frozenset({"media_type", "player_setting"}), when={"format": "audiobook"}),),
    K.WEATHER_CITY: (KindSpec(fills={"place_name": "{city}"}, needs=frozenset({"place_name"}),
                              keeps=frozenset({"weather_descriptor"})),),
    K.WEATHER_HOME: (KindSpec(keeps=frozenset({"weather_descriptor"})),),
    K.RESTAURANT_CUISINE: (KindSpec(fills={"food_type": "{cuisine}"}, needs=frozenset({"food_type", "business_type"}),
                                    keeps=frozenset({"business_type"}), pattern={"business_type": _EATING}),),
    K.RESTAURANT_MINE: (KindSpec(needs=frozenset({"business_type"}), keeps=frozenset({"business_type"}),
                                 pattern={"business_type": _EATING}),),
    K.STATE_PREFERENCE: (KindSpec(fills={"music_genre": "{value}"}, needs=frozenset({"music_genre"}),
                                  when={"key": "music_genre"}),
                         KindSpec(fills={"artist_name": "{value}"}, needs=frozenset({"artist_name"}),
                                  when={"key": "music_artist"})),
}

# The assistant's intent for each goal kind a real row can stand for (held-out NLU scoring).
KIND_INTENT: dict[GoalKind, str] = {
    K.LIGHT_ON: "turn_on", K.LIGHT_OFF: "turn_off", K.BRIGHTNESS: "set_brightness", K.COLOR: "set_color",
    K.COFFEE: "start_coffee", K.ALARM: "set_alarm", K.PLAY_ARTIST: "play_media", K.PLAY_GENRE: "play_media",
    K.PLAY_MUSIC: "play_media", K.PLAY_TITLE: "play_media", K.WEATHER_CITY: "ask_weather",
    K.WEATHER_HOME: "ask_weather", K.RESTAURANT_CUISINE: "find_restaurant", K.RESTAURANT_MINE: "find_restaurant",
    K.STATE_PREFERENCE: "state_preference",
}
REACTION_INTENT: dict[ReactionKind, str] = {
    ReactionKind.YES: "affirm", ReactionKind.WRONG: "complain", ReactionKind.STOP: "stop",
}


def render(row: HwuRow, spec: KindSpec, goal: Goal) -> str:
    """The row said with the goal's values in its filled spans, as speech."""
    values = {slot: str(value).lower() for slot, value in goal.slots.items()}
    words: list[str] = []
    for piece in row.pieces:
        if piece.span is None or piece.span.type not in spec.fills:
            words.append(to_speech(piece.text))
            continue
        value = spec.fills[piece.span.type].format(**values)  # as the goal says it ("6:30 am")
        if words and words[-1].split()[-1:] in (["the"], ["my"], ["a"]) and value.startswith("the "):
            value = value[len("the "):]  # "play my the martian" -> "play my martian"
        words.append(value)
    return " ".join(" ".join(words).split())


def kind_of(row: HwuRow, kinds: tuple[GoalKind, ...]) -> GoalKind | None:
    """The first of ``kinds`` whose spec the row fits, or None."""
    return next((kind for kind in kinds if any(s.fits_row(row) for s in KIND_SPECS.get(kind, ()))), None)


@dataclass(frozen=True)
class HeldOut:
    """A held-out row: never spoken by a simulated user; for NLU accuracy on unseen phrasing.

    Attributes:
        row_id: the HWU64 id.
        text: the row as speech.
        hwu_intent: the corpus's intent.
        section: where the mapping puts the intent.
        expected_intent: the assistant's right intent, or None when no goal kind fits the row.
    """

    row_id: int
    text: str
    hwu_intent: str
    section: Section | None
    expected_intent: str | None


@dataclass(frozen=True)
class RealPhrasing:
    """The speakable rows by goal kind, reaction and out of scope, without the held-out tenth."""

    corpus: Corpus
    mapping: HwuMapping
    by_kind: dict[GoalKind, tuple[HwuRow, ...]]
    reactions: dict[ReactionKind, tuple[HwuRow, ...]]
    out_of_scope: tuple[HwuRow, ...]
    held_out: frozenset[int]

    def fitting(self, goal: Goal, rows: tuple[HwuRow, ...] | None = None) -> list[tuple[HwuRow, KindSpec]]:
        """Rows (of ``rows``, default the kind's pool) the goal can say, each with its spec."""
        specs = [s for s in KIND_SPECS.get(goal.kind, ()) if s.fits_goal(goal)]
        pool = self.by_kind.get(goal.kind, ()) if rows is None else rows
        return [(row, spec) for row in pool for spec in specs if spec.fits_row(row)]

    def expected_intent(self, row: HwuRow) -> str | None:
        section = self.mapping.section(row.intent)
        if section is Section.OUT_OF_SCOPE:
            return "out_of_scope"
        if section is Section.REACTIONS:
            return REACTION_INTENT.get(self.mapping.reactions[row.intent])
        kind = kind_of(row, self.mapping.goal_kinds.get(row.intent, ()))
        return None if kind is None else KIND_INTENT[kind]


def build_phrasing(corpus: Corpus, mapping: HwuMapping) -> RealPhrasing:
    """Sort the speakable rows of ``corpus`` by what ``mapping`` makes of them."""
    held = held_out_ids(corpus)
    by_kind: dict[GoalKind, list[HwuRow]] = {}
    reactions: dict[ReactionKind, list[HwuRow]] = {}
    out_of_scope: list[HwuRow] = []
    for row in corpus.rows:
        if row.id in held:
            continue
        if row.intent in mapping.goal_kinds:
            kind = kind_of(row, mapping.goal_kinds[row.intent])
            if kind is not None:
                by_kind.setdefault(kind, []).append(row)
        elif row.intent in mapping.reactions:
            reactions.setdefault(mapping.reactions[row.intent], []).append(row)
        elif row.intent in mapping.out_of_scope and to_speech(row.sentence):
            out_of_scope.append(row)
    return RealPhrasing(corpus, mapping, {k: tuple(v) for k, v in by_kind.items()},
                        {k: tuple(v) for k, v in reactions.items()}, tuple(out_of_scope), held)


def load_phrasing(corpus_path: str | Path = DEFAULT_CORPUS,
                  mapping_path: str | Path = DEFAULT_MAPPING) -> RealPhrasing:
    """Read and check the corpus and the mapping (`HwuDataError`, `MappingError`), then sort."""
    corpus = load_corpus(corpus_path)
    return build_phrasing(corpus, load_mapping(mapping_path, corpus.intents))


def held_out_examples(phrasing: RealPhrasing | None = None) -> list[HeldOut]:
    """The held-out rows with the assistant's right intent, for NLU accuracy during a run."""
    phrasing = phrasing or load_phrasing()
    return [HeldOut(row.id, to_speech(row.sentence), row.intent, phrasing.mapping.section(row.intent),
                    phrasing.expected_intent(row))
            for row in phrasing.corpus.rows if row.id in phrasing.held_out]
