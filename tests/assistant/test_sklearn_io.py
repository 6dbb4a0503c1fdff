"""Saving and loading a scikit-learn model beside its JSON description (`assistant.sklearn_io`)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import sklearn
from sklearn.dummy import DummyClassifier

from assistant.sklearn_io import ModelFiles, SavedModelError


class Unusable(SavedModelError):
    pass


@dataclass
class Info:
    feature_version: int
    sklearn_version: str

    @classmethod
    def read(cls, data: Any) -> "Info":
        return cls(**data)


FILES = ModelFiles("test model", "m.joblib", "m.json", Unusable, how_to_get="make one", how_to_fix="make it again")


def _saved(folder: Path, **meta: Any) -> Path:
    model = DummyClassifier().fit([[0], [1]], [0, 1])
    return FILES.save(folder, model, {"feature_version": 3, "sklearn_version": sklearn.__version__, **meta})


def _load(folder: Path) -> tuple[Any, Info]:
    return FILES.load(folder, Info.read, 3, lambda model: hasattr(model, "predict"))


def test_round_trip_writes_both_files_and_no_partial_one(tmp_path: Path) -> None:
    assert _saved(tmp_path / "new") == tmp_path / "new" / "m.joblib"
    assert sorted(p.name for p in (tmp_path / "new").iterdir()) == ["m.joblib", "m.json"]
    model, info = _load(tmp_path / "new")
    assert model.predict([[1]]).tolist() == [0] and info == Info(3, sklearn.__version__)


@pytest.mark.parametrize(("damage", "message"), [
    (lambda f: (f / "m.json").unlink(), "no test model in .*make one"),
    (lambda f: (f / "m.json").write_text("{"), "unreadable test model description .*m.json"),
    (lambda f: (f / "m.json").write_text(json.dumps({"feature_version": 2, "sklearn_version": "0.1"})),
     "saved by other code .*features version 2, scikit-learn 0.1.*make it again"),
    (lambda f: (f / "m.joblib").write_bytes(b"not a model"), "could not load .*m.joblib"),
])
def test_an_unusable_model_is_refused_naming_the_file(tmp_path: Path, damage, message: str) -> None:
    _saved(tmp_path)
    damage(tmp_path)
    with pytest.raises(Unusable, match=message):
        _load(tmp_path)


def test_another_kind_of_model_is_refused(tmp_path: Path) -> None:
    _saved(tmp_path)
    with pytest.raises(SavedModelError, match="it is not a test model"):
        FILES.load(tmp_path, Info.read, 3, lambda model: False)
