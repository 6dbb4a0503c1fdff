"""Cross-validation of the intent head on the project's own training examples (stories/nlu).

`python -m lab.evaluation.crossval [--folds 5] [--seed 30] [--encoder DIR] [--nlu DIR] [--json OUT]`

Stratified k folds of the distinct (text, intent) examples; each fold fits what
`LinearIntentClassifier` fits (unit-length MiniLM part * 1.0 beside unit-length word and
char_wb 1-4 counts * 0.5, multinomial logistic regression, balanced, C=8) on the other folds
and predicts it. The counts are scikit-learn's `CountVectorizer`s, not Rasa's featurizers (no
regex or lexical-syntactic features, no rewriter), so it ranks choices on the training data
without a Rasa training per fold; the figures are not the pipeline's own. Accuracy is given
raw and after a fallback at each threshold of `lab.evaluation.measure.SWEEP`.

`--encoder` names another sentence-transformers folder run by `assistant.minilm` (default:
the packaged MiniLM). An encoder fine-tuned on all the examples has seen every fold's labels,
so its figure here is not a fair one.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from assistant.paths import PROJECT_ROOT

NLU_DIR = PROJECT_ROOT / "stories" / "nlu"


def load_examples(folder: Path = NLU_DIR) -> list[tuple[str, str]]:
    """The distinct (text, intent) examples of the NLU files, in file order."""
    from rasa.shared.nlu.training_data.loading import load_data

    data = load_data(str(folder))
    pairs = [(str(m.get("text")), str(m.get("intent"))) for m in data.intent_examples
             if m.get("text") and m.get("intent")]
    return list(dict.fromkeys(pairs))


def cross_validate(examples: Sequence[tuple[str, str]], vectors: Any, folds: int = 5,
                   seed: int = 30, thresholds: Sequence[float] = ()) -> dict[str, Any]:
    """Accuracy over k stratified folds; `vectors` are the examples' unit-length embeddings."""
    import numpy as np
    from scipy.sparse import csr_matrix, hstack
    from sklearn.feature_extraction.text import CountVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold
    from sklearn.preprocessing import normalize

    from assistant.components.linear_intent_classifier import fit_multinomial

    texts = [t for t, _ in examples]
    labels = np.array([i for _, i in examples])
    dense = normalize(np.asarray(vectors, dtype=np.float64))
    predicted = np.empty(len(texts), dtype=object)
    confidence = np.zeros(len(texts))
    margin = np.zeros(len(texts))
    for train, test in StratifiedKFold(folds, shuffle=True, random_state=seed).split(texts, labels):
        words = CountVectorizer(token_pattern=r"(?u)\b\w+\b")
        chars = CountVectorizer(analyzer="char_wb", ngram_range=(1, 4))
        train_texts = [texts[i] for i in train]
        test_texts = [texts[i] for i in test]
        sparse_train = normalize(hstack([words.fit_transform(train_texts), chars.fit_transform(train_texts)],
                                        format="csr", dtype=np.float64)) * 0.5
        sparse_test = normalize(hstack([words.transform(test_texts), chars.transform(test_texts)],
                                       format="csr", dtype=np.float64)) * 0.5
        model = LogisticRegression(C=8.0, max_iter=500, class_weight="balanced", random_state=42)
        fit_multinomial(model, dense[train], sparse_train, list(labels[train]))
        rows = model.predict_proba(hstack([csr_matrix(dense[test]), sparse_test], format="csr"))
        order = np.argsort(-rows, axis=1)
        predicted[test] = model.classes_[order[:, 0]]
        confidence[test] = rows[np.arange(len(test)), order[:, 0]]
        margin[test] = confidence[test] - rows[np.arange(len(test)), order[:, 1]]
    right = predicted == labels
    per_intent = {str(i): round(float(right[labels == i].mean()), 4) for i in sorted(set(labels))}
    sweep = [{"threshold": t,
              "accuracy": float((right & (confidence >= t) & (margin >= 0.05)).mean()),
              "fallback_rate": float(((confidence < t) | (margin < 0.05)).mean())}
             for t in thresholds]
    return {"n": len(texts), "folds": folds, "seed": seed, "accuracy": float(right.mean()),
            "per_intent": per_intent, "sweep": sweep}


def main(argv: Sequence[str] | None = None) -> int:
    """Embed the examples, cross-validate, print the figures (and write JSON)."""
    from assistant import embeddings
    from assistant.minilm import NumpyMiniLM
    from lab.evaluation.measure import SWEEP

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=30)
    parser.add_argument("--encoder", type=Path, help="a sentence-transformers folder (default: packaged MiniLM)")
    parser.add_argument("--nlu", type=Path, default=NLU_DIR, help="the NLU folder (default: stories/nlu)")
    parser.add_argument("--json", type=Path)
    opts = parser.parse_args(argv)
    examples = load_examples(opts.nlu)
    encoder = NumpyMiniLM(opts.encoder) if opts.encoder else embeddings.model()
    vectors = encoder.encode([t for t, _ in examples])
    result = cross_validate(examples, vectors, opts.folds, opts.seed, SWEEP)
    result["encoder"] = str(opts.encoder or embeddings.model_path())
    print(f"{result['n']} examples, {opts.folds} folds, seed {opts.seed}: accuracy {result['accuracy']:.1%}")
    for row in result["sweep"]:
        print(f"  threshold {row['threshold']:.2f}: accuracy {row['accuracy']:.1%}, fallback {row['fallback_rate']:.1%}")
    worst = sorted(result["per_intent"].items(), key=lambda kv: kv[1])[:8]
    print("  weakest intents: " + ", ".join(f"{k} {v:.0%}" for k, v in worst))
    if opts.json:
        opts.json.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
