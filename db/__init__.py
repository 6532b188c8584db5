"""Persistence: SQLModel tables, the engine built from settings, and schema migrations."""
