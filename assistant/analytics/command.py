"""`assistant analyze [--json OUT] [--train] [--plot OUT.png] [--model DIR]`: reads the data
folder's interaction log and prints the defect report. Light at import: the CLI imports it
to build its parser.

The log holds no ground truth. Whoever runs the command may hand in `attach_truth(log_url,
records)`, which sets each record's in-memory ``truth`` from wherever it is kept (the command
line passes the simulator's `truth_store.attach_beside`): with it, the report has the accuracy
figures against the truth, and `--train` has labels. Nothing here knows where truth lives."""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any, Callable, Iterable

from assistant.paths import DataDir

EXIT_OK, EXIT_FAIL = 0, 1
MODEL_FOLDER = "analytics"
# (log URL, records read from it) -> the records, with the truth kept for that log attached.
AttachTruth = Callable[[str, Iterable[Any]], list]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of `assistant analyze`."""
    parser.add_argument("--json", help="write the report as JSON here")
    parser.add_argument("--plot", help="write a PNG (defects by failure point, confusion matrix) here")
    parser.add_argument("--train", action="store_true",
                        help="train the failure-point model on this log's ground truth and save it")
    parser.add_argument("--train-on", nargs="+", type=Path, metavar="DATA_DIR",
                        help="train the model on these data folders' simulator logs instead (e.g. other seeds), "
                             "then analyse this one with it")
    parser.add_argument("--model", type=Path,
                        help=f"folder of the failure-point model (default: DATA_DIR/{MODEL_FOLDER} when one was "
                             "trained there with --train, else the model shipped with the package)")
    parser.add_argument("--user", help="only this user's turns")
    parser.add_argument("--similarity", choices=["minilm", "tokens"], default="minilm",
                        help="how rephrases are recognised (default: MiniLM embeddings)")


def model_folder(args: argparse.Namespace) -> Path:
    """The folder the model is read from: ``--model``, else the data folder's own, else the shipped one."""
    from assistant import shipped

    folder = getattr(args, "model", None)
    return Path(folder) if folder else shipped.folder_for(shipped.FAILURE_POINTS, DataDir(args.data_dir))


def training_folder(args: argparse.Namespace) -> Path:
    """Where `--train` saves: ``--model``, else the data folder (the shipped model is never overwritten)."""
    folder = getattr(args, "model", None)
    return Path(folder) if folder else DataDir(args.data_dir).root / MODEL_FOLDER


def run_analyze(args: argparse.Namespace, attach_truth: AttachTruth | None = None) -> int:
    """The command; returns the exit status. ``attach_truth``: see the module's docstring
    (without it, no figures against the truth and no `--train`)."""
    from rich.console import Console

    from assistant.learning.log import InteractionLog, InteractionLogError

    console = Console(highlight=False)
    errors = Console(stderr=True, highlight=False)
    data = DataDir(args.data_dir)
    url = data.learning_url
    if (missing := data.missing_log()) is not None:
        errors.print(f"[bold red]error:[/] {missing}")
        return EXIT_FAIL
    started = time.perf_counter()
    try:
        with InteractionLog.open(url) as log, console.status("Reading the interaction log...") as status:
            records = []
            for record in log.turns(user_id=getattr(args, "user", None)):
                records.append(record)
                if len(records) % 20000 == 0:
                    status.update(f"Reading the interaction log... {len(records)} turns")
    except InteractionLogError as error:
        errors.print(f"[bold red]error:[/] {error}")
        return EXIT_FAIL
    records = _with_truth(attach_truth, url, records, errors)
    read_seconds = time.perf_counter() - started
    if not records:
        console.print(f"The interaction log at {url} is empty: nothing to analyse.")
        _write_json(args, {"source": url, "turns": 0, "goals": 0})
        return EXIT_OK
    report = analyze_records(records, args, console, errors, source=url, attach_truth=attach_truth)
    if report is None:
        return EXIT_FAIL
    report["seconds"] = {"read": round(read_seconds, 3), **report.get("seconds", {}),
                         "total": round(time.perf_counter() - started, 3)}
    from assistant.analytics.report import plot, render

    render(report, console)
    _write_json(args, report)
    if getattr(args, "plot", None):
        console.print(f"Plot written to {plot(report, Path(args.plot))}")
    return EXIT_OK


def analyze_records(records: list, args: argparse.Namespace, console: Any, errors: Any,
                    *, source: str = "", attach_truth: AttachTruth | None = None) -> dict[str, Any] | None:
    """Analyse records already read, their truth attached if any (the command's core; tests call
    it too). ``attach_truth`` is for the `--train-on` logs, read here."""
    from assistant.analytics import failure_point as fp
    from assistant.analytics.pipeline import analyze, apply_model, training_set
    from assistant.analytics.report import build

    similarity = _similarity(getattr(args, "similarity", "minilm"), errors)
    model, note = None, None
    train_on = list(getattr(args, "train_on", None) or [])
    training = bool(getattr(args, "train", False) or train_on)
    folder = training_folder(args) if training else model_folder(args)
    if not training:
        model, note = load_failure_points(folder)
    with console.status("Analysing...") as status:
        analysis = analyze(records, similarity=similarity, model=model, note=note,
                           progress=lambda stage: status.update(f"{stage} ({len(records)} turns)..."))
        if training:
            rows, labels, sources = [], [], []
            for root in train_on:
                status.update(f"Reading the training log in {root}...")
                other = _read(root, errors, attach_truth)
                if other is None:
                    return None
                more_rows, more_labels = training_set(analyze(other, similarity=similarity))
                rows += more_rows
                labels += more_labels
                sources.append(str(root))
            if not train_on:
                rows, labels = training_set(analysis)
                sources.append(source)
            if not rows:
                errors.print("[bold red]error:[/] training needs ground truth (the truth the simulator "
                             "keeps beside its log); the training log has none")
                return None
            status.update(f"Training the failure-point model on {len(rows)} labelled turns...")
            started = time.perf_counter()
            try:
                model = fp.FailurePointModel.train(rows, labels, source=", ".join(sources))
            except ValueError as error:
                errors.print(f"[bold red]error:[/] {error}")
                return None
            analysis.seconds["train"] = time.perf_counter() - started
            saved = model.save(folder)
            apply_model(analysis, model)
            analysis.note = None
            where = "its own training log: evaluate on another log with --model" if not train_on else \
                "a log it was not trained on"
            console.print(f"Failure-point model trained on {len(rows)} turns, saved to {saved} "
                          f"(figures below are on {where})")
    return build(analysis, source=source)


def load_failure_points(folder: Path) -> tuple[Any, str | None]:
    """The failure-point model in ``folder``, or None and a one-line note saying why not and what to run."""
    from assistant import shipped
    from assistant.analytics import failure_point as fp

    is_shipped = folder.resolve().is_relative_to(shipped.SHIPPED_DIR)
    try:
        model = fp.FailurePointModel.load(folder)
    except fp.ModelUnavailable as error:
        return None, f"{error}; {shipped.hint()}" if is_shipped else str(error)
    stale = shipped.stale_reason() if is_shipped else None
    return model, f"{stale}: its features may not match this code; {shipped.hint()}" if stale else None


def _read(root: Path, errors: Any, attach_truth: AttachTruth | None = None) -> list | None:
    """All turns of another data folder's log (their truth attached when there is a way to), or
    None after saying why not."""
    from assistant.learning.log import InteractionLog, InteractionLogError

    data = DataDir(root)
    if not data.learning_db.exists():
        errors.print(f"[bold red]error:[/] no interaction log at {data.learning_db}")
        return None
    try:
        url = f"sqlite:///{data.learning_db.resolve()}"
        with InteractionLog.open(url) as log:
            records = list(log.turns())
    except InteractionLogError as error:
        errors.print(f"[bold red]error:[/] {error}")
        return None
    return _with_truth(attach_truth, url, records, errors)


def _with_truth(attach_truth: AttachTruth | None, url: str, records: list, errors: Any) -> list:
    """The records with their truth attached; as they are (after a warning) when it can't be read."""
    if attach_truth is None or not records:
        return records
    try:
        return list(attach_truth(url, records))
    except Exception as error:  # noqa: BLE001 - the truth is the lab's: never a failed analysis
        errors.print(f"[yellow]warning: could not read the truth kept beside {url} ({error}); "
                     "analysing without it[/]")
        return records


def _similarity(name: str, errors: Any):
    from assistant.similarity import segment_similarity, token_similarity

    if name == "tokens":
        return token_similarity

    def guarded(pairs):
        try:
            return segment_similarity(pairs)
        except Exception as error:  # noqa: BLE001 - the model is optional: fall back, say so
            errors.print(f"[yellow]MiniLM unavailable ({type(error).__name__}: {error}); "
                         "using token overlap[/]")
            return token_similarity(pairs)

    return guarded


def _write_json(args: argparse.Namespace, report: dict[str, Any]) -> None:
    target = getattr(args, "json", None)
    if target:
        Path(target).parent.mkdir(parents=True, exist_ok=True)
        Path(target).write_text(json.dumps(report, indent=2, default=str) + "\n")
