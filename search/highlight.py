"""Search-result highlighting: matched words wrapped in <mark>, everything else escaped.

Matching runs on the raw text; the text is then rebuilt from escaped pieces, with <mark>
only ever placed around an escaped piece. Highlighting the already-escaped string instead
could split an entity ("&amp;" for the query "amp") or match inside one.

A word matches a query term when it starts with the term (stems: "immunoglobulins" for
"immunoglobulin"), or, for terms of four letters or more, when it is within a typo of it
("rheumatiod" marks "rheumatoid"), as trigram search on PostgreSQL would find it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from difflib import SequenceMatcher

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

WORD_RE = re.compile(r"\w+", re.UNICODE)
TYPO_RATIO = 0.8


def _tokens(terms: Sequence[str]) -> list[str]:
    tokens = []
    for term in terms:
        tokens.extend(token.casefold() for token in WORD_RE.findall(term))
    return [token for token in dict.fromkeys(tokens) if token]


def _matches(word: str, tokens: Sequence[str]) -> bool:
    folded = word.casefold()
    for token in tokens:
        if len(token) < 3:
            if folded == token:
                return True
        elif folded.startswith(token):
            return True
        elif len(token) >= 4 and SequenceMatcher(None, folded, token).ratio() >= TYPO_RATIO:
            return True
    return False


def match_spans(text: str, terms: Sequence[str]) -> list[tuple[int, int]]:
    tokens = _tokens(terms)
    if not tokens:
        return []
    return [(m.start(), m.end()) for m in WORD_RE.finditer(text) if _matches(m.group(), tokens)]


def highlight(text: object, terms: Sequence[str], *, limit: int | None = None) -> SafeString:
    """``text`` escaped, matched words in <mark>; cut to about ``limit`` characters around
    the first match when it is longer."""
    raw = " ".join(str(text or "").split())
    spans = match_spans(raw, terms)
    start, end = 0, len(raw)
    if limit and len(raw) > limit:
        first = spans[0][0] if spans else 0
        start = max(0, first - limit // 3)
        if start:
            space = raw.find(" ", start)
            start = space + 1 if 0 <= space < first else start
        end = min(len(raw), start + limit)
        if end < len(raw):
            space = raw.rfind(" ", start, end)
            end = space if space > start else end
    pieces = ["…" if start else ""]
    cursor = start
    for span_start, span_end in spans:
        if span_start < start or span_end > end:
            continue
        pieces.append(escape(raw[cursor:span_start]))
        pieces.append(f"<mark>{escape(raw[span_start:span_end])}</mark>")
        cursor = span_end
    pieces.append(escape(raw[cursor:end]))
    if end < len(raw):
        pieces.append("…")
    return mark_safe("".join(pieces))  # noqa: S308 - every piece of the text is escaped
