"""The `ctc` command: Typer sub-apps per domain over ctcflow.app."""
