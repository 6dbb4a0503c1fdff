"""A small backoff n-gram language model: Witten-Bell estimation, linear mixing, ARPA output.

No kept library in the project's venv estimates or writes ARPA models (no nltk, no kenlm), so
this module does, for the simulated speech channel's domain language model.

A ``BackoffLM`` holds, for every order, the explicit n-grams with their log10 probability and,
for n-grams that are contexts, a log10 backoff weight, exactly as an ARPA file does:

    P(w | h) = P*(w | h)                   if (h, w) is explicit
             = bow(h) * P(w | h[1:])       otherwise (bow(h) = 1 when h is not explicit)

``witten_bell`` estimates one from counts: the interpolated Witten-Bell estimate
``P(w|h) = (c(h,w) + T(h) P(w|h')) / (c(h) + T(h))`` with ``T(h)`` the number of distinct words
seen after ``h``, written in backoff form with ``bow(h) = T(h) / (c(h) + T(h))``, so every
context's distribution sums to one.

``mix`` interpolates a model with another one given only as a probability function
(``P = lam * P_a + (1 - lam) * P_b`` on the explicit n-grams of ``a`` and on all unigrams of
both) and recomputes every backoff weight so each context sums to one again (the way SRILM's
``-mix-lm`` writes a mixture as one backoff model). For an n-gram that is explicit in neither,
the mixture backs off to its own lower order, so the second model's longer contexts count only
where the first model has the n-gram.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

BOS = "<s>"
EOS = "</s>"
# ARPA's "never": the probability of the sentence start symbol, which is only ever a context.
LOG_ZERO = -99.0

Ngram = tuple[str, ...]


@dataclass(frozen=True)
class BackoffLM:
    """A backoff n-gram model: per order, explicit n-grams -> log10 P, and contexts -> log10 bow."""

    order: int
    logprobs: tuple[Mapping[Ngram, float], ...]
    backoffs: tuple[Mapping[Ngram, float], ...]

    @property
    def vocabulary(self) -> list[str]:
        """The model's words, sorted (with ``<s>`` and ``</s>``)."""
        return sorted(w for (w,) in self.logprobs[0])

    def counts(self) -> tuple[int, ...]:
        """How many explicit n-grams of each order."""
        return tuple(len(table) for table in self.logprobs)

    def logprob(self, ngram: Ngram) -> float:
        """log10 P(ngram[-1] | ngram[:-1]), backing off as needed (-inf for an unknown word)."""
        ngram = ngram[-self.order :]
        penalty = 0.0
        while ngram:
            explicit = self.logprobs[len(ngram) - 1].get(ngram)
            if explicit is not None:
                return penalty + explicit
            if len(ngram) == 1:
                return -math.inf
            penalty += self.backoffs[len(ngram) - 2].get(ngram[:-1], 0.0)
            ngram = ngram[1:]
        return -math.inf

    def prob(self, ngram: Ngram) -> float:
        """P(ngram[-1] | ngram[:-1]) as a probability."""
        value = self.logprob(ngram)
        return 0.0 if value == -math.inf or value <= LOG_ZERO else 10.0**value

    def context_mass(self, context: Ngram) -> float:
        """The total probability of every word after ``context`` (1.0 for a normalised model)."""
        return sum(self.prob(context + (w,)) for w in self.vocabulary if w != BOS)

    def write_arpa(self, path: Path) -> None:
        """Write the model as an ARPA file, n-grams sorted, so equal models give equal bytes."""
        lines = ["\\data\\"]
        lines += [f"ngram {n + 1}={len(table)}" for n, table in enumerate(self.logprobs)]
        for n, table in enumerate(self.logprobs):
            lines += ["", f"\\{n + 1}-grams:"]
            bows = self.backoffs[n] if n < self.order - 1 else {}
            for ngram in sorted(table):
                text = f"{table[ngram]:.6f}\t{' '.join(ngram)}"
                if n < self.order - 1:
                    text += f"\t{bows.get(ngram, 0.0):.6f}"
                lines.append(text)
        lines += ["", "\\end\\", ""]
        path.write_text("\n".join(lines), encoding="utf-8")


def count_ngrams(sentences: Iterable[Iterable[str]], order: int = 3) -> list[dict[Ngram, int]]:
    """Count every n-gram up to ``order`` in sentences padded with ``<s>`` and ``</s>``."""
    counts: list[dict[Ngram, int]] = [defaultdict(int) for _ in range(order)]
    for sentence in sentences:
        words = [BOS, *sentence, EOS]
        for i in range(1, len(words)):
            for n in range(1, order + 1):
                if i - n + 1 < 0:
                    break
                counts[n - 1][tuple(words[i - n + 1 : i + 1])] += 1
    return [dict(table) for table in counts]


def witten_bell(counts: list[dict[Ngram, int]]) -> BackoffLM:
    """Estimate an interpolated Witten-Bell model from ``count_ngrams`` output."""
    order = len(counts)
    unigram_total = sum(counts[0].values())
    probs: list[dict[Ngram, float]] = [{(BOS,): 0.0}]
    probs[0].update({ng: c / unigram_total for ng, c in counts[0].items()})
    backoffs: list[dict[Ngram, float]] = []
    for n in range(1, order):
        totals: dict[Ngram, int] = defaultdict(int)
        types: dict[Ngram, int] = defaultdict(int)
        for ngram, c in counts[n].items():
            totals[ngram[:-1]] += c
            types[ngram[:-1]] += 1
        table = {}
        for ngram in sorted(counts[n]):
            h = ngram[:-1]
            lower = _linear_prob(probs, backoffs, ngram[1:])
            table[ngram] = (counts[n][ngram] + types[h] * lower) / (totals[h] + types[h])
        probs.append(table)
        backoffs.append({h: types[h] / (totals[h] + types[h]) for h in sorted(totals)})
    return _to_log(order, probs, backoffs)


def mix(
    model: BackoffLM,
    other_prob: Callable[[Ngram], float],
    other_unigrams: Mapping[str, float],
    lam: float,
    other_ngrams: Iterable[Ngram] = (),
) -> BackoffLM:
    """Interpolate ``model`` (weight ``lam``) with another model known by its probabilities.

    Args:
        model: the first model; its explicit n-grams stay explicit.
        other_prob: P_b(w | h) for an n-gram ``h + (w,)``, 0.0 for a word it does not know.
        other_unigrams: P_b(w) for every word of the other model's vocabulary to keep.
        lam: the first model's weight, in [0, 1].
        other_ngrams: n-grams (order 2 and up) of the other model to make explicit too; each
            one's context must be explicit (a kept word, or one of these n-grams).

    Returns:
        One backoff model whose every context sums to one.
    """
    if not 0.0 <= lam <= 1.0:
        raise ValueError(f"lam must be in [0, 1], got {lam}")
    order = model.order
    vocab = sorted(set(model.vocabulary) | set(other_unigrams) | {EOS})
    unigrams: dict[Ngram, float] = {}
    for w in vocab:
        if w == BOS:
            unigrams[(w,)] = 0.0
            continue
        unigrams[(w,)] = lam * model.prob((w,)) + (1.0 - lam) * other_unigrams.get(w, 0.0)
    probs: list[dict[Ngram, float]] = [unigrams]
    backoffs: list[dict[Ngram, float]] = []
    extra: list[set[Ngram]] = [set() for _ in range(order)]
    for ngram in other_ngrams:
        if not 2 <= len(ngram) <= order or not all((w,) in unigrams for w in ngram):
            raise ValueError(f"cannot add n-gram {ngram!r}: wrong order or unknown word")
        extra[len(ngram) - 1].add(ngram)
    for n in range(1, order):
        table = {}
        for ngram in sorted(set(model.logprobs[n]) | extra[n]):
            if ngram[:-1] not in probs[n - 1]:
                raise ValueError(f"cannot add n-gram {ngram!r}: its context is not explicit")
            table[ngram] = lam * model.prob(ngram) + (1.0 - lam) * other_prob(ngram)
        probs.append(table)
        backoffs.append({})
    # Backoff weights, lowest order first: bow(h) = (1 - sum P(w|h)) / (1 - sum P(w|h[1:])) over
    # the words explicit after h, with P(w|h[1:]) taken from the mixture itself.
    for n in range(1, order):
        followers: dict[Ngram, list[Ngram]] = defaultdict(list)
        for ngram in probs[n]:
            followers[ngram[:-1]].append(ngram)
        bows = backoffs[n - 1]
        for h in sorted(followers):
            explicit = sum(probs[n][g] for g in followers[h])
            lower = sum(_linear_prob(probs, backoffs, g[1:]) for g in followers[h])
            left = max(1.0 - explicit, 1e-9)
            bows[h] = left / max(1.0 - lower, 1e-9)
    return _to_log(order, probs, backoffs)


def _linear_prob(probs: list[dict[Ngram, float]], backoffs: list[dict[Ngram, float]], ngram: Ngram) -> float:
    """P(w | h) in a model held as linear probabilities (used while building one)."""
    weight = 1.0
    while ngram:
        explicit = probs[len(ngram) - 1].get(ngram)
        if explicit is not None:
            return weight * explicit
        if len(ngram) == 1:
            return 0.0
        weight *= backoffs[len(ngram) - 2].get(ngram[:-1], 1.0)
        ngram = ngram[1:]
    return 0.0


def _to_log(order: int, probs: list[dict[Ngram, float]], backoffs: list[dict[Ngram, float]]) -> BackoffLM:
    """Turn linear probabilities and weights into log10 (zero -> ARPA's -99), rounded as written."""

    def log10(p: float) -> float:
        return round(math.log10(p), 6) if p > 0.0 else LOG_ZERO

    # Rounded as the ARPA file holds them, so the model in memory and the file agree.
    return BackoffLM(
        order=order,
        logprobs=tuple({ng: log10(p) for ng, p in table.items()} for table in probs),
        backoffs=tuple({h: round(math.log10(b), 6) for h, b in table.items()} for table in backoffs),
    )
