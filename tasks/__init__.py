"""Prefect tasks: thin wrappers around ctcflow's plain functions, one task per batch of work
(never one task run per area or milestone), each returning a small summary for the flow."""
