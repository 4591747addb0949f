"""Stage 4, over the built tables: comparisons, coverage, profiles, departments and themes summaries, evaluation."""
