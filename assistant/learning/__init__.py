"""Self-learning: the interaction log, the rewrite table, rephrase mining and online rewriting."""
