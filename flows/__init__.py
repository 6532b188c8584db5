"""Prefect flows: thin sequences of tasks (see tasks/); no domain logic here."""
