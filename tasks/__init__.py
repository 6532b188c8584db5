"""Prefect tasks: the I/O boundary around ctcflow\x27s plain functions, with retries where they help."""
