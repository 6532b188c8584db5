"""How names typed by people are compared: case, accents and spacing do not tell two apart —
a delområde in a survey export, an area or an administration in a cost sheet, a comparison
area's delområde against the CTC areas' in areas.yml. One rule, so what the definitions check
refuses is exactly what the imports would confuse."""

from __future__ import annotations

import unicodedata


def fold(text: str) -> str:
    """'Södervärn ' = 'sodervarn'."""
    decomposed = unicodedata.normalize("NFKD", text.strip().casefold())
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).split())
