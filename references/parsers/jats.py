"""JATS and inline-markup fragments (Crossref abstracts and titles) to plain text.

Crossref returns abstracts as JATS fragments with undeclared ``jats:`` prefixes
and titles with ``<i>``/``<sub>``/MathML inline. The fragment is wrapped in an
element declaring the usual prefixes and parsed with the safe parser; if it is not
well-formed XML (stray ``&nbsp;``, unbalanced tags) tags are stripped by pattern
instead, so text is never lost.
"""

from __future__ import annotations

import html
import re

from lxml import etree

from . import xmlsafe

__all__ = ["jats_abstract", "markup_to_text", "normalise_space"]

_WS = re.compile(r"\s+")
# Only what looks like a tag: "p < 0.05 and q > 1" in a broken fragment is text.
_TAG = re.compile(r"</?[A-Za-z][\w:.-]*(?:\s[^<>]*)?/?>")
_BLOCK_TAG = re.compile(r"</?(?:jats:)?(?:p|sec|title|list-item|break)\b[^<>]*>", re.I)
_WRAP_OPEN = (
    b'<wrap xmlns:jats="http://www.ncbi.nlm.nih.gov/JATS1"'
    b' xmlns:mml="http://www.w3.org/1998/Math/MathML"'
    b' xmlns:xlink="http://www.w3.org/1999/xlink"'
    b' xmlns:ali="http://www.niso.org/schemas/ali/1.0/">'
)
_WRAP_CLOSE = b"</wrap>"
_MAX_FRAGMENT = 2 * 1024 * 1024
_HEADINGS_DROPPED = {"abstract", "summary", "graphical abstract"}
_BLOCKS = {"p", "list", "list-item", "disp-quote", "boxed-text", "def-list", "table-wrap"}


def normalise_space(text: str) -> str:
    return _WS.sub(" ", text).strip()


def _parse_fragment(fragment: str) -> etree._Element | None:
    if "<" not in fragment:
        return None
    data = _WRAP_OPEN + fragment.encode("utf-8") + _WRAP_CLOSE
    try:
        return xmlsafe.parse_bytes(data, max_bytes=_MAX_FRAGMENT, what="markup")
    except xmlsafe.ParseError:
        return None


def _local(tag: object) -> str:
    if not isinstance(tag, str):
        return ""
    return tag.rsplit("}", 1)[-1].lower()


def markup_to_text(fragment: str | None) -> str:
    """Inline markup to text: ``vitamin D<sub>3</sub>`` -> ``vitamin D3``; whitespace collapsed."""
    if not fragment:
        return ""
    root = _parse_fragment(fragment)
    if root is None:
        return normalise_space(html.unescape(_TAG.sub("", fragment)))
    return normalise_space("".join(root.itertext()))


def _fallback_paragraphs(fragment: str) -> list[str]:
    text = _BLOCK_TAG.sub("\n\n", fragment)
    text = html.unescape(_TAG.sub("", text))
    return [normalise_space(p) for p in re.split(r"\n\s*\n", text) if normalise_space(p)]


def jats_abstract(fragment: str | None) -> tuple[str, list[tuple[str, str]]]:
    """A JATS abstract to (plain text, sections).

    Sections (``<jats:sec>`` with a ``<jats:title>``) become ``("Title", text)`` and
    the plain text joins them as "Title: text" paragraphs separated by blank lines.
    A leading "Abstract" heading is dropped.
    """
    if not fragment or not fragment.strip():
        return "", []
    root = _parse_fragment(fragment)
    if root is None:
        paragraphs = _fallback_paragraphs(fragment)
        if paragraphs and paragraphs[0].lower() in _HEADINGS_DROPPED:
            paragraphs = paragraphs[1:]
        return "\n\n".join(paragraphs), []

    sections: list[tuple[str, str]] = []
    paragraphs: list[str] = []
    inline: list[str] = [root.text or ""]

    def flush() -> None:
        text = normalise_space("".join(inline))
        if text:
            paragraphs.append(text)
        inline.clear()

    for child in root:
        name = _local(child.tag)
        if name == "sec":
            flush()
            title_el = next((c for c in child if _local(c.tag) == "title"), None)
            label = normalise_space("".join(title_el.itertext())) if title_el is not None else ""
            body = [normalise_space("".join(c.itertext())) for c in child if c is not title_el]
            text = " ".join(b for b in body if b)
            if text or label:
                sections.append((label, text))
                paragraphs.append(f"{label}: {text}" if label and text else label or text)
        elif name == "title":
            flush()
            label = normalise_space("".join(child.itertext()))
            if label and label.lower() not in _HEADINGS_DROPPED:
                paragraphs.append(label)
        elif name in _BLOCKS:
            flush()
            text = normalise_space("".join(child.itertext()))
            if text:
                paragraphs.append(text)
        else:
            inline.append("".join(child.itertext()))
        inline.append(child.tail or "")
    flush()
    return "\n\n".join(paragraphs), sections
