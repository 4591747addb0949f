"""Readers of the curated knowledge in ``qcompare/data/``: taxonomy, national references, departments, furniture, labels."""
