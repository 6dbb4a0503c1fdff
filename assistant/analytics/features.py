"""Features of a turn for failure-point isolation: the turn, its reply, the turns before and
after in its session (extended context), confidences, rewrite, entities, directives,
refusals and actions. One plain dict per turn, for a DictVectorizer.

Confidences also enter as ranks within the analysed log (`add_ranks`), so that a retrained,
differently calibrated NLU model moves the features less than the raw scores would.
Nothing here reads the simulator's truth (a test removes it and compares).

Bump FEATURE_VERSION whenever a feature changes meaning: saved models record it.
"""

from __future__ import annotations

import functools
import itertools
import re
from dataclasses import dataclass
from typing import Any, Sequence

import jellyfish
from rapidfuzz import fuzz, process

from assistant.analytics import turns as tk
from assistant.analytics import wording
from assistant.analytics.goals import GoalVerdict, TurnVerdict
from assistant.catalog import load_catalog
from assistant.learning.log import Feedback, TurnRecord
from assistant.paths import PROJECT_ROOT
from assistant.text import jaccard, normalize, tokens

FEATURE_VERSION = 10

# Intents that act on or ask about a device, a title, a place: without an entity they
# depend on context resolution.
NEEDS_ENTITY = frozenset({"turn_on", "turn_off", "set_brightness", "set_color", "set_temperature",
                          "open_device", "close_device", "lock_device", "unlock_device",
                          "play_media", "ask_device_state", "set_alarm", "set_timer",
                          "ask_weather", "ask_team_score", "find_restaurant"})
PLURAL = frozenset({"lights", "lamps", "all", "every"})
_WORD = re.compile(r"[a-z0-9']+")
NEAR_NAME = 80        # fuzz.ratio at which a phrase is "almost" a catalog name


@dataclass
class TurnContext:
    """A turn with its neighbours in the session and the verdict of its goal."""

    turn: TurnRecord
    verdict: TurnVerdict
    goal: GoalVerdict
    position: int                      # index of the turn in its goal
    previous: TurnRecord | None        # the previous turn of the session
    following: TurnRecord | None       # the next turn of the session
    same_goal_next: bool
    same_goal_previous: bool


def contexts(verdicts: Sequence[GoalVerdict]) -> list[TurnContext]:
    """Every turn of every goal with its neighbours, in log order."""
    by_session: dict[tuple[str, str], list[tuple[TurnRecord, TurnVerdict, GoalVerdict, int]]] = {}
    for goal in verdicts:
        for position, verdict in enumerate(goal.turns):
            key = (goal.goal.user_id, goal.goal.session_id)
            by_session.setdefault(key, []).append((verdict.turn, verdict, goal, position))
    out: list[TurnContext] = []
    for rows in by_session.values():
        rows.sort(key=lambda r: r[0].id or 0)
        for i, (turn, verdict, goal, position) in enumerate(rows):
            prev_row = rows[i - 1] if i > 0 else None
            next_row = rows[i + 1] if i + 1 < len(rows) else None
            out.append(TurnContext(
                turn, verdict, goal, position,
                prev_row[0] if prev_row else None, next_row[0] if next_row else None,
                next_row is not None and next_row[2] is goal,
                prev_row is not None and prev_row[2] is goal))
    out.sort(key=lambda c: c.turn.id or 0)
    return out


@functools.lru_cache(maxsize=1)
def vocabulary() -> frozenset[str]:
    """Words the assistant was trained on or knows from its catalogs (read-only)."""
    words: set[str] = set()
    for folder in (PROJECT_ROOT / "stories" / "nlu", PROJECT_ROOT / "assistant" / "catalogs"):
        for path in sorted(folder.glob("*.yml")) if folder.is_dir() else []:
            try:
                words.update(_WORD.findall(path.read_text(encoding="utf-8").lower()))
            except OSError:
                continue
    return frozenset(words)


_EXAMPLE = re.compile(r"^\s*- (.+)$")
_ANNOTATION = re.compile(r"\[([^\]]*)\](?:\([^)]*\)|\{[^}]*\})")


@functools.lru_cache(maxsize=1)
def training_bigrams() -> frozenset[tuple[str, str]]:
    """Word pairs of the assistant's own NLU examples (`stories/nlu/`, entity marks removed).
    A heard pair the examples never hold hints at words the channel garbled ("bait oven")."""
    pairs: set[tuple[str, str]] = set()
    folder = PROJECT_ROOT / "stories" / "nlu"
    for path in sorted(folder.glob("*.yml")) if folder.is_dir() else []:
        try:
            lines = path.read_text(encoding="utf-8").splitlines()
        except OSError:
            continue
        for line in lines:
            if match := _EXAMPLE.match(line):
                words = tokens(_ANNOTATION.sub(r"\1", match.group(1)))
                pairs.update(zip(words, words[1:]))
    return frozenset(pairs)


def unseen_bigrams(text: str, known: frozenset[tuple[str, str]]) -> dict[str, float]:
    """How many of the text's word pairs the NLU examples never hold: their share, their
    number, and the longest run of them in a row."""
    words = tokens(text)
    unseen = [pair not in known for pair in zip(words, words[1:])]
    run = longest = 0
    for miss in unseen:
        run = run + 1 if miss else 0
        longest = max(longest, run)
    return {"unseen_bigram_rate": sum(unseen) / len(unseen) if unseen else 0.0,
            "unseen_bigrams": float(sum(unseen)), "unseen_bigram_run": float(longest)}


@functools.lru_cache(maxsize=1)
def catalog_names() -> tuple[frozenset[str], dict[str, str], tuple[str, ...]]:
    """The names a request can carry (cities, teams, cuisines, artists, genres, titles, news
    sources; written without spaces), their phonetic keys, and the names as a tuple. Device,
    room and colour words are left out: they are everyday words."""
    catalog = load_catalog()
    names = {*(c.name for c in catalog.cities), *(t.name for t in catalog.teams), *(t.short for t in catalog.teams),
             *catalog.cuisines, *(a.name for a in catalog.artists), *catalog.genres,
             *(m.title for m in catalog.titles), *catalog.news_sources}
    squeezed = {"".join(tokens(n)) for n in names}
    squeezed = {n for n in squeezed if len(n) >= 4}
    return frozenset(squeezed), {jellyfish.metaphone(n): n for n in sorted(squeezed)}, tuple(sorted(squeezed))


def catalog_match(text: str) -> dict[str, float]:
    """Whether the words hold a catalog name, or only something that sounds or reads like one
    ("tie restaurant", "see at all", "the lackers"): misheard names look like the latter."""
    exact, keys, names = catalog_names()
    words = tokens(text)
    spans = {(i, j): "".join(words[i:j]) for i, j in itertools.combinations(range(len(words) + 1), 2)
             if j - i <= 3}
    found = [span for span, phrase in spans.items() if phrase in exact]
    # Words that are part of a name found are no near miss ("the lakers" beside "lakers").
    others = [phrase for (i, j), phrase in spans.items() if len(phrase) >= 4 and phrase not in exact
              and not any(i < b and a < j for a, b in found)]
    sound = any(jellyfish.metaphone(p) in keys for p in others)
    ratio = max((process.extractOne(p, names, scorer=fuzz.ratio)[1] for p in others), default=0.0) / 100 \
        if names else 0.0
    return {"catalog_name": float(bool(found)), "catalog_sound_alike": float(sound),
            "catalog_near_ratio": ratio, "catalog_near_miss": float(ratio * 100 >= NEAR_NAME or sound)}


def oov_rate(text: str, vocab: frozenset[str]) -> float:
    words = tokens(text)
    if not words or not vocab:
        return 0.0
    return sum(1 for w in words if w not in vocab) / len(words)


def features(ctx: TurnContext, vocab: frozenset[str] | None = None) -> dict[str, Any]:
    """The feature dict of one turn."""
    vocab = vocabulary() if vocab is None else vocab
    t = ctx.turn
    intent = t.intent or "none"
    said = tk.feedback(t)
    reasons = tk.refusal_reasons(t)
    entities = tk.entity_values(t)
    f: dict[str, Any] = {
        "intent=" + intent: 1.0,
        "kind=" + ("answer" if ctx.goal.goal.is_answer(t) else "social" if intent in tk.SOCIAL else "request"): 1.0,
        "confidence": float(t.confidence) if t.confidence is not None else 1.0,
        "confidence_missing": float(t.confidence is None),
        "asr_confidence": float(t.asr_confidence) if t.asr_confidence is not None else 1.0,
        "asr_missing": float(t.asr_confidence is None),
        "rewritten": float(bool(t.text_rewritten)),
        "n_tokens": float(len(tokens(t.text or ""))),
        "oov_rate": oov_rate(t.text or "", vocab),
        "n_entities": float(len(entities)),
        "missing_entity": float(intent in NEEDS_ENTITY and not entities),
        "n_directives": float(len(t.directives or [])),
        "n_refused": float(len(reasons)),
        "n_problems": float(len(tk.problems(t))),
        "fallback": float(tk.is_fallback(t)),
        "reply_apology": float(tk.reply_apologises(t)),
        "reply_empty": float(not (t.reply or "").strip()),
        "reply_question": float("?" in (t.reply or "")),
        "reply_echoes_text": float(bool(t.text) and normalize(t.text) in normalize(t.reply or "")),
        # The assistant heard something close to a name it knows ("I don't know the cuisine
        # 'japan ease'. Did you mean japanese?"): words misheard, not a sentence misread.
        "reply_suggests": float("did you mean" in normalize(t.reply or "")),
        "barge_in": float(bool(t.barge_in)),
        "defect_score": ctx.verdict.score,
        "defect": float(ctx.verdict.defect),
        "goal_achieved": float(ctx.goal.achieved),
        "goal_requests": float(len(ctx.goal.goal.requests)),
        "position": float(ctx.position),
        "is_last_request": float(t is ctx.goal.goal.last_request),
    }
    opening = tokens(t.reply or "")[:3]
    if opening:
        f["reply_opening=" + " ".join(opening)] = 1.0   # the response type (replies come from templates)
    margin = margin_of(t)
    f["nlu_margin"] = margin if margin is not None else f["confidence"]
    f["margin_missing"] = float(margin is None)
    f["entity_oov"] = float(any(oov_rate(v, vocab) > 0 for v in entities.values()))
    f.update(catalog_match(t.text or ""))
    f.update(unseen_bigrams(t.text or "", training_bigrams()))
    f.update(wording.word_shape(t.text or "", vocab))
    f.update(wording.gaps(t.text or ""))
    f.update(wording.room_features(t.text or "", t.reply or "", t.context))
    acts_on_target = intent in NEEDS_ENTITY
    # "all the lights" handled as one light; a request that changed nothing and said no problem.
    f["plural_target"] = float(acts_on_target and bool(PLURAL & set(tokens(t.text or ""))))
    f["no_effect"] = float(acts_on_target and not t.directives and not tk.problems(t) and not tk.is_fallback(t))
    if t.rewrite_source:
        f["rewrite_source=" + str(t.rewrite_source)] = 1.0
        f["rewrite_jaccard"] = jaccard(t.text or "", t.text_rewritten or "")
    f.update(learning_features(t, ctx.previous))
    f["next_names_other"] = names_other(t, ctx.following if ctx.same_goal_next else None)
    chosen = tk.explore_choice(ctx.following) if ctx.following is not None else None
    if chosen is not None:     # how the user answered this turn's exploration question
        f["next_explore_choice=" + (chosen if chosen in tk.EXPLORE_NOT_CHOSEN else "reading")] = 1.0
    for name in entities:
        f["entity=" + name] = 1.0
    for reason in reasons:
        f["refusal=" + reason] = 1.0
    for problem in tk.problems(t):
        f["problem=" + problem] = 1.0
    for action in t.actions or []:
        if action != "action_listen":
            f["action=" + str(action)] = 1.0
    for name in (*Feedback.DEFECT_SIGNALS,):
        if said.get(name):
            f["fb_" + name] = 1.0
    answer = tk.explicit(t)
    if answer:
        f["explicit=" + answer] = 1.0
    f.update(_neighbour("next", t, ctx.following, ctx.same_goal_next))
    f.update(_neighbour("prev", t, ctx.previous, ctx.same_goal_previous))
    return f


def learning_features(t: TurnRecord, previous: TurnRecord | None) -> dict[str, float]:
    """What the learning did on the turn, and whether it answers the assistant's own question:
    an entity repaired, a reading chosen (or not) from an exploration question, an offer to
    learn, a question in the reply before it. Rows logged before these columns read as none."""
    evidence = t.evidence if isinstance(getattr(t, "evidence", None), dict) else {}
    repaired = evidence.get("repaired") if evidence else None
    f: dict[str, float] = {"repaired": float(bool(repaired)),
                           "explore_asked": float(bool(getattr(t, "explore_asked", None))),
                           "offer": float(tk.OFFER_ACTION in (t.actions or [])),
                           "answers_question": float(previous is not None and tk.asked_user(previous))}
    if previous is not None and tk.asked_user(previous):
        # What was asked shapes what an answer means: "no" to "Did I answer your question?" is
        # a complaint heard right, to "Which city should I use?" it is not an answer at all.
        f["question=" + question_kind(previous)] = 1.0
    choice = tk.explore_choice(t)
    if choice is not None:
        f["explore_choice=" + (choice if choice in tk.EXPLORE_NOT_CHOSEN else "reading")] = 1.0
    if isinstance(repaired, list):
        scopes = {str(r.get("scope")) for r in repaired if isinstance(r, dict)}
        for scope in scopes:
            f["repair_scope=" + scope] = 1.0
    return f


def question_kind(turn: TurnRecord) -> str:
    """Which question the turn's reply asked: an offer to learn, an exploration question,
    "Did I answer your question?", or another one (a clarification, a slot)."""
    actions = turn.actions or []
    if tk.OFFER_ACTION in actions:
        return "offer"
    if getattr(turn, "explore_asked", None):
        return "explore"
    if tk.CHECK_ACTION in actions:
        return "check"
    return "other"


# Entities that name a thing of the world (a place, an artist, a title), not a device or a time.
NAMING = frozenset({"city", "region", "artist", "genre", "media_title", "team", "cuisine"})


def names_other(t: TurnRecord, following: TurnRecord | None) -> float:
    """Whether the next turn of the same goal names a place, artist or title this turn neither
    named nor answered with: "In Seattle today: ..." then "I live in San Francisco" (the answer
    to "Which city should I use?"), or a retry naming the city. The result the turn gave was for
    something else than what the user meant."""
    if following is None:
        return 0.0
    mine = {v for k, v in tk.entity_values(t).items() if k in NAMING}
    reply = normalize(t.reply or "")
    theirs = [v for k, v in tk.entity_values(following).items() if k in NAMING and v]
    return float(any(v not in mine and normalize(v) not in reply for v in theirs))


def _neighbour(prefix: str, t: TurnRecord, other: TurnRecord | None, same_goal: bool) -> dict[str, float]:
    if other is None:
        return {prefix + "_none": 1.0}
    gap = abs(tk.seconds(other) - tk.seconds(t))
    f = {
        prefix + "_same_goal": float(same_goal),
        prefix + "_intent=" + str(other.intent or "none"): 1.0,
        prefix + "_same_intent": float(other.intent == t.intent),
        prefix + "_confidence": float(other.confidence) if other.confidence is not None else 1.0,
        prefix + "_asr_confidence": float(other.asr_confidence) if other.asr_confidence is not None else 1.0,
        prefix + "_jaccard": jaccard(t.text or "", other.text or ""),
        prefix + "_gap_log": _log_gap(gap),
        prefix + "_barge_in": float(bool(other.barge_in)),
        prefix + "_refused": float(bool(tk.refusal_reasons(other) or tk.problems(other))),
        prefix + "_fallback": float(tk.is_fallback(other)),
        prefix + "_same_entities": float(tk.entity_values(other) == tk.entity_values(t)),
        prefix + "_n_directives": float(len(other.directives or [])),
        prefix + "_reply_question": float("?" in (other.reply or "")),
        prefix + "_exact_repeat": float(normalize(other.text or "") == normalize(t.text or "")),
        prefix + "_rewritten": float(bool(other.text_rewritten)),
        prefix + "_apology": float(tk.reply_apologises(other)),
        prefix + "_n_tokens_delta": float(len(tokens(other.text or "")) - len(tokens(t.text or ""))),
    }
    for problem in tk.problems(other):
        f[prefix + "_problem=" + problem] = 1.0
    if same_goal:
        ratio = fuzz.ratio(t.text or "", other.text or "") / 100
        f[prefix + "_char_ratio"] = ratio
        mine, theirs = set(tokens(t.text or "")), set(tokens(other.text or ""))
        f[prefix + "_words_only_here"] = float(len(mine - theirs))
        f[prefix + "_words_only_there"] = float(len(theirs - mine))
        # A retry that mends a word or two (heard wrong) rather than saying it differently.
        f[prefix + "_mends_words"] = float(0.7 <= ratio < 1.0 and 0 < len(mine - theirs) <= 2)
        f[prefix + "_adds_entity"] = float(bool(set(tk.entity_values(other)) - set(tk.entity_values(t))))
    return f


def margin_of(turn: TurnRecord) -> float | None:
    """The logged NLU margin (the column; older logs kept it in the context, if at all)."""
    value = getattr(turn, "nlu_margin", None)
    if value is None and isinstance(turn.context, dict):
        value = turn.context.get("nlu_margin")
    return float(value) if isinstance(value, (int, float)) else None


RANKED = ("confidence", "asr_confidence", "nlu_margin", "next_confidence", "next_asr_confidence")


def add_ranks(rows: Sequence[dict[str, Any]]) -> None:
    """Add each RANKED value's percentile rank within ``rows`` (0..1, ties share the mean
    rank) as ``<name>_rank``; a value missing from a row gets no rank."""
    for name in RANKED:
        values = sorted(r[name] for r in rows if name in r)
        if not values:
            continue
        import bisect

        n = len(values)
        for row in rows:
            if name in row:
                lo = bisect.bisect_left(values, row[name])
                hi = bisect.bisect_right(values, row[name])
                row[name + "_rank"] = ((lo + hi) / 2) / n


def _log_gap(seconds: float) -> float:
    import math

    return math.log1p(max(seconds, 0.0))
