"""action_play_media: the film on a screen, the audiobook on a speaker."""

from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from assistant.actions.check_answer import check_a_guess
from assistant.actions.common import check_all, evidence_of, report_problem, send_directives, turn_context
from assistant.actions.repairs import repair_any, repair_on, spans, tag_repair
from assistant.actions.store_preference import ask_about_heard
from assistant.catalog import load_catalog
from assistant.habits import apply
from assistant.habits.implicit import IMPLICIT_REASON
from assistant.prefs.keys import PrefKey
from assistant.prefs.statements import declares_taste
from assistant.repair.outcome import Repair
from assistant.services import media, preferences
from assistant.turn import ANSWERED_KEY, IMPLICIT_KEY, RestedOn


class ActionPlayMedia(Action):
    """Plays a title, artist or genre on the speaking device, in the format it can show;
    "play music" plays what the user likes."""

    def name(self) -> Text:
        return "action_play_media"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        from assistant.home import Capability, Directive, DirectiveVerb

        ctx = turn_context(tracker)
        player = ctx.speaking
        if Capability.MEDIA not in player.capabilities:
            players = [d for d in ctx.home.devices.values()
                       if Capability.MEDIA in d.capabilities and d.room == player.room]
            if not players:
                dispatcher.utter_message(text=f"The {player.name} can't play media, and nothing in "
                                              f"the {player.room.replace('_', ' ')} can.")
                return []
            player = players[0]
        user = preferences.for_user(ctx.user_id)
        preferred, inferred = apply.preferred(user.prefs, (PrefKey.MUSIC_GENRE, PrefKey.MUSIC_ARTIST))
        choice = media.choose(
            ctx.text,
            title=ctx.entity(tracker, "media_title"),
            artist=ctx.entity(tracker, "artist"),
            genre=ctx.entity(tracker, "genre"),
            media_type=ctx.entity(tracker, "media_type"),
            has_screen=player.has_screen,
            default_genre=preferred or media.fallback_genre(user.disliked(PrefKey.MUSIC_GENRE)),
        )
        repair = None
        if choice.problem is media.MediaProblem.NOT_FOUND:
            # Not in the library: maybe misheard ("maj and dragons"); repaired only when clearly ahead.
            named = ctx.entity(tracker, "media_title") or ctx.entity(tracker, "artist") or media.named_thing(ctx.text)
            # The name as heard, else a piece of it ("anything by kendrick glamour and i'll be happy").
            heard = [named, *spans(named, media.FILLER_WORDS | media.MOOD_WORDS)] if named else []
            repair, choice = self._repaired(tracker, ctx, choice, heard, has_screen=player.has_screen)
        elif choice.defaulted and not media.asks_for_anything(ctx.text) and repair_on(tracker):
            # Nothing named, but words where a name would be ("initiate mile stavis music"): maybe a
            # name misheard past the entity extractor; else the default plays as before.
            repair, choice = self._repaired(tracker, ctx, choice, spans(ctx.text, media.NOT_A_NAME),
                                            has_screen=player.has_screen)
        if choice.problem is media.MediaProblem.NOT_FOUND and declares_taste(ctx.text):
            # "i like a dell music please play it": a taste declared, its name misheard, asked about
            # as a statement's is ("Did you mean Adele?") rather than "I don't have "it"".
            asked = ask_about_heard(dispatcher, ctx.text)
            if asked is not None:
                return asked
        if choice.problem is not None:
            report_problem(dispatcher, choice.problem.as_problem, choice.message)
            return []
        directive = Directive(DirectiveVerb.PLAY, player.id, choice.directive_value)
        result = check_all(ctx.home, [directive])[0]
        if not result.ok:
            dispatcher.utter_message(text=f"I can't play that here: {result.message}")
            return []
        where = "" if player.id == ctx.speaking.id else f" on the {player.name}"
        because = ""
        if choice.defaulted and preferred:
            because = f", {IMPLICIT_REASON}" if inferred else ", since you like it"
        # "i like kendrick lamar music please play it": the taste is kept as well as played (not when
        # the request is resumed after an answer to an offer, "i love blues": that answer stored it).
        noted = "" if choice.defaulted or ctx.intent != "play_media" else preferences.note_tastes(
            ctx.user_id, ctx.text, (PrefKey.MUSIC_GENRE, PrefKey.MUSIC_ARTIST), evidence_of(tracker))
        dispatcher.utter_message(text=f"{noted}Playing {choice.describe()}{where}{because}.")
        if repair is not None:   # typed, for the log: the reply names what it understood
            tag_repair(dispatcher, repair)
        if choice.defaulted and preferred and inferred:
            # Typed, for the runtime: a "no" next turn lowers this inferred value.
            dispatcher.utter_message(json_message={IMPLICIT_KEY: [preferred]})
        if choice.defaulted:  # typed, for teachable moments: what played rested on the user's taste
            guess = None if preferred else choice.item
            dispatcher.utter_message(json_message=RestedOn(PrefKey.MUSIC_GENRE.value, bool(preferred), guess).to_json())
        else:   # typed, for teachable moments: what the user named (a genre after a guess: maybe theirs)
            named = "genre" if choice.fmt == "music" and choice.item in load_catalog().genres else "media"
            dispatcher.utter_message(json_message={ANSWERED_KEY: {named: choice.item}})
        send_directives(dispatcher, [directive])
        if choice.defaulted and not preferred and media.asks_for_anything(ctx.text):
            return check_a_guess(dispatcher, tracker, PrefKey.MUSIC_GENRE)   # a genre guessed: was it theirs?
        return []

    @staticmethod
    def _repaired(tracker: Tracker, ctx: Any, choice: media.MediaChoice, heard: list[str], *,
                  has_screen: bool) -> tuple[Repair | None, media.MediaChoice]:
        """The best repair of the ``heard`` spans, and what it plays (else the choice as it was)."""
        from assistant.repair.outcome import Kind

        repair = repair_any(tracker, ctx, heard, (Kind.TITLE, Kind.ARTIST, Kind.GENRE))
        if repair is None:
            return None, choice
        slot = {Kind.TITLE: "title", Kind.ARTIST: "artist", Kind.GENRE: "genre"}[repair.kind]
        named_only: dict[str, Any] = {"title": None, "artist": None, "genre": None, slot: repair.value}
        repaired = media.choose(ctx.text, media_type=ctx.entity(tracker, "media_type"), has_screen=has_screen,
                                **named_only)
        return (repair, repaired) if repaired.problem is None else (None, choice)
