"""Defect analytics without annotation: goals from the interaction log, goal success from
implicit signals, and the failure point of each defect (a scikit-learn model with a rule
fallback). `assistant analyze` prints the morning report.

Nothing heavy is imported here: numpy, scikit-learn and the embedding model load on use.
"""
