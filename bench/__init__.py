"""Scoring benchmark: the score step side by side with the alternatives, plus scale-out on Spark standalone."""
