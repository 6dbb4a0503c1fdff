"""The runtime: a Rasa agent, its action server and the home, playing one turn at a time.

It attaches the ambient context to each message, runs the Rasa model, applies the device
directives the actions ask for, and reports everything as a `TurnResult`.
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
from typing import TYPE_CHECKING, Any

from assistant.action_server import ActionServer, ActionServerError
from assistant.context import (
    BadUserIdError,
    UnknownDeviceError,
    build_context,
    check_user_id,
    clean_text,
)
from assistant.learning.config import LearningFlags
from assistant.paths import DataDir
from assistant.turn import TurnResult

if TYPE_CHECKING:
    from rasa.core.agent import Agent

    from assistant.home import Home
    from assistant.learning.log import InteractionLog, TurnRecord
    from assistant.learning.rewrites import RewriteStore
    from assistant.prefs.store import PreferenceStore

__all__ = ["Runtime", "RuntimeStartError", "UnknownDeviceError", "BadUserIdError", "ActionServerError"]

EMPTY_REPLY = "I didn't hear anything. Say something like \"turn on the lights\", or \"help\"."
DIRECTIVES_KEY = "directives"
PROBLEM_KEY = "problem"
FORGOT_KEY = "forgot"          # assistant.actions.common.FORGOT_KEY
FORGOT_EVERYTHING = "*"
EXPLORATION_KEY = "exploration"   # assistant.exploration.JSON_KEY
logger = logging.getLogger(__name__)


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
        # Which learning mechanisms apply (the simulator's arms); sent with every message.
        self.learning = LearningFlags()
        self.log: "InteractionLog | None" = None
        self.rewrites: "RewriteStore | None" = None
        self.log_errors: list[str] = []
        self._last: dict[str, "TurnRecord"] = {}
        self._model_stamp: tuple[int, int] | None = None
        self.model_reloads = 0
        self.last_forget: Any = None   # the last forget_everywhere report (its retrain thread)
        # After a forget removed learned examples, retrain without them in the background.
        self.retrain_after_forget = True

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
        from assistant.home import Home

        data = DataDir(Path(data_dir)).ensure()
        check_stores(data)   # seconds before the model load, not a failure a minute into it
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
        # Start-up is three slow things; they overlap (2 cores: measured 12.2 s in a row,
        # see docs/RESULTS.md): the action server boots (rasa_sdk, spaCy) in its own
        # process while this one imports Rasa and loads the model, and the sentence-
        # embedding model loads in a thread meanwhile (torch releases the GIL).
        quiet_logs(self.verbose)
        try:
            self.action_server.start()
        except ActionServerError as error:
            raise RuntimeStartError(f"could not start the action server: {error}") from error
        warm = threading.Thread(target=self.action_server.warm_up, name="warm-up", daemon=True)
        warm.start()
        embedder = threading.Thread(target=_load_embeddings, name="minilm-load", daemon=True)
        embedder.start()
        from assistant.rasa_patches import speed_up_action_validation

        speed_up_action_validation()
        # The NLU pipeline (QueryRewriter) reads the preference store in this process too.
        from assistant.services import preferences

        preferences.use(self.data.prefs_url)
        self._open_learning()
        self._model_stamp = _stamp(self.model_path)
        self.agent = self._load_agent()
        embedder.join(timeout=120)
        # The first parse builds what the graph builds lazily: pay for it here, not on the
        # user's first turn.
        self._loop.run_until_complete(self.agent.parse_message("hello"))
        warm.join(timeout=120)

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
        from rasa.utils.endpoints import EndpointConfig

        from assistant.rasa_stores import StoreConfigError, fail_loudly, lock_store, tracker_store

        try:
            trackers = tracker_store(self.data.tracker_url)
            locks = lock_store(self.data.lock_url)
        except StoreConfigError as error:
            raise RuntimeStartError(str(error)) from error
        try:
            agent = Agent.load(
                str(self.model_path),
                tracker_store=trackers,
                lock_store=locks,
                action_endpoint=EndpointConfig(url=self.action_server.webhook),
            )
            fail_loudly(agent)   # a store failure fails the turn, never forks the conversation
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
        self._run(agent.parse_message("hello"))   # the lazy parts, before a user waits on them
        self.agent = agent
        self.model_reloads += 1
        logger.info("loaded the replaced model %s", self.model_path)
        return True

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
        timestamp: dt.datetime | None = None,
        request_id: str | None = None,
    ) -> TurnResult:
        """Play one user turn through the full stack, and log it.

        ``timestamp`` is when the user spoke (the simulator passes its clock; default now).
        ``request_id``: the client's idempotency key, kept in the log row (a server that replays
        a request another server died on finds the turn it already played).

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
        from assistant.habits.hook import intercept  # concepts, routines, implicit feedback

        habits = intercept(self, cleaned.text, user_id=user_id, device_id=device_id, barge_in=barge_in,
                           asr_confidence=asr_confidence, timestamp=timestamp)
        if habits is not None:
            habits.notice = habits.notice or cleaned.notice
            return habits
        self._ensure_action_server()
        self.reload_if_replaced()
        moment = timestamp or _utc_now()
        metadata: dict[str, Any] = {
            "user_id": user_id,
            # The turn's own time (the home's clock in a simulation): the teachable-moment
            # policy compares these, never Rasa's wall-clock event times.
            "timestamp": _epoch_seconds(moment),
            "device_id": device_id,
            "barge_in": bool(barge_in),
            "asr_confidence": asr_confidence,
            "context": context,
            "learning": {**self.learning.to_metadata(), "store": self.data.learning_url},
        }
        messages = self._run(self._handle_async(cleaned.text, self.sender_id(user_id), metadata))
        result = TurnResult(text=cleaned.text, notice=cleaned.notice)
        for message in messages:
            if message.get("text"):
                result.replies.append(message["text"])
            custom = message.get("custom")
            if isinstance(custom, dict):
                result.directives.extend(str(d) for d in custom.get(DIRECTIVES_KEY, []))
                if custom.get(PROBLEM_KEY):
                    result.problems.append(str(custom[PROBLEM_KEY]))
                if isinstance(custom.get(FORGOT_KEY), list):
                    result.forgot.extend(str(k) for k in custom[FORGOT_KEY])
                _read_exploration(result, custom.get(EXPLORATION_KEY))
        self._apply_directives(result)
        self._read_tracker(result, self.sender_id(user_id))
        self._log_turn(result, user_id=user_id, device_id=device_id, context=context,
                       barge_in=barge_in, asr_confidence=asr_confidence, timestamp=moment,
                       request_id=request_id)
        if FORGOT_EVERYTHING in result.forgot:
            # "Forget everything about me", confirmed: every store forgets them, this turn too.
            from assistant.privacy import forget_everywhere

            self.last_forget = forget_everywhere(self, user_id, retrain=self.retrain_after_forget)
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
        from assistant.home import Directive

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
        from assistant.learning.log import intent_margin

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
            result.nlu_margin = intent_margin(parse)
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

    # -- the interaction log ----------------------------------------------------------

    def _log_turn(self, result: TurnResult, *, user_id: str, device_id: str, context: dict[str, Any],
                  barge_in: bool, asr_confidence: float | None, timestamp: dt.datetime,
                  request_id: str | None = None) -> None:
        """Log the turn and the signals it gives about the user's previous one. A failed
        write never breaks the turn; it is reported on the result and kept in `log_errors`."""
        from assistant.learning.log import InteractionLogError, TurnRecord

        if self.log is None:
            return
        rewrite = result.rewrite or {}
        record = TurnRecord(
            user_id=user_id, device_id=device_id, session_id=self.sender_id(user_id),
            timestamp=_naive(timestamp), text=result.text,
            text_rewritten=rewrite.get("rewritten") if rewrite else None,
            rewrite_source=rewrite.get("source"), rewrite_id=rewrite.get("rewrite_id"),
            intent=result.intent, confidence=result.confidence,
            entities=[{k: e.get(k) for k in ("entity", "value", "start", "end")} for e in result.entities],
            actions=list(result.actions), reply=result.reply, directives=list(result.directives),
            refused=[list(r) for r in result.refused], problems=list(result.problems),
            context=_context_snapshot(context),
            asr_confidence=asr_confidence, barge_in=bool(barge_in), nlu_margin=result.nlu_margin,
            request_id=request_id, explore_asked=list(result.explore_asked),
            explore_choice=result.explore_choice,
        )
        try:
            previous = self._last.get(user_id)
            if previous is not None and previous.session_id == record.session_id:
                self._settle(previous, record)
            result.turn_id = self.log.record(record)
            self._last[user_id] = record
        except Exception as error:  # noqa: BLE001 - reported, never breaks the turn
            message = f"this turn was not logged: {error}"
            if not isinstance(error, InteractionLogError):
                message = f"this turn was not logged ({type(error).__name__}): {error}"
            logger.error(message)
            self.log_errors.append(message)
            result.notice = f"{result.notice} {message}".strip() if result.notice else message

    def _settle(self, previous: "TurnRecord", current: "TurnRecord | None", *, gave_up: bool = False) -> None:
        """Write the signals that followed ``previous``; count its rewrite's win or loss."""
        from assistant.learning.feedback import follow_up, minilm_similarity
        from assistant.learning.log import Feedback
        from assistant.learning.outcome import succeeded

        assert self.log is not None and previous.id is not None
        signals = follow_up(previous, current, minilm_similarity) if current is not None else {}
        if gave_up:
            signals[Feedback.GIVE_UP] = True
        if signals:
            self.log.add_feedback(previous.id, **signals)
            previous.feedback.update(signals)
        if previous.rewrite_id is not None and self.rewrites is not None \
                and previous.rewrite_source != "personal_correction":
            self.rewrites.record_outcome(previous.rewrite_id, succeeded(previous))

    def end_session(self, user_id: str, *, gave_up: bool = False) -> None:
        """The user is done for now: settle their last turn (``gave_up``: they abandoned
        their goal) and start a fresh conversation next time."""
        previous = self._last.pop(user_id, None)
        if previous is not None and previous.id is not None:
            try:
                self._settle(previous, None, gave_up=gave_up)
            except Exception as error:  # noqa: BLE001
                logger.error("could not settle the last turn of %s: %s", user_id, error)
                self.log_errors.append(str(error))
        self.reset_user(user_id)

    def reset_learning(self) -> None:
        """A clean learning state: no logged turns, rewrites, utterance stats, preferences or
        habits, and fresh conversations for everyone (the simulator starts each arm with this)."""
        from assistant.habits.hook import habit_store, reset
        from assistant.learning import index

        assert self.log is not None and self.rewrites is not None
        self.log.clear()
        self.rewrites.clear()
        index.clear(self.rewrites)
        habit_store(self).clear()   # taught concepts, routine offers, inference marks
        reset(self)
        for user in self.preferences.users():
            self.preferences.forget(user)
        for user in list(self._last) + list(self._generation):
            self.reset_user(user)
        self._last.clear()

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
        self._last.pop(user_id, None)

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
        for user in list(self._last):
            self.end_session(user)
        for store in (self.log, self.rewrites):
            if store is not None:
                store.close()
        self.log = self.rewrites = None
        from assistant.learning import online

        online.unregister(self.data.learning_url)
        if not self._loop.is_closed():
            self._loop.close()

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def _read_exploration(result: TurnResult, tag: Any) -> None:
    """The exploration question or answer an action tagged its reply with (typed on the result)."""
    if not isinstance(tag, dict):
        return
    if isinstance(tag.get("asked"), list):
        result.explore_asked = [str(o) for o in tag["asked"]]
    if tag.get("choice") is not None:
        result.explore_choice = str(tag["choice"])
        result.explore_options = [str(o) for o in tag.get("options") or []]


def _stamp(path: Path) -> tuple[int, int] | None:
    """When and how big the model file is (a replaced file changes both or one)."""
    try:
        info = path.stat()
    except OSError:
        return None
    return info.st_mtime_ns, info.st_size


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)


def _epoch_seconds(moment: dt.datetime) -> float:
    """Seconds since the epoch; a naive time is read as UTC (as the log stores it)."""
    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.timezone.utc)
    return aware.timestamp()


def _naive(moment: dt.datetime) -> dt.datetime:
    return moment if moment.tzinfo is None else moment.astimezone(dt.timezone.utc).replace(tzinfo=None)


def _context_snapshot(context: dict[str, Any]) -> dict[str, Any]:
    """What the log keeps of the ambient context: the speaking device, room, time and the
    state of every device (not the home's rules and layout)."""
    snapshot = {k: v for k, v in context.items() if k != "home"}
    devices = (context.get("home") or {}).get("devices") or {}
    if isinstance(devices, dict):
        snapshot["device_states"] = {k: (v.get("state") if isinstance(v, dict) else v) for k, v in devices.items()}
    elif isinstance(devices, list):
        snapshot["device_states"] = {d.get("id"): d.get("state") for d in devices if isinstance(d, dict)}
    return snapshot
