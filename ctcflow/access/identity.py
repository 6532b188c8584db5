"""Who an e-mail address belongs to, so people sign in with the address they already know —
never an id from a configuration file. A person's address is their ``email`` in areas.yml or,
when that is not given, the recipient of their e-mail channel (an ``env:`` reference to a
``mailto://`` URL). Secret blocks are not opened for this: give such people an ``email``."""

from __future__ import annotations

import os
from datetime import date
from urllib.parse import parse_qs, unquote, urlsplit

from ctcflow.definition.loader import Definitions
from ctcflow.definition.organisation import REFERENCE, PersonDef


def normalised(address: str) -> str:
    return address.strip().lower()


def channel_addresses(reference: str) -> list[str]:
    """The recipients of an ``env:`` reference to a mailto:// URL (none for other channels)."""
    if reference.startswith("mail:"):
        return [normalised(reference.removeprefix("mail:"))]
    match = REFERENCE.match(reference)
    if match is None or match.group(1) != "env":
        return []
    url = os.environ.get(match.group(2), "").strip()
    if not url.startswith(("mailto://", "mailtos://")):
        return []
    parts = urlsplit(url)
    found = [a for value in parse_qs(parts.query).get("to", []) for a in unquote(value).split(",")]
    if not found and "@" in parts.netloc:
        found = [unquote(parts.netloc.rsplit(":", 1)[0])]
    return [normalised(a) for a in found if "@" in a]


def address_book(defs: Definitions) -> dict[str, PersonDef]:
    """Every known address → its person; an address two people share names neither (a shared
    mailbox is not a person)."""
    book: dict[str, PersonDef] = {}
    shared: set[str] = set()
    for person in defs.org.everyone():
        addresses = [normalised(person.email)] if person.email else channel_addresses(person.notify)
        for address in addresses:
            if address in book and book[address].id != person.id:
                shared.add(address)
            book[address] = person
    return {a: p for a, p in book.items() if a not in shared}


def person_with_address(book: dict[str, PersonDef], address: str, day: date) -> PersonDef | None:
    found = book.get(normalised(address))
    return found if found is not None and found.active_on(day) else None
