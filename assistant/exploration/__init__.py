"""Exploration (issue 15): when NLU is torn between two readings, ask which was meant; the
answer runs the chosen reading and becomes a high-confidence label for the original words.

- `options`: the one description of each intent, the question, and resolving the answer;
- `bounds`: when a question is allowed (a share of the user's turns, never twice in a row,
  never for words that usually work), read from the interaction log.
The Rasa side is `assistant.components.exploration_policy` and the actions `action_explore`
and `action_resolve_exploration`.
"""

from __future__ import annotations

from assistant.turn import EXPLORATION_KEY

ASK = "action_explore"
RESOLVE = "action_resolve_exploration"
SLOT = "exploration"            # the open question: {text, options, entities, metadata}
JSON_KEY = EXPLORATION_KEY        # in the actions' structured message: {"asked": [...]} or {"choice": ...}
NEITHER = "neither"             # the user meant neither reading
UNCLEAR = "unclear"             # the answer named neither option nor "neither"
REPLAYED_KEY = "explored"       # metadata mark on the replayed message (never asked about again)
