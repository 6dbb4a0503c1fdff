"""Choose what to play and in which format, given the catalog and the speaking device."""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass

from assistant.catalog import load_catalog
from assistant.outcomes import Problem
from assistant.services.text_match import closest, find_phrase
from assistant.text import SLIPPED_WORDS, plain

FORMAT_WORDS = {
    "film": "film", "movie": "film", "films": "film", "movies": "film", "watch": "film",
    "audiobook": "audiobook", "audio book": "audiobook", "book": "audiobook",
    "podcast": "podcast", "podcasts": "podcast",
    "song": "music", "songs": "music", "music": "music", "album": "music",
}


# Words around a named thing that are not its name ("that song from the ...", "some tunes by ...").
PLAY_VERBS = ("start playing", "keep playing", "i want to listen to", "i want to hear", "listen to", "put on",
              "read me", "play me", "play", "watch", "hear", "read", "start", "queue up", "queue", "blast", "throw on",
              "resume")
FILLER_WORDS = frozenset("""
    a an the some me us my our that this those these any more of from by called named to for with
    song songs track tracks tune tunes music something anything stuff album albums playlist soundtrack
    film movie audiobook audio book podcast episode episodes chapter record single hits greatest best
    latest new next last please now again right just bit little on in up
""".split()) | SLIPPED_WORDS   # "play my um most played songs": a disfluency is no name
# A mood or an occasion asks for music in general, not for a title: the default (or liked) genre plays.
MOOD_WORDS = frozenset("""
    relaxing upbeat chill calm background happy nice good random cheerful quiet soft fun party dinner
    workout study studying sleep sleeping favourite favorite liked morning evening loud louder nothing
    else different
""".split())
# "play music i have liked", "my favourites on loop", "my most played songs", "my song list":
# the user's own taste or lists, not a name. What plays is what they like.
TASTE_WORDS = frozenset("""
    favourite favorite favourites favorites liked playlist playlists list lists played collection library usual
""".split())
PERSONAL_WORDS = frozenset("i i've ive have we you loop repeat first own most recently often always".split())
# "play music from where you left off": go on with the music, no name (what plays is the user's).
RESUMING = re.compile(r"\b(?:from |at )?where (?:you|i|we|it) (?:left off|stopped|paused|were|was)\b")


CLOSE_ENOUGH = 0.6
# The rest of a request that asks for music in general ("would you play some music please").
ASKING_WORDS = frozenset("""
    would could can will you hey i want like to listen hear play playing put turn start keep resume continue
    shuffle some please okay ok
""".split())


class MediaProblem(enum.Enum):
    """Why nothing can be played."""

    NOT_FOUND = "not_found"
    NEEDS_SCREEN = "needs_screen"
    NO_SUCH_FORMAT = "no_such_format"

    @property
    def as_problem(self) -> Problem:
        """The code the action tags its reply with."""
        return Problem[self.name]


@dataclass(frozen=True)
class MediaChoice:
    """What to play (`item`, `fmt`) or why not (`problem`, `message`)."""

    item: str | None = None
    fmt: str | None = None
    problem: MediaProblem | None = None
    message: str = ""
    defaulted: bool = False  # nothing was named: the default (or preferred) music plays

    @property
    def directive_value(self) -> str:
        return f"{self.item}|{self.fmt}"

    def describe(self) -> str:
        """ "The Hunger Games (film)" / "some jazz" / "Imagine Dragons"."""
        if self.fmt == "music":
            return f"some {self.item}" if self.item in load_catalog().genres or self.item == "music" else str(self.item)
        return f"{self.item}" + ("" if self.fmt == "podcast" else f" ({self.fmt})")


def _words(text: str) -> list[str]:
    """The plain words of a request, without "where you left off" (which names nothing)."""
    return RESUMING.sub(" ", plain(text)).split()


def wanted_format(text: str, entity: str | None) -> str | None:
    """The format the user asked for ("the movie", "audiobook"), if any."""
    for value in (entity, find_phrase(text, FORMAT_WORDS)):
        if value and plain(value) in FORMAT_WORDS:
            return FORMAT_WORDS[plain(value)]
    return None


def choose(
    text: str,
    *,
    title: str | None,
    artist: str | None,
    genre: str | None,
    media_type: str | None,
    has_screen: bool,
    default_genre: str = "pop",
) -> MediaChoice:
    """Pick the item and format: a film on a screen, the audiobook on a speaker."""
    catalog = load_catalog()
    fmt_wanted = wanted_format(text, media_type)
    titles = {t.title: t for t in catalog.titles}
    found_title = closest(title, titles) if title else find_phrase(text, titles)
    if found_title is None and not (artist or genre):
        # NLU may miss the title: look for any catalog title in the words after "play".
        found_title = _title_after_verb(text, titles)
    if found_title:
        formats = titles[found_title].formats
        if fmt_wanted and fmt_wanted != "music":
            if fmt_wanted not in formats:
                return MediaChoice(problem=MediaProblem.NO_SUCH_FORMAT,
                                   message=f"{found_title} isn't available as a {fmt_wanted}; "
                                           f"I have it as a {' and a '.join(formats)}.")
            if fmt_wanted == "film" and not has_screen:
                return MediaChoice(problem=MediaProblem.NEEDS_SCREEN,
                                   message=f"{found_title} is a film and this device has no screen. "
                                           "Ask the TV instead.")
            return MediaChoice(found_title, fmt_wanted)
        order = ("film", "audiobook", "podcast") if has_screen else ("audiobook", "podcast")
        for fmt in order:
            if fmt in formats:
                return MediaChoice(found_title, fmt)
        return MediaChoice(problem=MediaProblem.NEEDS_SCREEN,
                           message=f"{found_title} is a film and this device has no screen. "
                                   "Ask the TV instead.")
    artists = {a.name: a for a in catalog.artists}
    found_artist = closest(artist, artists) if artist else find_phrase(text, artists)
    if found_artist is None and not (artist or genre or title):
        # "play imagine dragon": a near miss of one name is that name.
        named = named_thing(text)
        found_artist = closest(named, artists, cutoff=0.8) if named else None
    if found_artist:
        return MediaChoice(found_artist, "music")
    found_genre = closest(genre, catalog.genres) if genre else find_phrase(text, catalog.genres)
    if found_genre:
        return MediaChoice(found_genre, "music")
    # An entity that only says "where you left off" names nothing.
    named = next((n for n in (title, artist) if n and _words(n)), None) or named_thing(text)
    # ... nor does a piece of the user's taste ("most", of "play my most played songs").
    if named and not asks_for_taste(named) and not asks_for_taste(named_thing(text) or ""):
        return MediaChoice(problem=MediaProblem.NOT_FOUND, message=not_found_message(named, fmt_wanted))
    if fmt_wanted in (None, "music"):
        return MediaChoice(default_genre, "music", defaulted=True)
    return MediaChoice(problem=MediaProblem.NOT_FOUND,
                       message=f"Which {fmt_wanted} would you like?")


def fallback_genre(disliked: list[str] | tuple[str, ...] = ()) -> str:
    """The genre to play when nothing is named and nothing is preferred: pop, unless disliked."""
    genres = load_catalog().genres
    for genre in ("pop", *genres):
        if genre not in disliked:
            return genre
    return "pop"


def _title_after_verb(text: str, titles: dict) -> str | None:
    words = plain(text).split()
    for verb in ("play", "watch", "put on", "start"):
        if verb.split()[0] in words:
            rest = " ".join(words[words.index(verb.split()[0]) + 1:])
            if rest:
                return closest(rest, titles, cutoff=0.8)
    return None


# Words of a request for music that are never part of a name in it.
NOT_A_NAME = ASKING_WORDS | FILLER_WORDS | MOOD_WORDS | TASTE_WORDS | PERSONAL_WORDS


def asks_for_anything(text: str) -> bool:
    """The request names nothing, not even a misheard name: only words of asking, fillers, moods
    and the user's own taste ("would you play some music please", "play my playlist"), not
    "initiate kendrick llama music"."""
    said = _words(text)
    return bool(said) and all(w in NOT_A_NAME for w in said)


def named_thing(text: str) -> str | None:
    """What the request names after its verb, when that is a name rather than a mood or a format
    ("play that song from the lion king" -> "lion king"; "play something relaxing" -> None)."""
    from assistant.catalog import load_catalog

    words = _words(text)
    padded = f" {' '.join(words)} "
    for verb in PLAY_VERBS:
        at = padded.find(f" {verb} ")
        if at >= 0:
            words = padded[at + len(verb) + 2:].split()
            break
    else:
        return None
    catalog = load_catalog()
    places = {w for ws in (*catalog.room_words.values(), *catalog.device_words.values()) for p in ws
              for w in p.split()}
    # "... in the kitchen", "... on the tv": where to play it, not what.
    for i, word in enumerate(words):
        if word in ("in", "on") and i + 1 < len(words) and set(words[i + 1:]) <= places | FILLER_WORDS:
            words = words[:i]
            break
    while words and words[0] in FILLER_WORDS:
        words = words[1:]
    while words and words[-1] in FILLER_WORDS:
        words = words[:-1]
    content = [w for w in words if w not in FILLER_WORDS | MOOD_WORDS | set(FORMAT_WORDS)]
    return " ".join(words) if content else None


def asks_for_taste(named: str) -> bool:
    """Whether what the request names is the user's taste rather than a name ("i have liked",
    "my first favorite song on loop"): then their liked (or the default) music plays."""
    words = set(plain(named).split())
    return bool(words & TASTE_WORDS) and not (words - FILLER_WORDS - MOOD_WORDS - set(FORMAT_WORDS)
                                                   - TASTE_WORDS - PERSONAL_WORDS)


def not_found_message(named: str, fmt: str | None = None) -> str:
    """ "I don't have "maj and dragons". The closest I have is Imagine Dragons (say ...)." or,
    with nothing close, a few things of the kind asked for."""
    catalog = load_catalog()
    titles = [t.title for t in catalog.titles if fmt in (None, "music") or fmt in t.formats]
    artists = [a.name for a in catalog.artists] if fmt in (None, "music") else []
    near = closest(named, titles + artists, cutoff=CLOSE_ENOUGH)
    said = f"I don't have \"{named}\" in the library."
    if near:
        return f"{said} The closest I have is {near} (say \"play {near}\")."
    if fmt in ("film", "audiobook", "podcast"):
        kinds = {"film": "films", "audiobook": "audiobooks", "podcast": "podcasts"}
        return f"{said} I have {kinds[fmt]} such as {_listed(titles[:3])}."
    return (f"{said} I can play artists such as {_listed([a.name for a in catalog.artists][:3])}, "
            f"or genres such as {_listed(list(catalog.genres[:3]))}.")


def _listed(items: list[str]) -> str:
    return ", ".join(items[:-1]) + " or " + items[-1] if len(items) > 1 else "".join(items)
