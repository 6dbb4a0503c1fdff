from __future__ import annotations

import pytest

from assistant.services.media import MediaProblem, choose


def pick(text: str, *, has_screen: bool, **entities: str):
    args = {"title": None, "artist": None, "genre": None, "media_type": None, **entities}
    return choose(text, has_screen=has_screen, **args)


@pytest.mark.parametrize(
    ("has_screen", "fmt"), [(True, "film"), (False, "audiobook")]
)
def test_hunger_games_format_follows_the_screen(has_screen: bool, fmt: str) -> None:
    choice = pick("play hunger games", has_screen=has_screen, title="hunger games")
    assert (choice.item, choice.fmt) == ("The Hunger Games", fmt)


def test_title_found_without_entity() -> None:
    assert pick("play the hunger games", has_screen=False).item == "The Hunger Games"


def test_film_only_title_on_a_speaker_is_refused() -> None:
    choice = pick("play the matrix", has_screen=False, title="The Matrix")
    assert choice.problem is MediaProblem.NEEDS_SCREEN
    assert "screen" in choice.message


def test_asked_format_is_respected() -> None:
    choice = pick("play the hunger games audiobook", has_screen=True, title="the hunger games",
                  media_type="audiobook")
    assert choice.fmt == "audiobook"


def test_missing_format_is_explained() -> None:
    choice = pick("play toy story audiobook", has_screen=True, title="toy story", media_type="audiobook")
    assert choice.problem is MediaProblem.NO_SUCH_FORMAT


@pytest.mark.parametrize(
    ("text", "entities", "item"),
    [
        ("play imagine dragons", {"artist": "imagine dragons"}, "Imagine Dragons"),
        ("play some jazz", {"genre": "jazz"}, "jazz"),
        ("play some jazz", {}, "jazz"),
        ("play music", {}, "pop"),
    ],
)
def test_music(text: str, entities: dict, item: str) -> None:
    choice = pick(text, has_screen=False, **entities)
    assert (choice.item, choice.fmt) == (item, "music")


def test_unknown_title_is_not_found() -> None:
    choice = pick("play zzyzx", has_screen=True, title="zzyzx")
    assert choice.problem is MediaProblem.NOT_FOUND


@pytest.mark.parametrize(("text", "named"), [
    ("play that song from the lion king", "lion king"),
    ("put on some tunes by Beyonce", "beyonce"),
    ("play the beatles in the kitchen", "beatles"),
    ("watch star wars on the telly", "star wars"),
    ("play something relaxing", None),
    ("play some music please", None),
    ("play my workout playlist", None),
    ("play a podcast", None),
    ("play um the beatles uh", "beatles"),
    ("turn the lights on", None),
    ("play music from where you left off", None),
    ("play the beatles where i left off", "beatles"),
])
def test_the_named_thing_is_what_follows_the_verb(text: str, named: str | None) -> None:
    from assistant.services.media import named_thing

    assert named_thing(text) == named


@pytest.mark.parametrize("text", ["play that song from the lion king", "put on some tunes by Beyonce",
                                  "play bohemian rhapsody", "play some metal"])
def test_something_outside_the_catalog_is_not_found_and_never_replaced(text: str) -> None:
    choice = pick(text, has_screen=False)
    assert choice.problem is MediaProblem.NOT_FOUND
    assert choice.message.startswith("I don't have \"")
    assert "artists such as" in choice.message and choice.item is None


def test_a_close_name_is_offered() -> None:
    choice = pick("play maj and dragons", has_screen=False)
    assert choice.problem is MediaProblem.NOT_FOUND
    assert choice.message == ('I don\'t have "maj and dragons" in the library. '
                              'The closest I have is Imagine Dragons (say "play Imagine Dragons").')


def test_a_near_miss_of_one_artist_plays_it() -> None:
    assert (pick("play imagine dragon", has_screen=False).item) == "Imagine Dragons"


def test_an_unknown_film_offers_films() -> None:
    choice = pick("watch star wars", has_screen=True)
    assert choice.problem is MediaProblem.NOT_FOUND
    assert "I have films such as The Hunger Games" in choice.message


def test_an_unknown_entity_value_is_named_in_the_answer() -> None:
    choice = pick("play the lion king", has_screen=True, title="the lion king")
    assert choice.problem is MediaProblem.NOT_FOUND and '"the lion king"' in choice.message


@pytest.mark.parametrize("text", ["play something relaxing", "play some music in the living room"])
def test_moods_and_places_still_play_the_default(text: str) -> None:
    choice = pick(text, has_screen=False)
    assert (choice.item, choice.defaulted) == ("pop", True)


@pytest.mark.parametrize("title", ["i have liked", "first favorite song on loop", "my playlist", "favorites",
                                   "my most played tracks", "the songs i've played most", "my usual list",
                                   "my collection"])
def test_a_request_for_the_users_own_taste_plays_their_music(title: str) -> None:
    choice = choose(f"play music {title}", title=title, artist=None, genre=None, media_type=None,
                    has_screen=False, default_genre="jazz")
    assert (choice.item, choice.defaulted, choice.problem) == ("jazz", True, None)


@pytest.mark.parametrize("text", ["start playing my music list", "keep playing my recently played songs",
                                  "play my uh most played tracks", "resume my playlist",
                                  "play music from where you left off", "play where we stopped"])
def test_playing_the_users_own_lists_asks_for_anything(text: str) -> None:
    from assistant.services.media import asks_for_anything

    choice = choose(text, title=None, artist=None, genre=None, media_type=None, has_screen=False,
                    default_genre="jazz")
    assert (choice.item, choice.defaulted) == ("jazz", True) and asks_for_anything(text)


@pytest.mark.parametrize(("text", "piece"), [("play my most played songs", "most"),
                                             ("play the list from my favorites", "list")])
def test_a_piece_of_the_users_taste_taken_for_a_name_plays_their_music(text: str, piece: str) -> None:
    choice = choose(text, title=None, artist=piece, genre=None, media_type=None, has_screen=False,
                    default_genre="jazz")
    assert (choice.item, choice.defaulted, choice.problem) == ("jazz", True, None)


def test_a_name_next_to_taste_words_is_still_a_name() -> None:
    choice = choose("play my favorite purple elephants", title="purple elephants", artist=None, genre=None,
                    media_type=None, has_screen=False)
    assert choice.problem is MediaProblem.NOT_FOUND


def test_where_you_left_off_is_no_title() -> None:
    choice = choose("play music from where you left off", title="where you left off", artist=None, genre=None,
                    media_type=None, has_screen=False, default_genre="jazz")
    assert (choice.item, choice.defaulted, choice.problem) == ("jazz", True, None)
