"""The rules engine: expressions, eligibility, duplicates, scoring, ranking and allocation."""
