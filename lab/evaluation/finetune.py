"""MiniLM fine-tuned on the project's own examples (SetFit-style pairs), cached by a fingerprint.

`python -m lab.evaluation.finetune --cache DIR [--pairs 1] [--freeze 4] [--seed 30] [--lr 5e-5]`
prints the folder of an encoder to name as `MiniLMFeaturizer`'s `encoder_dir` (an opt-in config,
e.g. in `assistant eval-nlu --compare`). Each example is paired once per `--pairs` with another
of its intent (cosine 1) or of another intent (cosine 0), alternately; the packaged MiniLM
learns those cosines (mean squared error, AdamW, linear warm-up and decay, batch 32, one
epoch) with its embeddings and first `--freeze` layers held, and is written in the packaged
model's layout, so `assistant.minilm` runs it without torch.

The cache: a folder per fine-tune with `meta.json` (settings and the examples' hashes). A
cached encoder is reused while its settings match and at most `TOLERANCE` of today's examples
are new to it (a nightly retrain with a few learned examples does not pay again); a cached
folder that does not load is removed and built anew. torch and sentence-transformers are
needed only to build one; a missing one stops with its name.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import shutil
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

TOLERANCE = 0.05
BATCH = 32
FILES = ("config.json", "tokenizer.json", "sentence_bert_config.json")


class FinetuneError(RuntimeError):
    """The fine-tune cannot run (a package missing); the message names it."""


@dataclass(frozen=True)
class Settings:
    """What a fine-tune depends on besides the examples."""

    pairs: int = 1
    freeze: int = 4
    seed: int = 30
    lr: float = 5e-5


def _hash(text: str, intent: str) -> str:
    return hashlib.sha256(f"{intent}\t{text}".encode()).hexdigest()[:16]


def fingerprint(examples: Sequence[tuple[str, str]], settings: Settings) -> str:
    """A name for these examples (in any order) under these settings."""
    digest = hashlib.sha256(json.dumps(asdict(settings), sort_keys=True).encode())
    for h in sorted({_hash(t, i) for t, i in examples}):
        digest.update(h.encode())
    return digest.hexdigest()[:16]


def make_pairs(examples: Sequence[tuple[str, str]], per_example: int,
               seed: int) -> list[tuple[str, str, float]]:
    """Alternately a same-intent (1.0) and an other-intent (0.0) partner for each example."""
    rng = random.Random(seed)
    by_intent: dict[str, list[str]] = {}
    for text, intent in examples:
        by_intent.setdefault(intent, []).append(text)
    intents = sorted(by_intent)
    pairs = []
    for n, (text, intent) in enumerate(examples):
        for k in range(per_example):
            if (n + k) % 2 == 0 and len(by_intent[intent]) > 1:
                pairs.append((text, rng.choice(by_intent[intent]), 1.0))
            elif len(intents) > 1:
                other = rng.choice([i for i in intents if i != intent])
                pairs.append((text, rng.choice(by_intent[other]), 0.0))
    rng.shuffle(pairs)
    return pairs


def _loads(folder: Path) -> bool:
    from assistant.minilm import NumpyMiniLM

    try:
        NumpyMiniLM(folder).encode(["hello"])
        meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
        return isinstance(meta.get("examples"), list)
    except Exception:  # noqa: BLE001 - any unreadable part makes the folder useless
        return False


def cached(cache: Path, examples: Sequence[tuple[str, str]], settings: Settings,
           tolerance: float = TOLERANCE) -> Path | None:
    """The newest loadable cached encoder that fits (see the module docstring); broken ones go."""
    wanted = {_hash(t, i) for t, i in examples}
    folders = sorted((p for p in cache.glob("*") if p.is_dir()), key=lambda p: p.stat().st_mtime, reverse=True)
    for folder in folders:
        if not _loads(folder):
            shutil.rmtree(folder, ignore_errors=True)
            continue
        meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
        if meta.get("settings") != asdict(settings):
            continue
        if len(wanted - set(meta["examples"])) <= tolerance * max(1, len(wanted)):
            return folder
    return None


def finetune(examples: Sequence[tuple[str, str]], out: Path, settings: Settings,
             report: Callable[[str], None] = lambda _: None) -> float:
    """Fine-tune the packaged MiniLM into `out`; returns the seconds it took."""
    try:
        import torch
        from safetensors.torch import save_file
        from sentence_transformers import SentenceTransformer
    except ImportError as error:
        raise FinetuneError(f"fine-tuning needs the package {error.name!r}: {error}") from error
    from assistant import embeddings

    started = time.perf_counter()
    pairs = make_pairs(examples, settings.pairs, settings.seed)
    torch.manual_seed(settings.seed)
    model = SentenceTransformer(str(embeddings.model_path()), device="cpu")
    model.train()
    bert = model[0].auto_model
    held = ("embeddings.",) + tuple(f"encoder.layer.{k}." for k in range(settings.freeze))
    for name, parameter in bert.named_parameters():
        parameter.requires_grad_(not name.startswith(held))
    optimiser = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=settings.lr)
    steps = max(1, (len(pairs) + BATCH - 1) // BATCH)
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimiser, lambda s: min(1.0, (s + 1) / max(1.0, 0.1 * steps)) * max(0.0, (steps - s) / steps))
    for step, start in enumerate(range(0, len(pairs), BATCH)):
        chunk = pairs[start:start + BATCH]
        left = model(model.tokenize([p[0] for p in chunk]))["sentence_embedding"]
        right = model(model.tokenize([p[1] for p in chunk]))["sentence_embedding"]
        cosine = torch.nn.functional.cosine_similarity(left, right)
        loss = torch.nn.functional.mse_loss(cosine, torch.tensor([p[2] for p in chunk]))
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()
        schedule.step()
        if step % 10 == 0:
            report(f"step {step + 1}/{steps}, loss {loss.item():.4f}")
    out.mkdir(parents=True, exist_ok=True)
    state = {k: v.detach().contiguous() for k, v in bert.state_dict().items() if "position_ids" not in k}
    save_file(state, str(out / "model.safetensors"))
    for name in FILES:
        shutil.copy(embeddings.model_path() / name, out / name)
    seconds = time.perf_counter() - started
    meta = {"settings": asdict(settings), "seconds": round(seconds, 1), "pairs": len(pairs),
            "examples": sorted({_hash(t, i) for t, i in examples})}
    (out / "meta.json").write_text(json.dumps(meta) + "\n", encoding="utf-8")
    return seconds


def encoder_for(cache: Path, examples: Sequence[tuple[str, str]], settings: Settings,
                report: Callable[[str], None] = lambda _: None) -> Path:
    """A cached encoder that fits, or a new one fine-tuned into the cache."""
    found = cached(cache, examples, settings)
    if found is not None:
        report(f"cached encoder {found}")
        return found
    out = cache / fingerprint(examples, settings)
    shutil.rmtree(out, ignore_errors=True)
    seconds = finetune(examples, out, settings, report)
    report(f"fine-tuned in {seconds:.0f} s: {out}")
    return out


def main(argv: Sequence[str] | None = None) -> int:
    """Print the folder of a fine-tuned encoder for today's stories/nlu examples."""
    from lab.evaluation.crossval import NLU_DIR, load_examples

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cache", type=Path, required=True, help="where fine-tuned encoders are kept")
    parser.add_argument("--nlu", type=Path, default=NLU_DIR)
    parser.add_argument("--pairs", type=int, default=Settings.pairs)
    parser.add_argument("--freeze", type=int, default=Settings.freeze)
    parser.add_argument("--seed", type=int, default=Settings.seed)
    parser.add_argument("--lr", type=float, default=Settings.lr)
    opts = parser.parse_args(argv)
    settings = Settings(opts.pairs, opts.freeze, opts.seed, opts.lr)
    try:
        folder = encoder_for(opts.cache, load_examples(opts.nlu), settings,
                             lambda line: print(line, file=sys.stderr, flush=True))
    except FinetuneError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(folder)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
