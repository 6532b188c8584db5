"""The phase engine: the temporal rules, the status matrix, marking, opening, gates, checks, sync, the event log."""
