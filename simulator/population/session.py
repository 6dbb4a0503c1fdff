"""One goal played out between a simulated user and the assistant, turn by turn.

The user speaks through the ASR channel, the assistant answers, the turn is judged against the
goal, the user reacts (repeat, rephrase, complain, barge in, give up, answer an offer to learn)
and the truth is written to the interaction log. Noise is drawn from generators keyed on
(seed, goal, attempt, words), so two arms that reach the same turn hear the same thing.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field, replace
from typing import Any, Callable, Protocol

from assistant.exploration import NEITHER, UNCLEAR
from assistant.outcomes import FailurePoint
from assistant.turn import TurnRequest, TurnResult
from simulator import truth_store
from simulator.population import reactions as rx
from simulator.population.asr import Heard
from simulator.population.channel import Channel, surroundings
from simulator.population.exploring import EXPLORE_MISTAKE, NEITHER_ANSWERS, explore_answer, judge_question
from simulator.population.goals import Goal, GoalKind
from simulator.population.hwu_mapping import ReactionKind
from simulator.population.reactions import Reaction, ReactionConfig
from simulator.population.teachable import MomentTruth, lacks_preference
from simulator.population.truth import (
    FALSE_WAKE,
    PreferenceLookup,
    TurnKind,
    Verdict,
    judge_answer,
    judge_intent,
    judge_request,
    outcome_met,
    truth_record,
)
from simulator.population.users import SimUser
from simulator.population.voice import Utterance, Voice

MAX_TURNS_PER_GOAL = 14
# A user who is asked "Should I A, or B?" and meant one of them still says "neither" this often.
MAX_QA_ANSWERS = 10
# "Did you mean X?" or the question again, after an answer to an offer that was not captured.
MAX_CLARIFICATIONS = 2
SECONDS_PER_TURN = 15


class PopulationRuntime(Protocol):
    """What a population run needs from the runtime (the real Runtime, or a fake)."""

    home: Any
    log: Any
    rewrites: Any
    learning: Any

    def handle(self, request: TurnRequest, /) -> TurnResult: ...

    def end_session(self, user_id: str, *, gave_up: bool = False) -> None: ...

    def reset_learning(self) -> None: ...

    def replace_home(self, home: Any) -> None: ...


@dataclass
class TurnTrace:
    """One turn as the metrics see it."""

    day: int
    user_id: str
    goal_id: str
    kind: TurnKind
    success: bool
    failure_point: str | None
    offered: bool                    # the assistant offered to learn on this turn
    rewrite_source: str | None       # the rewrite applied to this turn, if any
    preference_correct: bool | None
    reaction: str | None = None
    turn_id: int | None = None
    hwu64_id: int | None = None      # the HWU64 row the sentence came from (None: a template)
    explore_asked: tuple[str, ...] = ()   # the assistant asked which of these was meant
    explore_choice: str | None = None     # this turn answered that: the intent it ran, "neither", "unclear"
    explore_right: bool | None = None     # the chosen intent is the goal's (truth; metrics only)
    said: str = ""                   # what the user said ("" on a false wake) ...
    heard: str = ""                  # ... and what the channel heard (the word error rate)
    device_id: str = ""              # the device spoken to
    teachable: bool = False          # truth: teaching a preference would have helped here
    moment_closing: bool = False     # truth: ... this is the user's repeat that succeeded and closed the moment
    asked_to_learn: bool = False     # the assistant asked for a preference on this turn
    repairs: tuple[str, ...] = ()    # the scope (global | personal) of each entity repair the actions made


@dataclass
class GoalTrace:
    """One goal's result."""

    goal_id: str
    kind: GoalKind
    achieved: bool = False
    gave_up: bool = False
    turns: list[TurnTrace] = field(default_factory=list)
    first_real: bool = False         # the goal's first request was a real (HWU64) sentence


@dataclass
class _Pending:
    """A played turn waiting for the user's reaction before its truth is written."""

    trace: TurnTrace
    truth: dict[str, Any]


class GoalSession:
    """Plays one goal. ``play()`` returns its trace; truths go to the truth store beside
    ``runtime.log`` (`simulator.truth_store`), keyed by the logged turn's id."""

    def __init__(self, runtime: PopulationRuntime, user: SimUser, goal: Goal, *, day: int, seed: int,
                 asr: Channel, config: ReactionConfig, lookup: PreferenceLookup | None,
                 accept_defects: bool = False, voice: Voice | None = None,
                 explore_mistake: float = EXPLORE_MISTAKE) -> None:
        self.runtime = runtime
        self.user = user
        self.goal = goal
        self.day = day
        self.seed = seed
        self.asr = asr
        self.config = config
        self.lookup = lookup
        self.accept_defects = accept_defects   # an adversary who moves on after a wrong answer
        self.trace = GoalTrace(goal.goal_id, goal.kind)
        self._react_rng = random.Random(f"react:{seed}:{goal.goal_id}")
        self._pending: _Pending | None = None
        self.voice = voice
        self._utterances: dict[int, Utterance] = {}
        self.explore_mistake = explore_mistake
        self._moment = MomentTruth()

    # -- the loop ----------------------------------------------------------------------

    def play(self) -> GoalTrace:
        goal, user = self.goal, self.user
        wake = self.asr.false_wake(random.Random(f"wake:{self.seed}:{goal.goal_id}"), where=self._where())
        if wake is not None:
            self._say(wake, TurnKind.FALSE_WAKE, lambda r: FALSE_WAKE, rephrase_of=None, false_wake=True)
            self._settle(Reaction.MOVE_ON)
        attempts, phrasing, barge_in = 0, 0, False
        previous_request: int | None = None
        ended = False
        while not ended and len(self.trace.turns) < MAX_TURNS_PER_GOAL:
            attempts += 1
            utterance = self._utterance(phrasing)
            said = utterance.text
            if attempts == 1:
                self.trace.first_real = utterance.row_id is not None
            heard = self.asr.hear(said, user.accent, random.Random(
                f"asr:{self.seed}:{goal.goal_id}:{attempts}:{said}"), where=self._where())
            result, verdict = self._say(
                heard, TurnKind.REQUEST,
                lambda r: judge_question(goal, r) if r.explore_asked
                else judge_request(goal, said, heard, r, user.user_id, self.lookup),
                rephrase_of=previous_request, barge_in=barge_in, row_id=utterance.row_id)
            if self._pending is not None and self._pending.trace.turn_id is not None:
                previous_request = self._pending.trace.turn_id
            barge_in = False
            if result.explore_asked:
                result, verdict = self._answer_exploration(result, attempts)
                if result.explore_choice in (NEITHER, UNCLEAR) and verdict.success:
                    self._settle(Reaction.REPHRASE)   # "say it another way", as asked
                    phrasing += 1
                    continue
            if goal.kind is GoalKind.LEARN_PREFERENCES and verdict.success:
                self.trace.achieved = self._guided_qa(result)
                break
            self.trace.achieved = verdict.success
            followed = self._follow_up(result, verdict)
            if not verdict.success and self._taught_what_was_wanted():
                self.trace.achieved = True  # said again in answer to an offer to learn
                break
            if not verdict.success and followed is not result and outcome_met(goal, followed, user.user_id, self.lookup):
                self.trace.achieved = True  # what was taught answered the request at once
                break
            if verdict.success or verdict.failure_point is FailurePoint.CORRECT or self.accept_defects:
                break  # done, or told why it cannot be done (or a label adversary): the user moves on
            reaction = rx.on_defect(attempts, user, self.config, self._react_rng)
            self._settle(reaction)
            if reaction is Reaction.GIVE_UP:
                ended = True
            elif reaction is Reaction.COMPLAIN:
                text, row = self._reaction_text(ReactionKind.WRONG, rx.complaint(self._react_rng),
                                                f"complain:{attempts}")
                heard_c = self._hear_plain(text, f"complain:{attempts}")
                result, _ = self._say(heard_c, TurnKind.COMPLAINT,
                                      lambda r: judge_intent(("complain", "deny"), text, heard_c, r),
                                      rephrase_of=None, row_id=row)
                self._follow_up(result, None)
                phrasing += 1
            elif reaction is Reaction.REPHRASE:
                phrasing += 1
            elif reaction is Reaction.BARGE_IN:
                barge_in = True
                if self._react_rng.random() < 0.5:
                    phrasing += 1
        if not self.trace.achieved and (ended or len(self.trace.turns) >= MAX_TURNS_PER_GOAL):
            self.trace.gave_up = True
            if self._pending is not None and self._pending.trace.reaction is None:
                self._settle(Reaction.GIVE_UP)
            self.runtime.end_session(user.user_id, gave_up=True)
        self._settle(Reaction.MOVE_ON)
        self._mark_end()
        return self.trace

    # -- follow-ups the assistant asks for ---------------------------------------------

    def _follow_up(self, result: TurnResult, verdict: Verdict | None) -> TurnResult:
        """Answer an offer to learn, "Did you mean X?" about a preference said, or "Did I answer
        your question?", if the assistant asked."""
        wanted = self.goal.outcome.preference
        suggestion = rx.suggested(result.reply)
        if suggestion is not None and wanted is not None and verdict is not None and not verdict.success:
            from simulator.population.goals import preference_value

            said_key, value = wanted   # "Did you mean reggae?" about a preference the user said
            stated = self._pending.trace if self._pending is not None else None
            return self._clarify(said_key, value, suggestion, f"confirm:{said_key}",
                                 lambda: preference_value(self.user, said_key)[1], stated)
        if rx.is_offer(result.reply, result.actions):
            key = rx.asked_key(result.reply)
            if key is None:
                return result
            if rx.on_offer(self.config, self._react_rng) is Reaction.DECLINE_TEACHING:
                self._settle(Reaction.DECLINE_TEACHING)
                # a real "no thanks": "stop", or "i don't care" (HWU64 has no plain decline)
                kind = ReactionKind.STOP if random.Random(f"decline:{self.seed}:{self.goal.goal_id}").random() < 0.5 \
                    else ReactionKind.DONT_CARE
                text, row = self._reaction_text(kind, rx.decline(self._react_rng), "decline")
                heard = self._hear_plain(text, "decline")
                result, _ = self._say(heard, TurnKind.DECLINE,
                                      lambda r: judge_intent(("deny", "stop"), text, heard, r),
                                      rephrase_of=None, row_id=row)
                return result
            self._settle(Reaction.ACCEPT_TEACHING)
            offered = rx.confirm_offered(result.reply)
            if offered is not None:
                return self._confirm(key, offered)
            return self._answer(key)
        if rx.CHECK.search(result.reply) and verdict is not None:
            self._settle(Reaction.MOVE_ON if verdict.success else Reaction.COMPLAIN)
            text, row = self._reaction_text(ReactionKind.YES if verdict.success else ReactionKind.WRONG,
                                            "yes" if verdict.success else "no", "confirm")
            heard = self._hear_plain(text, "confirm")
            # "that's not what i asked for" answers "Did I answer your question?" as well as "no"
            expected = ("affirm",) if verdict.success else ("deny", "complain") if row is not None else ("deny",)
            result, _ = self._say(heard, TurnKind.CONFIRM,
                                  lambda r: judge_intent(expected, text, heard, r), rephrase_of=None,
                                  row_id=row)
            if not verdict.success:   # the "no" may be met with an offer to learn: answered as after a complaint
                result = self._follow_up(result, None)
        return result

    def _clarify(self, key: str, value: str, suggestion: str | None, tag: str, again: Callable[[], str],
                 captured: TurnTrace | None) -> TurnResult:
        """Answer "Did you mean X?" (or the question asked again): yes when X is what the user
        meant, else ``again()`` (the value once more). The capture counts on the turn that said
        the value (``captured``), judged now that the clarification settled it."""
        self._settle(Reaction.MOVE_ON)
        meant = suggestion is not None and suggestion.lower() in (value.lower(), value.lower().removeprefix("the "))
        text = "yes" if meant else again()
        heard = self._hear_plain(text, tag)

        def judge(r: TurnResult) -> Verdict:
            verdict = judge_answer(key, value, text, heard, r, self.user.user_id, self.lookup)
            return Verdict(verdict.success, verdict.failure_point)   # no capture of its own

        result, verdict = self._say(heard, TurnKind.ANSWER, judge, rephrase_of=None)
        if captured is not None:
            captured.preference_correct = verdict.success
            self._annotate(captured.turn_id, {"preference_correct": verdict.success})
        return result

    def _confirm(self, key: str, offered: str) -> TurnResult:
        """Answer "Is Miami, Florida your home city? I'll remember it." truthfully from the hidden
        preference: yes (in a real person's words where HWU64 has them) when the value offered is
        the user's own, else no. Captured when the store then holds the user's value (yes), or
        does not hold the value offered (no)."""
        from simulator.population.goals import preference_value

        value = preference_value(self.user, key)[0]
        mine = offered.lower() in (value.lower(), value.lower().removeprefix("the "))
        real = self.voice.reaction(ReactionKind.YES, f"{self.goal.goal_id}:confirm_offer", unfit=rx.ABOUT_A_RESPONSE) \
            if mine and self.voice is not None else None
        text, row = ("yes" if mine else "no", None) if real is None else (real.text, real.row_id)
        heard = self._hear_plain(text, "confirm_offer")

        def judge(r: TurnResult) -> Verdict:
            if mine:
                return judge_answer(key, value, text, heard, r, self.user.user_id, self.lookup)
            stored = self.lookup(self.user.user_id, key) if self.lookup is not None else None
            kept_out = stored is None or stored.lower() != offered.lower()
            failure = None if kept_out else FailurePoint.ASR if heard.damaged else FailurePoint.NLU
            return Verdict(kept_out, failure, kept_out)

        result, _ = self._say(heard, TurnKind.ANSWER, judge, rephrase_of=None, row_id=row)
        return result

    def _answer_exploration(self, question: TurnResult, attempts: int) -> tuple[TurnResult, Verdict]:
        """Answer "Should I A, or B?" from the goal (the typed options, never the reply's words):
        the option the goal wants, or "neither" when none is (or, now and then, by mistake).
        The verdict is the goal's when an option was chosen, else whether "neither" was understood."""
        goal = self.goal
        rng = random.Random(f"explore:{self.seed}:{goal.goal_id}:{attempts}")
        options = list(question.explore_asked)
        wanted = [i for i, option in enumerate(options) if goal.accepts_intent(option)]
        if wanted and rng.random() >= self.explore_mistake:
            text = explore_answer(options, wanted[0], rng)
        else:
            text = rng.choice(NEITHER_ANSWERS)
        self._settle(Reaction.MOVE_ON)
        heard = self.asr.hear(text, self.user.accent, random.Random(
            f"asr:{self.seed}:{goal.goal_id}:explore:{attempts}:{text}"), where=self._where())
        neither = not wanted or text in NEITHER_ANSWERS

        def judge(result: TurnResult) -> Verdict:
            if not neither:
                return judge_request(goal, text, heard, result, self.user.user_id, self.lookup)
            if result.explore_choice == NEITHER:
                return Verdict(True)
            return Verdict(False, FailurePoint.ASR if heard.damaged else FailurePoint.NLU)

        return self._say(heard, TurnKind.ANSWER, judge, rephrase_of=None)

    def _taught_what_was_wanted(self) -> bool:
        wanted = self.goal.outcome.preference
        if wanted is None or self.lookup is None:
            return False
        stored = self.lookup(self.user.user_id, wanted[0])
        return stored is not None and stored.lower() == wanted[1].lower()

    def _answer(self, key: str) -> TurnResult:
        """Answer a question about ``key`` truthfully (in a real person's words where HWU64 has
        them); when the assistant asks "Did you mean X?", say yes if X is meant, else the value
        again. The answer's capture is judged once that is settled."""
        rows: dict[str, int] = {}

        def real(k: str, spoken: str) -> str | None:
            found = self.voice.statement(k, spoken, f"{self.goal.goal_id}:{k}") if self.voice is not None else None
            if found is None or found.row_id is None:
                return None
            rows[found.text] = found.row_id
            return found.text

        text, value = rx.answer(self.user, key, self.config, self._react_rng, real)
        heard = self.asr.hear(text, self.user.accent, random.Random(f"asr:{self.seed}:{self.goal.goal_id}:{key}:{text}"),
                              where=self._where())
        result, _ = self._say(heard, TurnKind.ANSWER,
                              lambda r: judge_answer(key, value, text, heard, r, self.user.user_id, self.lookup),
                              rephrase_of=None, row_id=rows.get(text))
        answered = self._pending.trace if self._pending is not None else None
        if value is None or answered is None or answered.success:
            return result
        plain = replace(self.config, answer_with_statement=0.0)
        for attempt in range(MAX_CLARIFICATIONS):
            suggestion = rx.suggested(result.reply)
            if suggestion is None and rx.asked_key(result.reply) != key:
                break   # not asked again: the offer lapsed, the user moves on
            result = self._clarify(key, value, suggestion, f"clarify:{key}:{attempt}",
                                   lambda: rx.answer(self.user, key, plain, self._react_rng)[0], answered)
            if answered.preference_correct:
                break
        return result

    def _guided_qa(self, result: TurnResult) -> bool:
        """Answer the guided Q&A's questions; True when every answer was captured."""
        all_captured = True
        for _ in range(MAX_QA_ANSWERS):
            asked = any(a.startswith("action_ask_qa_") for a in result.actions)
            key = rx.asked_key(result.reply) if asked else None
            if key is None:
                break
            self._settle(Reaction.MOVE_ON)
            result = self._answer(key)
            all_captured = all_captured and bool(self._pending and self._pending.trace.success)
        return all_captured

    # -- turns -------------------------------------------------------------------------

    def _utterance(self, rephrasings: int) -> Utterance:
        """What the user says after ``rephrasings`` rephrasings (the same each time they repeat it).

        Real phrasing: the person's own sentence first; after a failure another real sentence of
        the kind or the simpler template form. Templates (and kinds with no real rows) as before.
        """
        if rephrasings in self._utterances:
            return self._utterances[rephrasings]
        goal, voice = self.goal, self.voice
        utterance: Utterance | None = None
        if goal.kind is GoalKind.OUT_OF_SCOPE:
            if rephrasings > 0 and voice is not None:
                utterance = voice.another(goal, rephrasings, self._used_rows())
            utterance = utterance or Utterance(goal.phrasings[0], goal.hwu64_id)
        elif voice is not None and voice.speaks_real(goal):
            if rephrasings == 0:
                utterance = voice.first(goal)
            elif not goal.fallbacks and voice.rephrases_real(goal, rephrasings):
                utterance = voice.another(goal, rephrasings, self._used_rows())
        if utterance is None:
            utterance = Utterance(self._phrasing(rephrasings))
        self._utterances[rephrasings] = utterance
        return utterance

    def _used_rows(self) -> set[int]:
        return {u.row_id for u in self._utterances.values() if u.row_id is not None}

    def _reaction_text(self, kind: ReactionKind, template: str, tag: str) -> tuple[str, int | None]:
        """(text, HWU64 row) of a reaction: a real sentence where the voice has one, else ``template``."""
        real = self.voice.reaction(kind, f"{self.goal.goal_id}:{tag}") if self.voice is not None else None
        return (template, None) if real is None else (real.text, real.row_id)

    def _phrasing(self, rephrasings: int) -> str:
        """What the user says after ``rephrasings`` rephrasings: the habitual phrasing first,
        then the explicit fallbacks ("play some jazz") if the goal has them, then the others."""
        goal = self.goal
        if rephrasings > 0 and goal.fallbacks:
            return goal.fallbacks[(rephrasings - 1) % len(goal.fallbacks)]
        index = self.user.style.phrasing(goal.kind.value, rephrasings, len(goal.phrasings))
        return self._decorate(goal.phrasings[index], index)

    def _decorate(self, phrasing: str, index: int) -> str:
        """The user's habitual way of saying a phrasing (the same each time they repeat it)."""
        rng = random.Random(f"style:{self.seed}:{self.goal.goal_id}:{index}")
        text = phrasing
        if self.goal.kind is GoalKind.STATE_PREFERENCE:
            return text
        if rng.random() < self.user.style.verbose and not text.startswith(("can you", "i ")):
            text = "hey " + text
        if rng.random() < self.user.style.polite and not text.endswith("please"):
            text += " please"
        return text

    def _hear_plain(self, text: str, tag: str) -> Heard:
        return self.asr.hear(text, self.user.accent, random.Random(f"asr:{self.seed}:{self.goal.goal_id}:{tag}"),
                             where=self._where())

    def _where(self) -> Any:
        """The device the goal is spoken to, and what the home is doing in its room now."""
        return surroundings(self.runtime.home, self.goal.device_id, self.user.user_id)

    def _say(self, heard: Heard, kind: TurnKind, judge: Any, *, rephrase_of: int | None,
             barge_in: bool = False, false_wake: bool = False,
             row_id: int | None = None) -> tuple[TurnResult, Verdict]:
        self._settle(None)
        home = self.runtime.home
        home.advance(SECONDS_PER_TURN / 60)
        result = self.runtime.handle(TurnRequest(heard.text, user_id=self.user.user_id,
                                                 device_id=self.goal.device_id, barge_in=barge_in,
                                                 asr_confidence=heard.confidence, timestamp=home.clock.now))
        verdict: Verdict = judge(result)
        # A refusal for another reason ("I don't have X in the library") no preference would have changed.
        teachable = self._moment.mark(
            kind, verdict, lambda: not result.problems and lacks_preference(self.goal, self.user, self.lookup))
        rewrite = result.rewrite or {}
        turn_id = getattr(result, "turn_id", None)
        trace = TurnTrace(
            day=self.day, user_id=self.user.user_id, goal_id=self.goal.goal_id, kind=kind,
            success=verdict.success,
            failure_point=None if verdict.failure_point is None else verdict.failure_point.value,
            offered="action_offer_teaching" in result.actions,
            rewrite_source=rewrite.get("source") if rewrite else None,
            preference_correct=verdict.preference_correct, turn_id=turn_id, hwu64_id=row_id,
            explore_asked=tuple(result.explore_asked), explore_choice=result.explore_choice,
            explore_right=None if result.explore_choice in (None, NEITHER, UNCLEAR)
            else self.goal.accepts_intent(result.explore_choice),
            said=heard.said, heard=heard.text, device_id=self.goal.device_id or "",
            teachable=teachable, moment_closing=self._moment.closing,
            asked_to_learn=rx.is_offer(result.reply, result.actions) and rx.asked_key(result.reply) is not None,
            repairs=_repair_scopes(result),
        )
        self.trace.turns.append(trace)
        truth = truth_record(
            goal_id=f"{self.goal.goal_id}~false_wake" if false_wake else self.goal.goal_id,
            goal_intent="false_wake" if false_wake else self.goal.intent,
            said=heard.said, heard=heard.text, false_wake=false_wake, verdict=verdict,
            rephrase_of=rephrase_of, reaction=None, turn_kind=kind, hwu64_id=row_id, teachable=teachable,
            moment_closing=self._moment.closing)
        self._pending = _Pending(trace, truth)
        return result, verdict

    def _settle(self, reaction: Reaction | None) -> None:
        """Write the pending turn's truth with the user's reaction to it (once; default move on)."""
        pending = self._pending
        if pending is None or pending.trace.reaction is not None:
            return
        reaction = reaction or Reaction.MOVE_ON
        pending.trace.reaction = reaction.value
        pending.truth["reaction"] = reaction.value
        self._annotate(pending.trace.turn_id, pending.truth, whole=True)

    def _mark_end(self) -> None:
        last = next((t for t in reversed(self.trace.turns) if t.kind is not TurnKind.FALSE_WAKE), None)
        if last is not None:
            self._annotate(last.turn_id, {"goal_achieved": self.trace.achieved})
        self._pending = None

    def _annotate(self, turn_id: int | None, truth: dict[str, Any], *, whole: bool = False) -> None:
        """Keep a turn's truth beside the log. ``whole``: the turn's first write, its full truth
        (replacing anything an earlier turn of the same id left, after the log lost turns)."""
        log = getattr(self.runtime, "log", None)
        if turn_id is None or log is None:
            return
        store = truth_store.for_log(log)
        if whole:
            store.put_many([(turn_id, self.user.user_id, truth)])
        else:
            store.merge(turn_id, truth, user_id=self.user.user_id)


def _repair_scopes(result: TurnResult) -> tuple[str, ...]:
    """The scope of each entity repair the turn's actions reported (none from an older runtime)."""
    report = getattr(result, "report", None)
    return tuple(str(r.get("scope") or "global") for r in getattr(report, "repairs", None) or ()
                 if isinstance(r, dict))
