"""The one way XML from outside is parsed: no entity expansion, no DTD, no network.

Upstream XML (PubMed efetch, Crossref JATS abstracts, uploaded files) is untrusted.
Every lxml parse in references/parsers goes through the options below, and a
document whose DOCTYPE declares entities (billion laughs, XXE) is refused outright
rather than parsed with the entities left in: a real PubMed answer never declares one.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Iterator

from lxml import etree

from .records import ParseError

__all__ = [
    "MAX_XML_BYTES",
    "PARSER_OPTIONS",
    "check_doctype",
    "check_input",
    "iterparse",
    "make_parser",
    "parse_bytes",
]

# An efetch answer of 10,000 records is ~100 MB; anything bigger is not a PubMed batch.
MAX_XML_BYTES = 200 * 1024 * 1024

PARSER_OPTIONS: dict[str, bool] = {
    "resolve_entities": False,
    "no_network": True,
    "load_dtd": False,
    "dtd_validation": False,
    "huge_tree": False,
    "remove_comments": True,
    "remove_pis": True,
}

_NON_SPACE = re.compile(rb"\S")
_ENTITY_DECL = re.compile(rb"<!ENTITY\s+(?:%\s+)?([^\s\"'>]+)")
_HTML_START = re.compile(
    rb"^\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body)\b", re.I | re.S
)


def make_parser(**overrides: bool) -> etree.XMLParser:
    """A fresh lxml parser with the safe options (parsers are not thread-safe: one per use)."""
    options = {**PARSER_OPTIONS, **overrides, "resolve_entities": False, "no_network": True}
    options["load_dtd"] = False
    options["huge_tree"] = False
    return etree.XMLParser(**options)


def check_input(data: bytes, *, max_bytes: int = MAX_XML_BYTES, what: str = "XML") -> None:
    """Refuse inputs that are empty, too large, or an HTML page where XML was expected."""
    if not isinstance(data, bytes | bytearray | memoryview):
        raise ParseError(f"{what} must be bytes, got {type(data).__name__}")
    if len(data) > max_bytes:
        raise ParseError(f"{what} is too large: {len(data):,} bytes (limit {max_bytes:,})")
    if _NON_SPACE.search(data) is None:
        raise ParseError(f"{what} is empty")
    if _HTML_START.match(bytes(data[:4096])):
        raise ParseError(f"expected {what}, got an HTML page (an error page from the server?)")
    entity = _declared_entity(bytes(data[:65536]))
    if entity is not None:
        raise ParseError(
            f"{what} declares entity {entity!r} in its DOCTYPE; entity declarations are "
            "refused (entity expansion and external entities are unsafe)"
        )


def _declared_entity(head: bytes) -> str | None:
    """A cheap look at the DOCTYPE's internal subset before libxml2 sees the document.

    check_doctype, after parsing, is the authoritative check; this one means an entity
    bomb is refused without being handed to the parser at all.
    """
    doctype = head.find(b"<!DOCTYPE")
    if doctype < 0:
        return None
    subset = head.find(b"[", doctype)
    close = head.find(b">", doctype)
    if subset < 0 or (0 <= close < subset):
        return None
    end = head.find(b"]", subset)
    match = _ENTITY_DECL.search(head, subset, end if end >= 0 else len(head))
    return match.group(1).decode("utf-8", "replace") if match else None


def check_doctype(tree: etree._ElementTree) -> None:
    """Refuse a document whose internal DTD subset declares any entity."""
    dtd = tree.docinfo.internalDTD
    if dtd is None:
        return
    for entity in dtd.iterentities():
        raise ParseError(
            f"XML declares entity {entity.name!r} in its DOCTYPE; entity declarations are "
            "refused (entity expansion and external entities are unsafe)"
        )


def _syntax_error(exc: etree.XMLSyntaxError, what: str) -> ParseError:
    message = str(exc.msg if getattr(exc, "msg", None) else exc)
    if "amplification" in message or "entity" in message.lower():
        return ParseError(f"{what} refused: {message}", line=exc.lineno)
    return ParseError(f"{what} is not well-formed (truncated?): {message}", line=exc.lineno)


def parse_bytes(
    data: bytes, *, max_bytes: int = MAX_XML_BYTES, what: str = "XML"
) -> etree._Element:
    """Parse a whole document safely and return its root element."""
    check_input(data, max_bytes=max_bytes, what=what)
    try:
        root = etree.fromstring(bytes(data), make_parser())
    except etree.XMLSyntaxError as exc:
        raise _syntax_error(exc, what) from None
    if root is None:
        raise ParseError(f"{what} has no root element")
    check_doctype(root.getroottree())
    return root


class iterparse:  # noqa: N801 - used like lxml's etree.iterparse
    """Iterate over (event, element) safely; the DOCTYPE is checked before the first yield.

    ``root`` is the document element once iteration has started (also when no
    element matched ``tag``). Callers clear elements they are done with so memory
    stays flat on large batches.
    """

    def __init__(
        self,
        data: bytes,
        *,
        tag: str | Iterable[str] | None = None,
        events: tuple[str, ...] = ("end",),
        max_bytes: int = MAX_XML_BYTES,
        what: str = "XML",
    ) -> None:
        check_input(data, max_bytes=max_bytes, what=what)
        self.what = what
        self._context = etree.iterparse(
            io.BytesIO(bytes(data)), events=events, tag=tag, **PARSER_OPTIONS
        )

    @property
    def root(self) -> etree._Element | None:
        return self._context.root

    def __iter__(self) -> Iterator[tuple[str, etree._Element]]:
        checked = False
        try:
            for event, element in self._context:
                if not checked:
                    check_doctype(element.getroottree())
                    checked = True
                yield event, element
        except etree.XMLSyntaxError as exc:
            raise _syntax_error(exc, self.what) from None
        if self._context.root is None:
            raise ParseError(f"{self.what} has no root element")
        if not checked:
            check_doctype(self._context.root.getroottree())
