"""Simulated populations: households with hidden preferences speaking through a noisy ASR
channel, reacting as people do, with ground truth for every turn, run per learning arm.

`run.run_population(runtime, users=, days=, seed=, arm=)` plays a run; `metrics.summarize`
gives the figures; `command.run_simulate_population` is the CLI.
"""
