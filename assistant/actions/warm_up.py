"""action_warm_up: load the action server's slow parts (spaCy) before the first real turn.

Not in the domain: Rasa never predicts it. The runtime calls it once at start-up, while
the model loads, so that the first "I'm a Warriors fan" doesn't wait for spaCy.
"""

from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

WARM_UP_ACTION = "action_warm_up"


class ActionWarmUp(Action):
    """Loads the spaCy pipeline, opens the preference store, readies entity repair; says nothing."""

    def name(self) -> Text:
        return WARM_UP_ACTION

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        from assistant.prefs import statements
        from assistant.repair import apply as repair
        from assistant.services import preferences

        statements.warm()
        preferences.store()
        repair.warm()   # entity repair's sound keys of the catalog names
        return []
