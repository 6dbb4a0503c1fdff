"""Where the project's inputs are, and where generated files go (the data folder)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
# The preference store's URL: set by users to use another database, and by the runtime for
# the action server process it starts.
PREFS_URL_ENV = "ASSISTANT_PREFS_URL"
# The interaction log and rewrite table's URL (same idea).
LEARNING_URL_ENV = "ASSISTANT_LEARNING_URL"
# The served homes' tables (homes and their device state, tokens, idempotency keys).
SERVICE_URL_ENV = "ASSISTANT_SERVICE_URL"
# Rasa's tracker store (conversations): a SQLAlchemy URL; SQLite in the data folder by default.
TRACKER_URL_ENV = "ASSISTANT_TRACKER_URL"
# Rasa's lock store for conversations: a redis:// URL (several servers); in memory by default.
LOCK_URL_ENV = "ASSISTANT_LOCK_URL"
DEFAULT_DATA_DIR = Path(os.environ.get("ASSISTANT_DATA_DIR", PROJECT_ROOT / ".data"))


@dataclass(frozen=True)
class DataDir:
    """The data folder: models, SQLite files, logs. Everything in it is generated."""

    root: Path

    @property
    def models(self) -> Path:
        return self.root / "models"

    @property
    def model_file(self) -> Path:
        return self.models / "smarthome.tar.gz"

    @property
    def fingerprint_file(self) -> Path:
        return self.models / "fingerprint.json"

    @property
    def tracker_db(self) -> Path:
        return self.root / "tracker.db"

    @property
    def prefs_db(self) -> Path:
        return self.root / "prefs.db"

    @property
    def prefs_url(self) -> str:
        """The preference store's SQLAlchemy URL: $ASSISTANT_PREFS_URL when set (e.g. a
        PostgreSQL server shared by several machines), else SQLite in the data folder."""
        return os.environ.get(PREFS_URL_ENV) or f"sqlite:///{self.prefs_db.resolve()}"

    @property
    def learning_db(self) -> Path:
        return self.root / "learning.db"

    @property
    def learning_url(self) -> str:
        """The interaction log's and rewrite table's URL: $ASSISTANT_LEARNING_URL when set,
        else SQLite in the data folder."""
        return os.environ.get(LEARNING_URL_ENV) or f"sqlite:///{self.learning_db.resolve()}"

    @property
    def service_db(self) -> Path:
        return self.root / "service.db"

    @property
    def service_url(self) -> str:
        """The served homes' tables (homes, device state, tokens, idempotency keys):
        $ASSISTANT_SERVICE_URL when set, else SQLite in the data folder."""
        return os.environ.get(SERVICE_URL_ENV) or f"sqlite:///{self.service_db.resolve()}"

    @property
    def tracker_url(self) -> str:
        """Rasa's tracker store: $ASSISTANT_TRACKER_URL when set (a PostgreSQL URL shared by
        several servers), else SQLite in the data folder."""
        return os.environ.get(TRACKER_URL_ENV) or f"sqlite:///{self.tracker_db.resolve()}"

    @property
    def lock_url(self) -> str | None:
        """Rasa's lock store: $ASSISTANT_LOCK_URL (redis://...) when set, else None (in memory,
        enough for one process)."""
        return os.environ.get(LOCK_URL_ENV) or None

    @property
    def learned_dir(self) -> Path:
        """NLU training data the assistant labelled from its own traffic (Rasa YAML; merged
        with stories/ when training)."""
        return self.root / "learned"

    @property
    def learned_nlu(self) -> Path:
        return self.learned_dir / "nlu.yml"

    @property
    def model_history(self) -> Path:
        """Earlier models, each with its figures (`assistant models`)."""
        return self.models / "history"

    def missing_log(self) -> str | None:
        """Why there is no interaction log to read here (None: there is one, or a URL names it)."""
        if os.environ.get(LEARNING_URL_ENV) or self.learning_db.exists():
            return None
        return (f"no interaction log at {self.learning_db} "
                "(run the assistant or `assistant simulate` with this --data-dir first)")

    @property
    def logs(self) -> Path:
        return self.root / "logs"

    def ensure(self) -> "DataDir":
        """Create the folders (idempotent)."""
        self.models.mkdir(parents=True, exist_ok=True)
        self.logs.mkdir(parents=True, exist_ok=True)
        return self
