"""The runtime: the stack's lifecycle (the action server, the Rasa agent, the stores, the home).

It starts and stops them, serves a replaced model file from the next turn, and plays turns
one at a time through the turn pipeline it holds (`assistant.pipeline.TurnPipeline`), giving
it what it needs (`assistant.pipeline.TurnStack`): the stores, the home, and the Rasa model
behind this runtime's event loop (`parse`, `send`, `tracker`, `set_slots`).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import os
import threading
import uuid
from contextlib import AbstractContextManager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Coroutine, TypeVar, overload

from assistant.action_server import ActionServer, ActionServerError
from assistant.context import BadUserIdError, UnknownDeviceError
from assistant.learning.config import LearningFlags
from assistant.paths import DataDir
from assistant.pipeline import ForgetHandler, TurnPipeline, default_observers
from assistant.turn import TurnRequest, TurnResult

if TYPE_CHECKING:
    from rasa.core.agent import Agent

    from assistant.home import Home
    from assistant.learning.log import InteractionLog
    from assistant.learning.rewrites import RewriteStore
    from assistant.prefs.store import PreferenceStore

__all__ = ["Runtime", "RuntimeStartError", "UnknownDeviceError", "BadUserIdError", "ActionServerError"]

logger = logging.getLogger(__name__)
T = TypeVar("T")


class RuntimeStartError(RuntimeError):
    """The runtime could not start: no model, a damaged store, or the action server failed."""


def check_stores(data: DataDir) -> None:
    """Raise RuntimeStartError naming the store when one is damaged or can't be reached: our
    preference, learning and service databases, Rasa's tracker store (a SQLite file is
    checked with ``PRAGMA quick_check``, a server database must answer within seconds) and
    the Redis lock store when one is set."""
    from assistant.db import StoreCorruptError, check_all
    from assistant.rasa_stores import StoreConfigError, check_lock_store, lock_lifetime, tracker_store_kwargs

    try:
        tracker_store_kwargs(data.tracker_url)
        check_all([data.prefs_url, data.learning_url, data.service_url, data.tracker_url])
        if data.lock_url:
            lock_lifetime()
            check_lock_store(data.lock_url)
    except (StoreCorruptError, StoreConfigError) as error:
        raise RuntimeStartError(str(error)) from error


def _load_embeddings() -> None:
    """Load the sentence-embedding model (a start-up thread; errors surface on first use)."""
    from assistant import embeddings

    try:
        embeddings.encode(["hello"])
    except Exception:  # noqa: BLE001 - the first parse reports the same failure clearly
        logger.debug("loading the sentence-embedding model failed", exc_info=True)


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


class Runtime(AbstractContextManager["Runtime"]):
    """The full stack for one home. Use `Runtime.start(...)` as a context manager."""

    def __init__(self, data: DataDir, home: "Home", model_path: Path, verbose: bool = False,
                 forget: ForgetHandler | None = None) -> None:
        self.data = data
        self.home = home
        self.model_path = model_path
        self.verbose = verbose
        self.action_server = ActionServer.for_data(data)
        self.agent: Agent | None = None
        self._trackers: Any = None   # the tracker store under Rasa's fail-safe wrapper
        self._loop = asyncio.new_event_loop()
        self._generation: dict[str, str] = {}
        self._preferences: "PreferenceStore | None" = None
        self._prefs_before: str | None = None   # the process's preference store before this runtime's
        # Which learning mechanisms apply (the simulator's arms); sent with every message.
        self.learning = LearningFlags()
        self.log: "InteractionLog | None" = None
        self.rewrites: "RewriteStore | None" = None
        self.log_errors: list[str] = []
        # Plays the turns on this runtime; what runs after each turn (the habits layer's offers
        # and inference among them) is its `observers`.
        self.pipeline = TurnPipeline(self, default_observers())
        self._model_stamp: tuple[int, int] | None = None
        self.model_reloads = 0
        # "Forget everything about me": given by whoever starts the runtime (the launcher, the
        # service, the lab pass `assistant.privacy.forget_everywhere`); None: said, and kept here.
        self.forget = forget
        self.last_forget: Any = None   # the handler's last report (forget_everywhere's: its retrain thread)
        self.unhandled_forgets: list[str] = []   # users who asked with no handler to do it

    @classmethod
    def start(
        cls,
        data_dir: Path,
        home: "Home | None" = None,
        *,
        model_path: Path | None = None,
        verbose: bool = False,
        forget: ForgetHandler | None = None,
    ) -> "Runtime":
        """Start the action server and load the model; raise RuntimeStartError with the reason.

        ``forget``: what "forget everything about me" runs, ``forget(runtime, user_id)``
        (`assistant.privacy.forget_everywhere`: every store, then a retrain without the user's
        learned examples). Without one the user is told only their preferences went."""
        from assistant.home import Home

        data = DataDir(Path(data_dir)).ensure()
        check_stores(data)   # seconds before the model load, not a failure a minute into it
        model = Path(model_path) if model_path else data.model_file
        if not model.exists():
            raise RuntimeStartError(
                f"no trained model at {model}. Run `assistant train` (or `make train`) first."
            )
        runtime = cls(data, home or Home.default(), model, verbose=verbose, forget=forget)
        try:
            runtime._start()
        except BaseException:
            runtime.close()
            raise
        return runtime

    def _start(self) -> None:
        # Start-up is two slow things, which overlap (see docs/RESULTS.md): the action
        # server boots (rasa_sdk, spaCy) in its own process while this one imports Rasa and
        # loads the model. The sentence-embedding model (MiniLM on ONNX Runtime or numpy, a
        # fraction of a second) loads in a thread meanwhile.
        quiet_logs(self.verbose)
        try:
            self.action_server.start()
        except ActionServerError as error:
            raise RuntimeStartError(f"could not start the action server: {error}") from error
        warm = threading.Thread(target=self.action_server.warm_up, name="warm-up", daemon=True)
        warm.start()
        embedder = threading.Thread(target=_load_embeddings, name="minilm-load", daemon=True)
        embedder.start()
        from assistant.policy_states import keep_dialogue_states
        from assistant.rasa_patches import (
            bound_action_calls,
            copy_states_only_for_debug_logs,
            skip_unmatchable_memories,
            speed_up_action_validation,
            stop_rule_matching_past_the_longest_rule,
        )
        from assistant.tracker_copy import copy_trackers_without_replay

        speed_up_action_validation()
        bound_action_calls()
        keep_dialogue_states()
        copy_states_only_for_debug_logs()
        skip_unmatchable_memories()
        stop_rule_matching_past_the_longest_rule()
        copy_trackers_without_replay()
        # The NLU pipeline (QueryRewriter) reads the preference store in this process too.
        from assistant.services import preferences

        self._prefs_before = preferences.use(self.data.prefs_url)
        self._open_learning()
        self._model_stamp = _stamp(self.model_path)
        self.agent = self._load_agent()
        embedder.join(timeout=120)
        # The first parse builds what the graph builds lazily: pay for it here, not on the
        # user's first turn.
        self.parse("hello")
        self._upgrade_habits()
        warm.join(timeout=120)

    def _upgrade_habits(self) -> None:
        """Concepts taught before their steps' parses were kept get them (NLU only), once."""
        from assistant.habits.hook import upgrade

        try:
            upgraded = upgrade(self)
        except Exception as error:  # noqa: BLE001 - a concept that can't be upgraded reports its steps failing
            logger.error("could not upgrade the stored concepts: %s", error)
            self.log_errors.append(str(error))
            return
        if upgraded:
            logger.info("kept the steps' parses of %d concepts taught before", upgraded)

    def _open_learning(self) -> None:
        """The interaction log and rewrite table (one SQLite file); the rewriter reads them too."""
        from assistant.learning import online
        from assistant.learning.log import InteractionLog
        from assistant.learning.rewrites import RewriteStore

        url = self.data.learning_url
        self.log = InteractionLog.open(url)
        self.rewrites = RewriteStore.open(url)
        online.register(url)

    def _load_agent(self) -> "Agent":
        """Rasa's Agent on the tracker store at `DataDir.tracker_url` (SQLite file or a
        PostgreSQL server that several servers share) and the lock store at `lock_url` (Redis,
        with our ticket lifetime; in memory for one process). `Agent.handle_message` holds the
        conversation's lock for the whole of Rasa's turn."""
        from rasa.core.agent import Agent

        from assistant.action_endpoint import action_endpoint
        from assistant.rasa_stores import StoreConfigError, fail_loudly, lock_store
        from assistant.tracker_cache import caching_tracker_store

        try:
            trackers = caching_tracker_store(self.data.tracker_url)
            locks = lock_store(self.data.lock_url)
        except StoreConfigError as error:
            raise RuntimeStartError(str(error)) from error
        try:
            agent = Agent.load(
                str(self.model_path),
                tracker_store=trackers,
                lock_store=locks,
                action_endpoint=action_endpoint(self.action_server.webhook),
            )
            fail_loudly(agent)   # a store failure fails the turn, never forks the conversation
            self._trackers = trackers
            return agent
        except Exception as error:  # noqa: BLE001 - Rasa raises many types for a bad model
            raise RuntimeStartError(
                f"could not load the model {self.model_path}: {error}. "
                "Retrain with `assistant train --force`."
            ) from error

    def reload_if_replaced(self) -> bool:
        """Load the model again when its file was replaced (a promoted retrain, a rollback),
        so a running chat or server serves it without a restart. A model that fails to load
        is reported and the one in memory keeps serving. True when it reloaded."""
        stamp = _stamp(self.model_path)
        if stamp is None or stamp == self._model_stamp or self.agent is None:
            return False
        self._model_stamp = stamp
        try:
            agent = self._load_agent()
        except RuntimeStartError as error:
            logger.error("kept the model in memory: the replaced one did not load: %s", error)
            self.log_errors.append(str(error))
            return False
        self.parse("hello", agent=agent)   # the lazy parts, before a user waits on them
        self._close_action_session()       # the old agent's keep-alive connections
        self.agent = agent
        self.model_reloads += 1
        logger.info("loaded the replaced model %s", self.model_path)
        return True

    # -- turns ---------------------------------------------------------------------

    @overload
    def handle(self, request: TurnRequest, /) -> TurnResult: ...

    @overload
    def handle(self, request: str, /, *, user_id: str, device_id: str, barge_in: bool = False,
               asr_confidence: float | None = None, timestamp: dt.datetime | None = None,
               request_id: str | None = None) -> TurnResult: ...

    def handle(self, request: TurnRequest | str, /, *, user_id: str | None = None, device_id: str | None = None,
               barge_in: bool = False, asr_confidence: float | None = None, timestamp: dt.datetime | None = None,
               request_id: str | None = None) -> TurnResult:
        """Play one user turn through the full stack, and log it.

        The channels pass a `TurnRequest`; ``handle(text, user_id=..., device_id=..., ...)``
        builds one from its keywords (the tests' and scripts' short form).

        Raises:
            UnknownDeviceError: the device is not in the home or cannot hear.
            BadUserIdError: the user id is not acceptable.
            ActionServerError: the action server is down and could not be restarted.
        """
        if isinstance(request, str):
            if user_id is None or device_id is None:
                raise TypeError("handle(text, ...) needs user_id and device_id")
            request = TurnRequest(request, user_id=user_id, device_id=device_id, barge_in=barge_in,
                                  asr_confidence=asr_confidence, timestamp=timestamp, request_id=request_id)
        return self.pipeline.handle(request)

    def end_session(self, user_id: str, *, gave_up: bool = False) -> None:
        """The user is done for now: settle their last turn (``gave_up``: they abandoned
        their goal) and start a fresh conversation next time."""
        self.pipeline.end_session(user_id, gave_up=gave_up)

    def parse(self, text: str, *, agent: "Agent | None" = None) -> dict[str, Any]:
        """The model's NLU on one text (no dialogue, no tracker): Rasa's parse data. ``agent``:
        another loaded model than the serving one (a replaced model, before it serves)."""
        chosen = agent or self.agent
        assert chosen is not None, "the runtime has not started"
        parsed: dict[str, Any] = self._run(chosen.parse_message(text))
        return parsed

    def send(self, text: str, sender: str, metadata: dict[str, Any]) -> list[dict[str, Any]]:
        """Rasa's turn on one message in the conversation ``sender``: the bot's messages."""
        return self._run(self._send(text, sender, metadata))

    async def _send(self, text: str, sender: str, metadata: dict[str, Any]) -> list[dict[str, Any]]:
        from rasa.core.channels.channel import CollectingOutputChannel, UserMessage

        assert self.agent is not None
        channel = CollectingOutputChannel()
        await self.agent.handle_message(
            UserMessage(text, output_channel=channel, sender_id=sender, metadata=metadata)
        )
        return list(channel.messages)

    def tracker(self, sender: str) -> Any:
        """The conversation's Rasa tracker (None when there is none): the one this process
        just saved when it has it (read it, don't change it), else read from the store."""
        assert self.agent is not None
        peek = getattr(self._trackers, "peek", None)
        saved = peek(sender) if peek is not None else None
        if saved is not None:
            return saved
        return self._run(self.agent.tracker_store.retrieve(sender))

    def set_slots(self, sender: str, values: dict[str, Any]) -> None:
        """Set slots in the conversation's tracker after the turn (an observer's question, such
        as the teaching or routine offer, is the tracker's to remember, like any other)."""
        from rasa.shared.core.events import SlotSet

        agent = self.agent
        assert agent is not None

        async def update() -> None:
            async with agent.lock_store.lock(sender):
                tracker = await agent.tracker_store.retrieve(sender)
                if tracker is None:
                    return
                for name, value in values.items():
                    tracker.update(SlotSet(name, value))
                await agent.tracker_store.save(tracker)

        self._run(update())

    def ready(self) -> None:
        """Before a turn: the action server up (restarted if it died), a replaced model loaded."""
        self._ensure_action_server()
        self.reload_if_replaced()

    def sender_id(self, user_id: str) -> str:
        """The Rasa conversation id of a user (a reset starts a new one)."""
        return self._generation.get(user_id, user_id)

    def reset_learning(self) -> None:
        """A clean learning state: no logged turns, rewrites, utterance stats, preferences or
        habits, and fresh conversations for everyone (the simulator starts each arm with this)."""
        from assistant.habits.hook import habit_store
        from assistant.learning import index
        from assistant.repair import settle as repair_records

        assert self.log is not None and self.rewrites is not None
        self.log.clear()
        self.rewrites.clear()
        repair_records.clear(self.data.learning_url)   # entity repairs' wins and losses
        index.clear(self.rewrites)
        habit_store(self).clear()   # taught concepts, routine offers, inference marks
        for user in self.preferences.users():
            self.preferences.forget(user)
        for user in list(self.pipeline.last) + list(self._generation):
            self.reset_user(user)
        self.pipeline.last.clear()

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
        from assistant.action_endpoint import action_endpoint

        assert self.agent is not None
        self._close_action_session()
        endpoint = action_endpoint(self.action_server.webhook)
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

    def run_automations(self, since: dt.datetime) -> list[str]:
        """Apply what the home should now do by itself for its users (the coffee after an alarm
        that rang after ``since``, for a user who accepted that routine); the directives applied.
        Call it after moving the home's clock."""
        from assistant.habits.routines import due_automations
        from assistant.home import Directive

        applied = []
        for text in due_automations(self.home, self.preferences.users(), since):
            if self.home.apply(Directive.parse(text)).ok:
                applied.append(text)
        return applied

    def replace_home(self, home: "Home") -> None:
        """Use another home from the next turn on."""
        self.home = home

    def use_conversation(self, user_id: str, sender_id: str) -> None:
        """Play this user's next turns in the Rasa conversation ``sender_id`` (a served turn
        names its conversation; the id must not depend on which server plays it)."""
        self._generation[user_id] = sender_id

    def drop_user_memory(self, user_id: str) -> None:
        """Forget what this process remembers of the user between turns (their last turn,
        which would otherwise be settled later), after their stored data was deleted."""
        self.pipeline.last.pop(user_id, None)
        forget = getattr(self._trackers, "forget", None)
        if forget is not None:
            forget()   # their conversations were deleted: read the store again

    def reset_user(self, user_id: str) -> None:
        """Start a fresh conversation for this user (stored conversations are kept)."""
        self._generation[user_id] = f"{user_id}~{uuid.uuid4().hex[:8]}"

    def _run(self, coroutine: Coroutine[Any, Any, T]) -> T:
        return self._loop.run_until_complete(coroutine)

    def close(self) -> None:
        """Stop the action server and the event loop, close the stores (idempotent)."""
        self.action_server.stop()
        if self._preferences is not None:
            self._preferences.close()
            self._preferences = None
        for user in list(self.pipeline.last):
            self.end_session(user)
        for store in (self.log, self.rewrites):
            if store is not None:
                store.close()
        self.log = self.rewrites = None
        from assistant.learning import online

        online.unregister(self.data.learning_url)
        from assistant.services import preferences

        preferences.release(self.data.prefs_url, self._prefs_before)
        if not self._loop.is_closed():
            self._close_action_session()
            self._loop.close()

    def _close_action_session(self) -> None:
        """Close the pooled HTTP session to the action server (its keep-alive connections)."""
        aclose = getattr(getattr(self.agent, "action_endpoint", None), "aclose", None)
        if aclose is not None:
            try:
                self._run(aclose())
            except Exception:  # noqa: BLE001 - closing idle connections never fails a stop
                logger.debug("could not close the action server session", exc_info=True)

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def _stamp(path: Path) -> tuple[int, int] | None:
    """When and how big the model file is (a replaced file changes both or one)."""
    try:
        info = path.stat()
    except OSError:
        return None
    return info.st_mtime_ns, info.st_size
