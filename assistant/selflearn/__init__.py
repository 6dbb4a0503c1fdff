"""Self-learning NLU, its first program: labels for logged turns from the log alone.

- `candidates`: which turns get a label, and which (a failed turn takes the label of the turn
  of its goal that worked; a confident success labels itself); `entities` places the entities
  on the failed turn's own words.
- `baseline`: the non-contextual baseline (copy the next successful turn's intent).
- `features` + `model`: the contextual label model (scikit-learn) that scores each candidate.
- `truth`: judging labels against the simulator's truth (evaluation only, never an input).
- `learned`: the learned Rasa NLU file (`DATA/learned/nlu.yml`) with its provenance and guards.
- `pipeline`, `command`, `study`: log -> accepted labels; `assistant learn-nlu`; the measurement.

Nothing heavy is imported here: scikit-learn, Rasa and MiniLM load on use.
"""
