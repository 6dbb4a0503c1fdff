"""The runtime: a Rasa agent, its action server and the home, playing one turn at a time.

It attaches the ambient context to each message, runs the Rasa model, applies the device
directives the actions ask for, and reports everything as a `TurnResult`.
"""

from __future__ import annotations

import asyncio
import logging
import os
import threading
import uuid
from contextlib import AbstractContextManager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant.action_server import ActionServer, ActionServerError
from assistant.context import (
    BadUserIdError,
    UnknownDeviceError,
    build_context,
    check_user_id,
    clean_text,
)
from assistant.paths import DataDir
from assistant.turn import TurnResult

if TYPE_CHECKING:
    from rasa.core.agent import Agent

    from assistant.prefs.store import PreferenceStore
    from simulator.home import Home

__all__ = ["Runtime", "RuntimeStartError", "UnknownDeviceError", "BadUserIdError", "ActionServerError"]

EMPTY_REPLY = "I didn't hear anything. Say something like \"turn on the lights\", or \"help\"."
DIRECTIVES_KEY = "directives"


class RuntimeStartError(RuntimeError):
    """The runtime could not start: no model, or the action server failed."""


def _drop_warning(*_args: Any, **_kwargs: Any) -> None:
    """A `warnings.showwarning` that shows nothing (quiet mode)."""


def quiet_logs(verbose: bool = False) -> None:
    """Keep Rasa, TensorFlow and friends quiet unless asked."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    if verbose:
        os.environ.setdefault("TRANSFORMERS_VERBOSITY", "info")
    else:
        os.environ.setdefault("SQLALCHEMY_SILENCE_UBER_WARNING", "1")
    level = logging.INFO if verbose else logging.ERROR
    for name in ("rasa", "rasa_sdk", "tensorflow", "absl", "sentence_transformers",
                 "transformers", "apscheduler", "sanic", "asyncio", "urllib3", "httpx"):
        logging.getLogger(name).setLevel(level)
    if not verbose:
        import warnings

        warnings.filterwarnings("ignore")
        # TensorFlow's imports put a "once" filter for DeprecationWarning ahead of ours,
        # so filters alone are not enough: don't show warnings at all.
        warnings.showwarning = _drop_warning
        os.environ.setdefault("PYTHONWARNINGS", "ignore")
    # Rasa 3.6 also logs through structlog, which prints everything until configured.
    from rasa.utils.log_utils import configure_structlog

    configure_structlog(level)


class Runtime(AbstractContextManager):
    """The full stack for one home. Use `Runtime.start(...)` as a context manager."""

    def __init__(self, data: DataDir, home: "Home", model_path: Path, verbose: bool = False) -> None:
        self.data = data
        self.home = home
        self.model_path = model_path
        self.verbose = verbose
        self.action_server = ActionServer.for_data(data)
        self.agent: Agent | None = None
        self._loop = asyncio.new_event_loop()
        self._generation: dict[str, str] = {}
        self._preferences: "PreferenceStore | None" = None

    @classmethod
    def start(
        cls,
        data_dir: Path,
        home: "Home | None" = None,
        *,
        model_path: Path | None = None,
        verbose: bool = False,
    ) -> "Runtime":
        """Start the action server and load the model; raise RuntimeStartError with the reason."""
        from simulator.home import Home

        data = DataDir(Path(data_dir)).ensure()
        model = Path(model_path) if model_path else data.model_file
        if not model.exists():
            raise RuntimeStartError(
                f"no trained model at {model}. Run `assistant train` (or `make train`) first."
            )
        runtime = cls(data, home or Home.default(), model, verbose=verbose)
        try:
            runtime._start()
        except BaseException:
            runtime.close()
            raise
        return runtime

    def _start(self) -> None:
        quiet_logs(self.verbose)
        # The NLU pipeline (QueryRewriter) reads the preference store in this process too.
        from assistant.services import preferences

        preferences.use(self.data.prefs_url)
        try:
            self.action_server.start()
        except ActionServerError as error:
            raise RuntimeStartError(f"could not start the action server: {error}") from error
        # spaCy loads in the action server while the model loads here (two processes).
        warm = threading.Thread(target=self.action_server.warm_up, name="warm-up", daemon=True)
        warm.start()
        self.agent = self._load_agent()
        # The first parse loads the sentence-embedding model: pay for it here, not on
        # the user's first turn.
        self._loop.run_until_complete(self.agent.parse_message("hello"))
        warm.join(timeout=120)

    def _load_agent(self) -> "Agent":
        from rasa.core.agent import Agent
        from rasa.core.tracker_store import SQLTrackerStore
        from rasa.utils.endpoints import EndpointConfig

        store = SQLTrackerStore(dialect="sqlite", db=str(self.data.tracker_db))
        try:
            return Agent.load(
                str(self.model_path),
                tracker_store=store,
                action_endpoint=EndpointConfig(url=self.action_server.webhook),
            )
        except Exception as error:  # noqa: BLE001 - Rasa raises many types for a bad model
            raise RuntimeStartError(
                f"could not load the model {self.model_path}: {error}. "
                "Retrain with `assistant train --force`."
            ) from error

    # -- turns ---------------------------------------------------------------------

    def sender_id(self, user_id: str) -> str:
        """The Rasa conversation id of a user (a reset starts a new one)."""
        return self._generation.get(user_id, user_id)

    def handle(
        self,
        text: str,
        *,
        user_id: str,
        device_id: str,
        barge_in: bool = False,
        asr_confidence: float | None = None,
    ) -> TurnResult:
        """Play one user turn through the full stack.

        Raises:
            UnknownDeviceError: the device is not in the home or cannot hear.
            BadUserIdError: the user id is not acceptable.
            ActionServerError: the action server is down and could not be restarted.
        """
        check_user_id(user_id)
        context = build_context(self.home, device_id)
        cleaned = clean_text(text)
        if not cleaned.text:
            return TurnResult(text="", replies=[EMPTY_REPLY], notice=cleaned.notice)
        self._ensure_action_server()
        metadata: dict[str, Any] = {
            "user_id": user_id,
            "device_id": device_id,
            "barge_in": bool(barge_in),
            "asr_confidence": asr_confidence,
            "context": context,
        }
        messages = self._run(self._handle_async(cleaned.text, self.sender_id(user_id), metadata))
        result = TurnResult(text=cleaned.text, notice=cleaned.notice)
        for message in messages:
            if message.get("text"):
                result.replies.append(message["text"])
            custom = message.get("custom")
            if isinstance(custom, dict):
                result.directives.extend(str(d) for d in custom.get(DIRECTIVES_KEY, []))
        self._apply_directives(result)
        self._read_tracker(result, self.sender_id(user_id))
        if not self.action_server.alive():
            raise ActionServerError(
                "the action server stopped during this turn; its reply is missing. "
                f"See {self.action_server.log_path}"
            )
        return result

    async def _handle_async(self, text: str, sender: str, metadata: dict[str, Any]) -> list[dict]:
        from rasa.core.channels.channel import CollectingOutputChannel, UserMessage

        assert self.agent is not None
        channel = CollectingOutputChannel()
        await self.agent.handle_message(
            UserMessage(text, output_channel=channel, sender_id=sender, metadata=metadata)
        )
        return list(channel.messages)

    def _apply_directives(self, result: TurnResult) -> None:
        from simulator.home import Directive

        for text in result.directives:
            try:
                directive = Directive.parse(text)
            except ValueError as error:
                result.refused.append((text, "INVALID_VALUE", str(error)))
                continue
            outcome = self.home.apply(directive)
            if outcome.ok:
                result.applied.append(text)
            else:
                reason = outcome.refusal.name if outcome.refusal else "REFUSED"
                result.refused.append((text, reason, outcome.message))
                result.replies.append(f"I couldn't do that: {outcome.message}")

    def _read_tracker(self, result: TurnResult, sender: str) -> None:
        assert self.agent is not None
        tracker = self._run(self.agent.tracker_store.retrieve(sender))
        if tracker is None:
            return
        latest = tracker.latest_message
        if latest is not None:
            intent = latest.intent or {}
            result.intent = intent.get("name")
            result.confidence = intent.get("confidence")
            result.entities = list(latest.entities or [])
            parse = latest.parse_data or {}
            if parse.get("rewrite"):
                result.rewrite = {**parse["rewrite"], "original": parse.get("text_original"),
                                  "rewritten": parse.get("text")}
        actions: list[str] = []
        for event in reversed(tracker.events):
            if event.type_name == "user":
                break
            name = getattr(event, "action_name", None)
            if event.type_name == "action" and name and name != "action_listen":
                actions.append(name)
        result.actions = list(reversed(actions))
        result.slots = dict(tracker.current_slot_values())

    # -- lifecycle -----------------------------------------------------------------

    def _ensure_action_server(self) -> None:
        if self.action_server.alive():
            return
        self.action_server.stop()
        self.action_server.port = 0
        try:
            self.action_server.start()
        except ActionServerError as error:
            raise ActionServerError(
                f"the action server is down and could not be restarted: {error}"
            ) from error
        from rasa.utils.endpoints import EndpointConfig

        assert self.agent is not None
        endpoint = EndpointConfig(url=self.action_server.webhook)
        self.agent.action_endpoint = endpoint
        if self.agent.processor is not None:
            self.agent.processor.action_endpoint = endpoint

    @property
    def preferences(self) -> "PreferenceStore":
        """The preference store the action server uses (opened on first use)."""
        if self._preferences is None:
            from assistant.prefs.store import PreferenceStore

            self._preferences = PreferenceStore.open(self.data.prefs_url)
        return self._preferences

    def preference(self, user_id: str, key: str) -> str | None:
        """The user's most recent liked value for a key (what scenario files check), or None."""
        from assistant.prefs.keys import PrefKey

        return self.preferences.first_liked(user_id, PrefKey.parse(key))

    def replace_home(self, home: "Home") -> None:
        """Use another home from the next turn on."""
        self.home = home

    def reset_user(self, user_id: str) -> None:
        """Start a fresh conversation for this user (stored conversations are kept)."""
        self._generation[user_id] = f"{user_id}~{uuid.uuid4().hex[:8]}"

    def _run(self, coroutine: Any) -> Any:
        return self._loop.run_until_complete(coroutine)

    def close(self) -> None:
        """Stop the action server and the event loop, close the stores (idempotent)."""
        self.action_server.stop()
        if self._preferences is not None:
            self._preferences.close()
            self._preferences = None
        if not self._loop.is_closed():
            self._loop.close()

    def __exit__(self, *exc_info: object) -> None:
        self.close()
