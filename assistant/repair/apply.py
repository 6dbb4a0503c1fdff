"""Repair as the actions call it: the switches from the message metadata, the store named
there, the user's history, then `decide`.

Called only where an entity did not resolve (a media title, artist or genre not found, a city
unknown, a team or cuisine not named, a device or room not found). Nothing here raises into a
turn: a store that fails is logged and repair goes on without its record.
"""

from __future__ import annotations

import functools
import logging
from typing import TYPE_CHECKING, Any, Iterable, Mapping, Sequence

from assistant.learning.config import LearningFlags
from assistant.learning.online import STORE_KEY  # metadata["learning"]["store"]: the learning database
from assistant.prefs.keys import PrefKey
from assistant.repair.candidates import candidates
from assistant.repair.decide import Thresholds, decide
from assistant.repair.history import logged_values
from assistant.repair.outcome import MAX_HEARD, Kind, Repair
from assistant.repair.priors import History, Priors
from assistant.repair.store import RepairRecord, RepairStore, RepairStoreError
from assistant.similarity import PairSimilarity
from assistant.text import plain

if TYPE_CHECKING:
    from assistant.home import Home

logger = logging.getLogger(__name__)

# The preference keys whose values are a user's own values of a kind.
_STATED = {PrefKey.MUSIC_ARTIST: Kind.ARTIST, PrefKey.MUSIC_GENRE: Kind.GENRE, PrefKey.SPORTS_TEAM: Kind.TEAM,
           PrefKey.CUISINE: Kind.CUISINE, PrefKey.HOME_CITY: Kind.CITY}


def flags_allow(metadata: Mapping[str, Any] | None) -> bool:
    """Whether either repair switch is on for this message."""
    flags = LearningFlags.from_metadata(dict(metadata or {}))
    return flags.global_repair or flags.personal_repair


def attempt(heard: str | None, kinds: Iterable[Kind], *, metadata: Mapping[str, Any] | None, user_id: str,
            home: "Home | None" = None, room: str | None = None, meaning: PairSimilarity | None = None,
            thresholds: Thresholds = Thresholds()) -> Repair | None:
    """The repair of ``heard`` as one of ``kinds`` for this user's message, or None."""
    return attempt_any([heard] if heard else [], kinds, metadata=metadata, user_id=user_id, home=home, room=room,
                       meaning=meaning, thresholds=thresholds)


def attempt_any(spans: Sequence[str], kinds: Iterable[Kind], *, metadata: Mapping[str, Any] | None, user_id: str,
                home: "Home | None" = None, room: str | None = None, meaning: PairSimilarity | None = None,
                thresholds: Thresholds = Thresholds()) -> Repair | None:
    """The best repair among several heard spans (the switches, the store and the user's
    history read once), or None."""
    spans = [s for s in spans if s]
    if not spans:
        return None
    flags = LearningFlags.from_metadata(dict(metadata or {}))
    if not (flags.global_repair or flags.personal_repair):
        return None
    kinds = tuple(kinds)
    store = store_for(metadata)
    own: list[RepairRecord] = []
    if store is not None and flags.personal_repair:
        try:
            own = store.history(user_id)
        except RepairStoreError as error:
            logger.warning("repair goes on without the user's record: %s", error)
    logged = logged_values(store.engine, user_id) if store is not None and flags.personal_repair else {}
    history = personal_history(user_id, own, logged) if flags.personal_repair else History()
    pool = candidates(kinds, home)
    nearby = frozenset(d.kind.value for d in home.devices.values() if d.room == room) if home and room else frozenset()
    known: dict[str, list[RepairRecord]] = {}
    if store is not None:
        try:
            known = store.records_of([kind.value for kind in kinds], spans, user_id)
        except RepairStoreError as error:
            logger.warning("repair goes on without its record: %s", error)
    found = []
    for heard in spans:
        records = known.get(plain(heard)[:MAX_HEARD], [])
        priors = Priors(global_on=flags.global_repair, personal_on=flags.personal_repair, user_id=user_id,
                        history=history, records=tuple(records), room=room, nearby=nearby)
        repair = decide(heard, pool, priors, meaning=meaning, thresholds=thresholds)
        if repair is not None:
            found.append(repair)
    return max(found, key=lambda r: r.score) if found else None


def personal_history(user_id: str, own: Iterable[RepairRecord] = (),
                     logged: Mapping[Kind, list[str]] | None = None) -> History:
    """The user's values by kind: their liked preferences, the values their logged turns acted
    on (`history.logged_values`), and their repairs that worked."""
    from assistant.services import preferences

    user = preferences.for_user(user_id)
    # A home city is kept as its label ("Seattle, Washington"): the name is before the comma.
    stated = {kind: [value.split(",")[0] for value in user.liked(key)] for key, kind in _STATED.items()}
    for kind, values in (logged or {}).items():
        stated.setdefault(kind, []).extend(values)
    return History.of(stated, own)


def store_for(metadata: Mapping[str, Any] | None) -> RepairStore | None:
    """The repair table of the learning database the message names, or None."""
    from assistant.db import sqlite_path

    url = ((metadata or {}).get("learning") or {}).get(STORE_KEY)
    if not isinstance(url, str) or not url.startswith(("sqlite:", "postgresql")):
        return None
    path = sqlite_path(url)
    if path is not None and not path.exists():
        return None   # the runtime's learning database exists already: a message never makes a new file
    try:
        return _open(url)
    except RepairStoreError as error:
        logger.warning("repair goes on without its record: %s", error)
        return None


@functools.lru_cache(maxsize=4)
def _open(url: str) -> RepairStore:
    return RepairStore.open(url)


def warm() -> None:
    """Load what the first repair would otherwise wait for (the sound keys of every catalog
    name, rapidfuzz's and jellyfish's modules): the action server's warm-up calls it."""
    from assistant.repair.priors import Priors

    decide("warm up", candidates(tuple(Kind)), Priors(global_on=True, personal_on=False, user_id="*"))
