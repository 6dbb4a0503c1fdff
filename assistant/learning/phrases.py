"""Phrase rules mined across people: the misheard part of a request and what it meant.

Whole-utterance rewrites need several users who said the same sentence; people misheard the
same way say different sentences around the misheard part ("could you put on maj and dragons",
"maj and dragons please"). So each rephrase that mining found is aligned word by word with the
request that followed it, and the smallest differing spans are taken, bare and with one word
of context on either side ("maj and" -> "imagine", "play maj and" -> "play imagine"). The spans
are pooled across users and sentences into a chain of their own (``maj and`` -> ``imagine``,
with the outcome of the request that said it; every other request that contains a span counts
as that span said alone), and the same absorbing Markov step as for utterances picks the best
target per span (`assistant.learning.markov`).

A rule changes everybody's words inside any sentence, so it must clear more than a pair:
``min_users`` distinct users behind it, who are ``min_share`` of them and the users for whom
a request with the span worked as heard (those who failed with it and said nothing more are no
evidence against it), the span failing more often than not when said, no number or negation on either side, and no
change of an action word (on/off included), a device or a room the span names, however many
back it; the words it adds must sound or read like the words it drops (`retrieval.keeps_meaning`). Online, the longest
span in a request is rewritten (`rule_for`), counts its own wins and losses, and is retired like
a rewrite when it keeps losing.

A user's own accent recurs in their own sentences ("coughy" for "coffee", in "start coughy" and
"a pot of coughy"), where no other user backs it. So a span the same user fixed at least
``min_personal_support`` times (the fixed request worked) becomes that user's **personal** rule,
under the same bars on meaning (no number, negation, action word, device or room changed; it must
sound or read alike), and stricter ones, since one user is no consensus: no action word in what it
means, not only common words on either side, and never a span that worked as heard for that user.
Besides rephrases, a rewrite that worked (a retrieval or mined pair, not a phrase rule itself)
counts as a step from what was heard to what NLU read.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from typing import TYPE_CHECKING, Any, Mapping, Sequence

from assistant.learning.consensus import named
from assistant.learning.markov import MarkovConfig, RephraseChains, solve
from assistant.learning.rewrites import GLOBAL, MinedPair

if TYPE_CHECKING:
    from assistant.learning.rewrites import Rewrite

Span = tuple[str, ...]
NEGATIONS = frozenset({"not", "no", "never", "don't", "dont", "doesn't", "isn't", "n't", "nothing", "without"})
NUMBER_WORDS = frozenset({
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
    "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen",
    "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety", "hundred",
    "half", "quarter", "percent", "first", "second", "third",
})
# The rewrite sources of phrase rules (a turn they rewrote is no evidence for a rule).
PHRASE_SOURCES = frozenset({"phrase", "personal_phrase"})
# A rewritten request longer than this many characters is dropped, not sent.
MAX_REWRITTEN = 500


@dataclass(frozen=True)
class PhraseConfig:
    """The bounds of phrase mining and the consensus a rule needs."""

    max_span_words: int = 4         # the differing span, before context
    max_differences: int = 2        # more differing spans than this: another sentence, not a fix
    min_users: int = 3              # distinct users whose rephrases went from the span to the target
    min_sentences: int = 2          # distinct heard requests behind it (one alone: an utterance rewrite)
    min_share: float = 0.3          # ... as a share of them and the users for whom the span worked as heard
    min_probability: float = 0.5    # the target's probability of ending in success
    max_source_success: float = 0.5  # the span must fail more often than not when said
    personal: bool = True           # also mine each user's own rules
    min_personal_support: int = 2   # the user's own fixes of the span behind a personal rule

    def __post_init__(self) -> None:
        if min(self.max_span_words, self.max_differences, self.min_users, self.min_personal_support) < 1:
            raise ValueError("max_span_words, max_differences, min_users and min_personal_support must be at least 1")
        if not 0.0 <= self.min_share <= 1.0 or not 0.0 <= self.min_probability <= 1.0:
            raise ValueError("min_share and min_probability must be within 0..1")


@dataclass
class PhraseReport:
    """What phrase mining found and kept."""

    aligned: int = 0                  # rephrase steps aligned
    spans: int = 0                    # distinct heard spans proposed
    rules: list[MinedPair] = field(default_factory=list)
    refused: list[dict[str, Any]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {"aligned": self.aligned, "spans": self.spans,
                "rules": [{"source": r.source, "target": r.target, "support": r.support,
                           "probability": round(r.probability, 3), "users": list(r.supporters),
                           "scope": "global" if r.user_id == GLOBAL else "personal"}
                          for r in self.rules],
                "refused": list(self.refused)}


def differing_spans(heard: Sequence[str], meant: Sequence[str], config: PhraseConfig = PhraseConfig()
                    ) -> list[tuple[Span, Span]]:
    """The (heard, meant) spans where two requests differ by replaced words, bare and with one
    shared word of context on each side; nothing when they differ in more than
    ``max_differences`` places, share no word, or a span is longer than ``max_span_words``."""
    matcher = SequenceMatcher(a=list(heard), b=list(meant), autojunk=False)
    codes = matcher.get_opcodes()
    changed = [c for c in codes if c[0] != "equal"]
    if not changed or len(changed) > config.max_differences or not any(c[0] == "equal" for c in codes):
        return []
    found: list[tuple[Span, Span]] = []
    for tag, i1, i2, j1, j2 in changed:
        if tag != "replace" or i2 - i1 > config.max_span_words or j2 - j1 > config.max_span_words:
            continue
        left = 1 if i1 > 0 and j1 > 0 and heard[i1 - 1] == meant[j1 - 1] else 0
        right = 1 if i2 < len(heard) and j2 < len(meant) and heard[i2] == meant[j2] else 0
        for before in {0, left}:
            for after in {0, right}:
                found.append((tuple(heard[i1 - before:i2 + after]), tuple(meant[j1 - before:j2 + after])))
    return found


def meaning_change(heard: Span, meant: Span) -> str:
    """Why replacing ``heard`` by ``meant`` could change what a request asks ("" when it cannot).

    A number or a negation on either side always could. An action word (on/off included), a
    device or a room the heard span names must stay exactly as it is; words that name none of
    them are misheard words, and may become one ("likes" -> "lights", "whether" -> "weather"),
    as the global pairs' consensus has it (`consensus.action_change`).
    """
    for what, words in (("negation", NEGATIONS), ("number", NUMBER_WORDS)):
        if (set(heard) | set(meant)) & words:
            return f"a {what} in the span"
    if any(any(ch.isdigit() for ch in w) for w in (*heard, *meant)):
        return "a number in the span"
    before, after = named(tuple(heard)), named(tuple(meant))
    for what in before:
        if before[what] and before[what] != after[what]:
            changed = "/".join(sorted(after[what])) or "nothing"
            return f"{what} {'/'.join(sorted(before[what]))} becomes {changed}"
    return ""


class PhraseMiner:
    """Collects spans from rephrase steps and direct uses, then solves for rules."""

    def __init__(self, config: PhraseConfig = PhraseConfig()) -> None:
        self.config = config
        self.report = PhraseReport()
        # (user, heard, meant, the meant one worked) -> how often: the same step recurs a lot
        self._steps: Counter[tuple[str, Span, Span, bool]] = Counter()
        self._sentences: dict[tuple[Span, Span], set[str]] = defaultdict(set)

    def add_chain(self, user_id: str, states: Sequence[str], succeeded: bool) -> None:
        """One rephrase chain (normalized utterances in order) and whether its last one worked."""
        last = len(states) - 1
        steps = [(i, i + 1) for i in range(last)]
        if succeeded:   # and each earlier request against the one that worked
            steps += [(i, last) for i in range(last - 1)]
        for i, j in steps:
            first, second = states[i], states[j]
            if first == second:
                continue
            self.report.aligned += 1
            worked = succeeded and j == last
            for heard, meant in differing_spans(first.split(), second.split(), self.config):
                self._steps[(user_id, heard, meant, worked)] += 1
                self._sentences[(heard, meant)].add(first)

    def solve(self, worked_for: Mapping[str, set[str]], direct: Mapping[str, tuple[int, int]]) -> list[MinedPair]:
        """The rules, from the steps collected and every utterance's direct record.

        Args:
            worked_for: by normalized utterance, the users for whom it worked as heard.
            direct: by normalized utterance, (successes, failures) of its turns that were not
                rephrased.
        """
        config = self.config
        spans = {heard for _, heard, _, _ in self._steps} | {meant for _, _, meant, _ in self._steps}
        self.report.spans = len({heard for _, heard, _, _ in self._steps})
        if not spans:
            return []
        chains = RephraseChains(max_hops=1)
        for (user_id, heard, meant, worked), count in self._steps.items():
            for _ in range(count):
                chains.add(user_id, [" ".join(heard), " ".join(meant)], worked)
        sayers: dict[Span, set[str]] = defaultdict(set)
        longest = max(len(s) for s in spans)
        for utterance in set(worked_for) | set(direct):
            words = utterance.split()
            contained = {tuple(words[i:i + n]) for n in range(1, longest + 1)
                         for i in range(len(words) - n + 1)} & spans
            if not contained:
                continue
            ok, failed = direct.get(utterance, (0, 0))
            users = worked_for.get(utterance)
            for span in contained:
                key = chains.state(" ".join(span))
                chains.successes[key] += ok
                chains.failures[key] += failed
                if users:
                    sayers[span] |= users
        markov = MarkovConfig(min_probability=config.min_probability, min_users=config.min_users,
                              max_source_success=config.max_source_success, max_hops=1,
                              min_personal_support=config.min_personal_support)
        rules: list[MinedPair] = []
        for pair in solve(chains, markov).pairs:
            heard, meant = tuple(pair.source.split()), tuple(pair.target.split())
            if pair.user_id != GLOBAL:
                if config.personal:
                    self._personal(pair, heard, meant, sayers.get(heard, set()), rules)
                continue
            backers = chains.reach_users.get((chains.index[pair.source], chains.index[pair.target]), set())
            why = self._refusal(heard, meant, backers, sayers.get(heard, set()),
                                len(self._sentences.get((heard, meant), ())))
            if why:
                self.report.refused.append({"source": pair.source, "target": pair.target, "reason": why,
                                            "users": sorted(backers)})
                continue
            rules.append(MinedPair(pair.source, pair.target, len(backers), pair.probability,
                                   supporters=tuple(sorted(backers))))
        rules = _without_redundant_context(rules)
        self.report.rules = rules
        return rules

    def _personal(self, pair: MinedPair, heard: Span, meant: Span, sayers: set[str], rules: list[MinedPair]) -> None:
        """Keep ``pair`` (the Markov step's personal pair for a span) as its user's rule, or note why not."""
        from assistant.learning.retrieval import keeps_meaning

        fixes = self._steps[(pair.user_id, heard, meant, True)]
        why = "" if fixes >= self.config.min_personal_support else \
            f"{fixes} of the user's own fixes worked < {self.config.min_personal_support}"
        why = why or meaning_change(heard, meant)
        if not why and named(meant)["action"] != named(heard)["action"]:
            why = "an action word in what it means"   # "turn of" -> "turn off": one user is no consensus
        if not why and (all(word in _stop_words() for word in heard) or all(word in _stop_words() for word in meant)):
            why = "the span or what it means is only common words"   # "pot" -> "for me" drops a word
        if not why and pair.user_id in sayers:
            why = "the span worked as heard for this user"
        if not why and not keeps_meaning(pair.source, pair.target):
            why = "the words it adds do not sound or read like the words it drops"
        if why:
            self.report.refused.append({"source": pair.source, "target": pair.target, "reason": why,
                                        "users": [pair.user_id]})
            return
        rules.append(MinedPair(pair.source, pair.target, fixes, pair.probability, user_id=pair.user_id,
                               supporters=(pair.user_id,)))

    def _refusal(self, heard: Span, meant: Span, backers: set[str], sayers: set[str], sentences: int) -> str:
        from assistant.learning.retrieval import keeps_meaning

        config = self.config
        if len(backers) < config.min_users:
            return f"{len(backers)} users < {config.min_users}"
        if sentences < config.min_sentences:
            return f"{sentences} heard request(s) < {config.min_sentences}: an utterance rewrite serves it"
        said = len(sayers | backers)
        if said and len(backers) / said < config.min_share:
            return (f"{len(backers)} of the {said} users who fixed it or for whom it worked "
                    f"({len(backers) / said:.0%} < {config.min_share:.0%})")
        change = meaning_change(heard, meant)
        if change:
            return change
        if not keeps_meaning(" ".join(heard), " ".join(meant)):
            return "the words it adds do not sound or read like the words it drops"
        return ""


def _stop_words() -> frozenset[str]:
    """scikit-learn's English stop words ("of", "in", "the"): a span of only these is in too many
    of a user's sentences for one user's fixes to rewrite it."""
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    return ENGLISH_STOP_WORDS


def _without_redundant_context(rules: list[MinedPair]) -> list[MinedPair]:
    """A rule with context is dropped when the bare rule inside it makes the same change, in its
    own scope or the global one (which serves every user); so is a user's rule the global table has."""
    bare = {(r.user_id, r.source, r.target) for r in rules}
    kept = []
    for rule in rules:
        heard, meant = rule.source.split(), rule.target.split()
        inner = {(" ".join(heard[a:len(heard) - b]), " ".join(meant[a:len(meant) - b]))
                 for a in (0, 1) for b in (0, 1) if (a, b) != (0, 0)}
        scopes = {rule.user_id, GLOBAL}
        if any((scope, *change) in bare for scope in scopes for change in inner) \
                or (rule.user_id != GLOBAL and (GLOBAL, rule.source, rule.target) in bare):
            continue
        kept.append(rule)
    return kept


# -- online ---------------------------------------------------------------------------------

def rule_for(words: Sequence[str], rules: Mapping[Span, "Rewrite"]) -> "tuple[int, Rewrite] | None":
    """The rule to apply in a request's normalized words: the longest span it contains, then the
    most probable target, then the leftmost; with the span's start."""
    if not rules:
        return None
    longest = max(len(span) for span in rules)
    for size in range(min(longest, len(words)), 0, -1):
        found = [(i, rules[tuple(words[i:i + size])]) for i in range(len(words) - size + 1)
                 if tuple(words[i:i + size]) in rules]
        if found:
            return max(found, key=lambda f: (f[1].probability, -f[0]))
    return None


def substitute(text: str, heard: str, meant: str) -> str | None:
    """``text`` with its first occurrence of the words of ``heard`` (whole words, any case,
    anything but letters and digits between them) replaced by ``meant``; None when the words
    are not found as such, or the result would be empty or longer than `MAX_REWRITTEN`."""
    parts = [re.escape(w) for w in heard.split()]
    if not parts:
        return None
    pattern = re.compile(r"(?<![\w'])" + r"[^\w']+".join(parts) + r"(?![\w'])", re.IGNORECASE)
    rewritten, count = pattern.subn(lambda _m: meant, text, count=1)
    rewritten = " ".join(rewritten.split())
    if not count or not rewritten or len(rewritten) > MAX_REWRITTEN:
        return None
    return rewritten

