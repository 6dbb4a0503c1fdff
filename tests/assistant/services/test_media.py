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
