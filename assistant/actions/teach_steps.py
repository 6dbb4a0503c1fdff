"""action_teach_steps: the steps that answer "Can you teach me?" (stories/rules/habits.yml),
checked and dry-run as action_teach_concept does, then "Shall I remember that?"."""

from __future__ import annotations

from typing import Text

from assistant.actions.teach_concept import ActionTeachConcept


class ActionTeachSteps(ActionTeachConcept):
    """action_teach_concept for the answer to the teaching offer (its own name, because the
    rules see it set the open question: to confirm, or closed)."""

    def name(self) -> Text:
        return "action_teach_steps"
