"""What the turn pipeline and the observers need of the habits layer, outside Rasa.

`means_coffee`: "start it" after the alarm means the coffee when that is the user's routine
(taught, or mined from their mornings); the TaughtPhrase NLU component asks it. The rest are
the habit store of a runtime, the mined routine, and inference on demand. Taught concepts
and the habits questions are Rasa's (domain/habits.yml, assistant/actions/*_concept.py).
"""

from __future__ import annotations

import datetime as dt
import itertools
import logging
import re
from typing import TYPE_CHECKING, Any, Iterable, Protocol

from assistant.habits import concepts as cx
from assistant.habits.observers import TurnServices

if TYPE_CHECKING:
    from assistant.habits.store import HabitStore
    from assistant.learning.log import TurnRecord

log = logging.getLogger(__name__)


class Parser(TurnServices, Protocol):
    """The stack's services and its model's NLU alone (`Runtime.parse`)."""

    def parse(self, text: str) -> dict[str, Any]:
        """The model's NLU parse of one text (no dialogue, no tracker)."""
        ...

ROUTINE_WINDOW_MINUTES = 60.0
VAGUE_START = re.compile(r"^(?:please\s+)?(?:start it|start that|start it up|get it going|get that going|"
                         r"get it started|fire it up|kick it off|turn it on|switch it on)(?:\s+please)?$")


def habit_store(services: TurnServices) -> "HabitStore":
    """The habits tables in the preference database of ``services`` (a runtime; opened once
    per process and database, the same store the actions and the NLU component use)."""
    from assistant.habits.store import _open

    return _open(services.data.prefs_url)


def means_coffee(text: str, user_id: str, home: Any, *, preferences: Any, log: Any) -> bool:
    """ "start it" soon after the alarm means the coffee when that is the user's routine (taught:
    ``preferences``, or mined from their mornings in ``log``). TaughtPhrase (an NLU component)
    sets the intent from it; the text itself is left as the user said it."""
    if not VAGUE_START.match(cx.normalize(text)):
        return False
    from assistant.habits import routines
    from assistant.prefs.keys import COFFEE_AFTER_ALARM, PrefKey

    if not routines.alarm_rang_within(home.events, home.clock.now, ROUTINE_WINDOW_MINUTES):
        return False
    if preferences.first_liked(user_id, PrefKey.MORNING_ROUTINE) == COFFEE_AFTER_ALARM:
        return True
    return log is not None and mined_from(log, user_id) is not None


def mined_routine(runtime: TurnServices, user_id: str, also: Iterable["TurnRecord"] = ()) -> Any:
    """The coffee-after-the-alarm routine mined from the user's logged mornings (and ``also``,
    a turn not logged yet), or None."""
    return None if runtime.log is None else mined_from(runtime.log, user_id, also)


def mined_from(log: Any, user_id: str, also: Iterable["TurnRecord"] = ()) -> Any:
    from assistant.habits import routines

    turns = itertools.chain(log.turns(user_id=user_id), also)
    mined = routines.mine(routines.timeline(turns))
    return routines.coffee_after_alarm(mined, user_id)


def infer_now(runtime: TurnServices, user_id: str | None = None, now: dt.datetime | None = None) -> Any:
    """Infer implicit preferences from the runtime's log (one user, or everyone) and store
    them; the `InferReport`. The runtime calls it for the speaking user after a turn that
    is evidence; a simulator may call it for everyone after each day."""
    from assistant.habits.implicit import infer

    when = now or runtime.home.clock.now
    assert runtime.log is not None, "inference reads the interaction log"
    return infer(runtime.log, runtime.preferences, when, habits=habit_store(runtime), user_id=user_id)


def upgrade(runtime: Parser) -> int:
    """Concepts stored before their steps' parses were kept get them now, from the model's NLU
    alone (`HabitStore.upgrade`); how many. The runtime calls it at start."""
    from assistant.habits.store import upgrade as upgrade_store

    return upgrade_store(habit_store(runtime), runtime.parse)
