"""Stage 2, one plan in, rows out: clauses, numbers, targets, departments, terms. No corpus access here."""
