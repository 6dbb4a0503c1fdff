"""Measuring the NLU: candidate pipelines side by side (`assistant eval-nlu --compare`)."""
