"""Teachable moments: noticing from the conversation that the assistant is failing a user
(a repeated request, "no, that's wrong", a barge-in, a "no" to "Did I answer your question?")."""
