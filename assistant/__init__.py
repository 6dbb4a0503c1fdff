"""A teachable, self-learning smart-home assistant on Rasa."""

__version__ = "0.1.0"
