"""The words of what flows publish in the Prefect UI, from templates/<CTC_LANG>/flows.yml."""

from __future__ import annotations

from typing import Any

from ctcflow.core.config import get_settings
from ctcflow.core.templating import phrase


def say(group: str, key: str, **context: Any) -> str:
    """``say("sections", "sent")`` → "Skickade"; ``say("lines", "cycle", n=2)`` → "cykel 2"."""
    settings = get_settings()
    return phrase(settings.templates_dir, settings.lang, "flows", group, key, **context)
