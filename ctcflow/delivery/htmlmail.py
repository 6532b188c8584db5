"""The HTML part of a mail, made from its text: the same words, paragraphs and lists, with each
link written as a short name instead of a 230-character address. The text part stays as it
is — a reader whose mail program shows text gets exactly what the template wrote.

Only what the templates write is recognised: blank lines between paragraphs, "- " list lines,
upper-case section headings, and http(s) addresses."""

from __future__ import annotations

import re
from html import escape
from urllib.parse import urlsplit

from ctcflow.core.words import say

URL = re.compile(r"https?://[^\s<>\"]+")
STYLE = ("font-family: Arial, Helvetica, sans-serif; font-size: 16px; line-height: 1.5; color: #1d1d1b; "
         "max-width: 40em; margin: 0 auto; padding: 12px")


def link(url: str, lang: str) -> str:
    """<a href="…">Öppna i ctc.malmo.se</a>: where it leads, said briefly."""
    host = urlsplit(url).hostname or url
    return f'<a href="{escape(url)}">{escape(say(lang, "Open in {host}", host=host))}</a>'


def _inline(line: str, lang: str) -> str:
    """A line with its links: "Öppna: https://…" becomes a link named "Öppna"; a bare address
    one named after where it leads."""
    out, at = [], 0
    for found in URL.finditer(line):
        url = found.group(0).rstrip(".,;:)")
        before = line[at:found.start()]
        label = re.search(r"(?:^|[.;–-]\s+)([^.;:–-]{1,40}):\s*$", before)
        if label:
            out.append(escape(before[:label.start(1)]))
            out.append(f'<a href="{escape(url)}">{escape(label.group(1).strip())}</a>')
        else:
            out.append(escape(before))
            out.append(link(url, lang))
        at = found.start() + len(url)
    out.append(escape(line[at:]))
    return "".join(out)


def _heading(line: str) -> bool:
    letters = [c for c in line if c.isalpha()]
    return len(letters) > 3 and all(c.isupper() for c in letters)


def html_of(text: str, lang: str) -> str:
    """The mail's text as a small, accessible HTML document in its language."""
    blocks: list[str] = []
    for paragraph in re.split(r"\n\s*\n", text.strip()):
        lines = paragraph.splitlines()
        parts: list[str] = []
        items: list[str] = []
        for line in lines:
            stripped = line.strip()
            if stripped.startswith("- "):
                items.append(f"<li>{_inline(stripped[2:], lang)}</li>")
                continue
            if items and line.startswith("  ") and stripped:  # a list item's second line
                items[-1] = items[-1][:-len("</li>")] + f"<br>{_inline(stripped, lang)}</li>"
                continue
            if items:
                parts.append("<ul>" + "".join(items) + "</ul>")
                items = []
            if _heading(stripped):
                parts.append(f"<h2 style=\"font-size: 16px; margin: 16px 0 4px\">{escape(stripped)}</h2>")
            elif stripped:
                parts.append(f"<p style=\"margin: 0 0 8px\">{_inline(stripped, lang)}</p>")
        if items:
            parts.append("<ul>" + "".join(items) + "</ul>")
        blocks.append("\n".join(parts))
    body = "\n".join(blocks)
    return (f'<!DOCTYPE html>\n<html lang="{escape(lang)}">\n<head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1"></head>\n'
            f'<body style="{STYLE}">\n{body}\n</body>\n</html>\n')
