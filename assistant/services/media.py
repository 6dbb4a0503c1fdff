"""Choose what to play and in which format, given the catalog and the speaking device."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from assistant.catalog import load_catalog
from assistant.services.text_match import closest, find_phrase, normalize

FORMAT_WORDS = {
    "film": "film", "movie": "film", "films": "film", "movies": "film", "watch": "film",
    "audiobook": "audiobook", "audio book": "audiobook", "book": "audiobook",
    "podcast": "podcast", "podcasts": "podcast",
    "song": "music", "songs": "music", "music": "music", "album": "music",
}


class MediaProblem(enum.Enum):
    """Why nothing can be played."""

    NOT_FOUND = "not_found"
    NEEDS_SCREEN = "needs_screen"
    NO_SUCH_FORMAT = "no_such_format"


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


def wanted_format(text: str, entity: str | None) -> str | None:
    """The format the user asked for ("the movie", "audiobook"), if any."""
    for value in (entity, find_phrase(text, FORMAT_WORDS)):
        if value and normalize(value) in FORMAT_WORDS:
            return FORMAT_WORDS[normalize(value)]
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
    if found_artist:
        return MediaChoice(found_artist, "music")
    found_genre = closest(genre, catalog.genres) if genre else find_phrase(text, catalog.genres)
    if found_genre:
        return MediaChoice(found_genre, "music")
    if title or artist:
        return MediaChoice(problem=MediaProblem.NOT_FOUND,
                           message=f"I couldn't find \"{title or artist}\" in the library.")
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
    words = normalize(text).split()
    for verb in ("play", "watch", "put on", "start"):
        if verb.split()[0] in words:
            rest = " ".join(words[words.index(verb.split()[0]) + 1:])
            if rest:
                return closest(rest, titles, cutoff=0.8)
    return None
