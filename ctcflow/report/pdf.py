"""The report as a PDF of any size in bounded memory.

WeasyPrint keeps every laid-out page of a document in memory (a 4,000-area city's report grew
past 18 GB in one piece), so the HTML is printed in chunks: the template marks the places where
a page break falls anyway (before each area's section), each chunk of so many areas
(``CTC_REPORT_AREAS_PER_CHUNK``) is laid out on its own — on several processes when there is
more than one chunk, or on other workers when a flow says so (``chunks_printed_by``) — and the
pieces are joined with pypdf — their structure trees too, so the whole PDF stays tagged (PDF/UA).
Page numbers cannot come from CSS when no chunk knows the others' length, so they are stamped
on the joined pages: "12 (340)" at the place the CSS margin box had them. The same HTML still
gives the same PDF bytes."""

from __future__ import annotations

import io
import multiprocessing
import os
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import DecodedStreamObject

CHUNK_MARK = "<!--ctc:page-break-->"
Printer = Callable[[list[str]], Iterable[bytes]]  # chunks' HTML in, their PDFs out, in order
_PRINTER: ContextVar[Printer | None] = ContextVar("ctc_pdf_printer", default=None)
# The page number as the stylesheet placed it: bottom right, 9 pt, grey, right edge at the right
# margin (20 mm), baseline in the middle of the bottom margin (22 mm) — A4 in points.
_RIGHT_EDGE = 595.28 - 20 / 25.4 * 72
_BASELINE = 22 / 25.4 * 72 / 2 - 3
_SIZE = 9
# Helvetica's widths (1/1000 em) for what a page number is made of: digits, space, parentheses.
_WIDTH = {**dict.fromkeys("0123456789", 556), " ": 278, "(": 333, ")": 333}
_NO_MARGIN_NUMBERS = "<style>@page { @bottom-right { content: none } }</style>"


def chunks(html: str, per_chunk: int) -> list[str]:
    """The document cut at its page-break marks into standalone documents of ``per_chunk``
    pieces each; every chunk has the head (styles) and none has page numbers of its own. The
    body's padding falls on the document's first and last page only, so a cut must not add it."""
    pieces = html.split(CHUNK_MARK)
    start = pieces[0].index("<body>") + len("<body>")
    groups = [pieces[i:i + per_chunk] for i in range(0, len(pieces), per_chunk)]
    out = []
    for n, group in enumerate(groups):
        first, last = n == 0, n == len(groups) - 1
        cut = "".join(("" if first else "padding-top: 0;", "" if last else "padding-bottom: 0;"))
        styles = _NO_MARGIN_NUMBERS + (f"<style>body {{ {cut} }}</style>" if cut else "")
        opening = pieces[0][:start].replace("</head>", styles + "</head>", 1)
        body = "".join(group)[start if first else 0:]
        out.append(opening + body + ("" if last else "</body></html>"))
    return out


def print_chunk(html: str) -> bytes:
    """One chunk laid out and written by WeasyPrint (which writes no creation date). Where the
    system has no HarfBuzz subsetter, WeasyPrint subsets the fonts with fontTools, which stamps
    each embedded font with the second it was written — unless SOURCE_DATE_EPOCH (the
    reproducible-builds convention fontTools follows) fixes it: so the same HTML gives the same
    bytes on any host and at any time, and chunks printed by several workers join into the PDF
    one host prints."""
    os.environ.setdefault("SOURCE_DATE_EPOCH", "0")
    import weasyprint  # loads Pango and fonts; only when a PDF is asked for

    # PDF/UA: a structure tree, the document's language and title — a published document under
    # the accessibility law, read aloud by a screen reader in the order it is printed
    result = weasyprint.HTML(string=html).write_pdf(pdf_variant="pdf/ua-1")
    assert result is not None
    return bytes(result)


@contextmanager
def chunks_printed_by(printer: Printer) -> Iterator[None]:
    """Inside the block, every PDF's chunks are printed by ``printer`` — a flow hands them to the
    workers of its pool — instead of by this host's processes."""
    token = _PRINTER.set(printer)
    try:
        yield
    finally:
        _PRINTER.reset(token)


def print_here(documents: list[str]) -> Iterator[bytes]:
    """The chunks printed on this host: one in this process, several over its cores."""
    if len(documents) == 1:
        yield print_chunk(documents[0])
        return
    # spawn, not fork: the caller may be a flow run with threads of its own
    workers = min(len(documents), os.cpu_count() or 1)
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn")) as pool:
        yield from pool.map(print_chunk, documents)


def pdf_from_html(html: str, per_chunk: int) -> bytes:
    """The whole document as one PDF with its pages numbered "n (total)", printed in chunks of
    ``per_chunk`` areas."""
    import pypdf

    printer = _PRINTER.get() or print_here
    printed = iter(printer(chunks(html, per_chunk)))
    # the first chunk whole (its structure tree, language, title and metadata), then each other
    # chunk's pages with its structure joined to the first's: tagged throughout, at any size
    writer = pypdf.PdfWriter(clone_from=pypdf.PdfReader(io.BytesIO(next(printed))))
    for more in printed:
        _append_tagged(writer, pypdf.PdfReader(io.BytesIO(more)))
    _number(writer)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _append_tagged(writer: PdfWriter, reader: PdfReader) -> None:
    """``reader``'s pages after ``writer``'s, its structure elements after the first document's
    (under its one Document element) and its marked content found through the joined parent
    tree: the keys a page (/StructParents) and a link (/StructParent) are looked up by are moved
    past the ones already used, so every page of the PDF reads aloud in the order it prints."""
    from pypdf.generic import ArrayObject, NameObject, NumberObject

    tree: Any = writer.root_object["/StructTreeRoot"].get_object()  # pypdf's objects are loosely typed
    document: Any = tree["/K"][0].get_object()
    nums: Any = tree["/ParentTree"].get_object()["/Nums"]
    offset = max((int(nums[i]) for i in range(0, len(nums), 2)), default=-1) + 1
    root: Any = reader.trailer["/Root"]
    theirs: Any = root["/StructTreeRoot"].get_object()
    for page in reader.pages:
        annotations: Any = page.get("/Annots", [])
        for link in annotations:
            annotation: Any = link.get_object()
            if "/StructParent" in annotation:
                annotation[NameObject("/StructParent")] = NumberObject(int(annotation["/StructParent"]) + offset)
    writer.append(reader)  # the pages first, so the elements cloned below point at the copies
    for theirs_page, copy in zip(reader.pages, writer.pages[-len(reader.pages):], strict=True):
        parents: Any = theirs_page.get("/StructParents")
        if parents is not None:  # not carried over by append
            copy[NameObject("/StructParents")] = NumberObject(int(parents) + offset)
    their_document = theirs["/K"][0].get_object()
    kids = their_document["/K"]
    kids = kids.get_object() if isinstance(kids.get_object(), ArrayObject) else ArrayObject([kids])
    for kid in kids:
        del kid.get_object()[NameObject("/P")]  # cloned alone, not up through their own root
    mine = document["/K"]
    for kid in kids:
        copied = kid.clone(writer)
        copied.get_object()[NameObject("/P")] = document.indirect_reference
        mine.append(copied.indirect_reference or copied)
    their_nums = theirs["/ParentTree"].get_object()["/Nums"]
    for i in range(0, len(their_nums), 2):
        nums.append(NumberObject(int(their_nums[i]) + offset))
        nums.append(their_nums[i + 1].clone(writer))
    if "/ParentTreeNextKey" in tree:
        tree[NameObject("/ParentTreeNextKey")] = NumberObject(int(nums[-2]) + 1)


def _number(writer: PdfWriter) -> None:
    from pypdf.generic import ArrayObject, DictionaryObject, NameObject

    font = writer._add_object(DictionaryObject({
        NameObject("/Type"): NameObject("/Font"), NameObject("/Subtype"): NameObject("/Type1"),
        NameObject("/BaseFont"): NameObject("/Helvetica"), NameObject("/Encoding"): NameObject("/WinAnsiEncoding")}))
    total = len(writer.pages)
    save, restore = writer._add_object(_stream(b"q")), writer._add_object(_stream(b"Q"))
    for number, page in enumerate(writer.pages, start=1):
        text = f"{number} ({total})"
        x = _RIGHT_EDGE - sum(_WIDTH[ch] for ch in text) * _SIZE / 1000
        shown = text.replace("(", "\\(").replace(")", "\\)")
        # an artifact: pagination, not content — outside the structure tree, skipped when read aloud
        stamp = _stream(f"/Artifact <</Type /Pagination>> BDC 0.333 g BT /CtcPageNumber {_SIZE} Tf "
                        f"{x:.2f} {_BASELINE:.2f} Td ({shown}) Tj ET EMC".encode())
        resources = page.setdefault(NameObject("/Resources"), DictionaryObject()).get_object()
        fonts = resources.setdefault(NameObject("/Font"), DictionaryObject()).get_object()
        fonts[NameObject("/CtcPageNumber")] = font
        contents = page["/Contents"]
        own = contents.get_object()
        drawn = list(own) if isinstance(own, ArrayObject) else [contents]
        # the page's own drawing between q … Q, so whatever transformation it leaves does not move the number
        page[NameObject("/Contents")] = ArrayObject([save, *drawn, restore, writer._add_object(stamp)])


def _stream(data: bytes) -> DecodedStreamObject:
    from pypdf.generic import DecodedStreamObject

    stream = DecodedStreamObject()
    stream.set_data(data)
    return stream
