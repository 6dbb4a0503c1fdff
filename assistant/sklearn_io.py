"""Saving and loading a fitted scikit-learn model: the failure-point model and the label model.

A model is two files in a folder: the pipeline (joblib, written to a temporary file and then
renamed, so a reader never sees half a model) and a JSON description beside it, which says
which feature code and which scikit-learn wrote it. Loading refuses a model that is missing,
unreadable, written by other code or not the model asked for, with a `SavedModelError` (the
caller's subclass) whose message names the folder or the file and why.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Protocol, TypeVar

__all__ = ["Described", "ModelFiles", "SavedModelError"]


class SavedModelError(RuntimeError):
    """A saved model that cannot be used; the message names the folder or file and why."""


class Described(Protocol):
    """The part of a model's JSON description that loading checks."""

    feature_version: int
    sklearn_version: str


Info = TypeVar("Info", bound=Described)


@dataclass(frozen=True)
class ModelFiles:
    """Where and how one kind of model is saved.

    Attributes:
        what: the model in words, for messages ("failure-point model").
        model_file: the joblib file's name in the folder.
        meta_file: the JSON description's name in the folder.
        error: what `load` raises.
        how_to_get: how to make one, said when there is none ("train one with ...").
        how_to_fix: what to do with one saved by other code ("retrain it").
    """

    what: str
    model_file: str
    meta_file: str
    error: type[SavedModelError]
    how_to_get: str
    how_to_fix: str

    def save(self, folder: Path, pipeline: Any, meta: dict[str, Any]) -> Path:
        """Write the pipeline (atomically) and its description; the pipeline's path."""
        import joblib

        folder.mkdir(parents=True, exist_ok=True)
        target = folder / self.model_file
        partial = folder / (self.model_file + ".tmp")
        joblib.dump(pipeline, partial)
        partial.replace(target)
        (folder / self.meta_file).write_text(json.dumps(meta, indent=2) + "\n")
        return target

    def load(self, folder: Path, read_meta: Callable[[Any], Info], feature_version: int,
             usable: Callable[[Any], bool]) -> tuple[Any, Info]:
        """The saved pipeline and its description.

        Args:
            read_meta: the description from the parsed JSON (TypeError/ValueError: not one).
            feature_version: the feature code's version now; another one is refused.
            usable: whether the unpickled object is this kind of model.

        Raises:
            SavedModelError: (`error`) missing, unreadable, saved by other code or not this model.
        """
        import sklearn

        model_path, meta_path = folder / self.model_file, folder / self.meta_file
        if not model_path.exists() or not meta_path.exists():
            raise self.error(f"no {self.what} in {folder} ({self.how_to_get})")
        try:
            info = read_meta(json.loads(meta_path.read_text()))
        except (OSError, ValueError, TypeError) as error:
            raise self.error(f"unreadable {self.what} description {meta_path}: {error}") from error
        if info.feature_version != feature_version or info.sklearn_version != sklearn.__version__:
            raise self.error(f"the {self.what} in {folder} was saved by other code (features version "
                             f"{info.feature_version}, scikit-learn {info.sklearn_version}; this code uses "
                             f"features version {feature_version}, scikit-learn {sklearn.__version__}); "
                             f"{self.how_to_fix}")
        import joblib

        try:
            pipeline = joblib.load(model_path)
        except Exception as error:  # noqa: BLE001 - any unpickling problem means: unusable
            raise self.error(f"could not load {model_path}: {type(error).__name__}: {error}") from error
        if not usable(pipeline):
            raise self.error(f"could not load {model_path}: it is not a {self.what}")
        return pipeline, info
