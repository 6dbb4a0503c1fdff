"""Goal kinds and the team's phrasings of them: templates, statements and interest weights.

The templates are what simulated users say with ``--phrasing templates`` and where HWU64 has no
real sentence of a kind (thermostat, garage, locks, TV, team scores, the oven).
"""

from __future__ import annotations

import enum


class GoalKind(str, enum.Enum):
    LIGHT_ON = "light_on"
    LIGHT_OFF = "light_off"
    BRIGHTNESS = "brightness"
    COLOR = "color"
    THERMOSTAT = "thermostat"
    OVEN = "oven"
    GARAGE_OPEN = "garage_open"
    GARAGE_CLOSE = "garage_close"
    LOCK = "lock"
    UNLOCK = "unlock"
    COFFEE = "coffee"
    TV_ON = "tv_on"
    ALARM = "alarm"
    PLAY_ARTIST = "play_artist"
    PLAY_GENRE = "play_genre"
    PLAY_TITLE = "play_title"
    PLAY_MUSIC = "play_music"
    WEATHER_CITY = "weather_city"
    WEATHER_HOME = "weather_home"
    TEAM_NAMED = "team_named"
    TEAM_MINE = "team_mine"
    RESTAURANT_CUISINE = "restaurant_cuisine"
    RESTAURANT_MINE = "restaurant_mine"
    STATE_PREFERENCE = "state_preference"
    LEARN_PREFERENCES = "learn_preferences"
    OUT_OF_SCOPE = "out_of_scope"          # a HWU64 request the home can't do


K = GoalKind

# Phrasings per kind; the user's style decides which one they reach for first.
TEMPLATES: dict[GoalKind, tuple[str, ...]] = {
    K.LIGHT_ON: ("turn on the {room} lights", "switch on the {room} light", "{room} lights on please",
                 "can you turn on the lights in the {room}", "turn on the lights"),
    K.LIGHT_OFF: ("turn off the {room} lights", "switch off the {room} light", "lights off in the {room}",
                  "can you turn off the lights in the {room}", "turn off the lights"),
    K.BRIGHTNESS: ("dim the {room} lights to {number} percent", "set the {room} light to {number} percent",
                   "{room} lights to {number} percent"),
    K.COLOR: ("make the {room} light {color}", "change the {room} lights to {color}",
              "turn the {room} lights {color}"),
    K.THERMOSTAT: ("set the thermostat to {number} degrees", "i want the thermostat at {number}",
                   "set the thermostat to {number}", "turn the heating up to {number}"),
    K.OVEN: ("preheat the oven to {number}", "set the oven to {number} degrees",
             "heat the oven to {number} degrees"),
    K.GARAGE_OPEN: ("open the garage door", "can you open the garage door please", "lift the garage door"),
    K.GARAGE_CLOSE: ("close the garage door", "shut the garage door", "can you close the garage door"),
    K.LOCK: ("lock the front door", "please lock the front door", "can you lock the door"),
    K.UNLOCK: ("unlock the front door", "please unlock the front door", "can you unlock the door"),
    K.COFFEE: ("make me a coffee", "brew some coffee", "start the coffee maker", "coffee please"),
    K.TV_ON: ("turn on the tv", "switch the tv on", "power on the television"),
    K.ALARM: ("set an alarm for {time}", "wake me up at {time}", "set my alarm for {time}"),
    K.PLAY_ARTIST: ("play {artist}", "play some {artist}", "put on {artist}", "i want to hear {artist}"),
    K.PLAY_GENRE: ("play some {genre}", "play {genre} music", "put on some {genre} music"),
    K.PLAY_TITLE: ("play {title}", "put on {title}", "i'd like to listen to {title}"),
    K.PLAY_MUSIC: ("play some music", "play music", "put some music on"),
    K.WEATHER_CITY: ("what's the weather in {city}", "how's the weather in {city}",
                     "weather forecast for {city}"),
    K.WEATHER_HOME: ("what's the weather like", "what's the weather today", "tell me the weather"),
    K.TEAM_NAMED: ("how did the {team} do", "did the {team} win", "what's the score of the {team} game"),
    K.TEAM_MINE: ("how did my team do", "did my team win", "sports scores for my team"),
    K.RESTAURANT_CUISINE: ("find me a {cuisine} restaurant", "any good {cuisine} restaurants around",
                           "where's a good place for {cuisine} food"),
    K.RESTAURANT_MINE: ("find me a restaurant", "where can i eat tonight", "recommend somewhere for dinner"),
    K.STATE_PREFERENCE: ("{statement}",),
    K.LEARN_PREFERENCES: ("learn my preferences", "can you learn my preferences"),
}

# How often each kind comes up in a day, before a user's own interests scale it.
INTEREST_WEIGHTS: dict[str, float] = {
    K.LIGHT_ON.value: 1.5, K.LIGHT_OFF.value: 1.0, K.BRIGHTNESS.value: 0.5, K.COLOR.value: 0.4,
    K.THERMOSTAT.value: 0.8, K.OVEN.value: 0.5, K.GARAGE_OPEN.value: 0.4, K.GARAGE_CLOSE.value: 0.4,
    K.LOCK.value: 0.5, K.UNLOCK.value: 0.4, K.COFFEE.value: 0.6, K.TV_ON.value: 0.4,
    K.ALARM.value: 0.5, K.PLAY_ARTIST.value: 1.2, K.PLAY_GENRE.value: 0.8, K.PLAY_TITLE.value: 0.6,
    K.PLAY_MUSIC.value: 1.2, K.WEATHER_CITY.value: 0.6, K.WEATHER_HOME.value: 1.2,
    K.TEAM_NAMED.value: 0.5, K.TEAM_MINE.value: 0.9, K.RESTAURANT_CUISINE.value: 0.5,
    K.RESTAURANT_MINE.value: 0.8,
}

# Statement phrasings per preference key ("{value}" is the spoken value).
STATEMENTS: dict[str, tuple[str, ...]] = {
    "music_genre": ("i love {value}", "my favourite music is {value}", "i really like {value} music"),
    "music_artist": ("i like {value}", "my favorite artist is {value}"),
    "sports_team": ("i'm a {value} fan", "i support the {value}", "i'm a big fan of the {value}"),
    "cuisine": ("i really like {value} food", "i love {value} food", "my favourite cuisine is {value}"),
    "home_city": ("i live in {value}",),
    "temperature_unit": ("i prefer {value}", "use {value} please"),
}
