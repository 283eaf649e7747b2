"""Citations of references in a CSL style (Vancouver, AMA, APA), formatted by citeproc-py.

The styles ship with the project (references/csl/) so that our pages do not change when
the styles package does. citeproc is slow (2 to 10 ms a reference and style), so no request
formats a reference: references.stored_citations formats each one in every style when it
is written and stores the result on the row. ``format_items`` (with a cache keyed on a hash
of exactly what is formatted) remains for what is not a stored reference.

Links (DOI, PubMed, URL) are left out of the formatted text: pages render them as links.

citeproc-py's HTML formatter does not escape the data it formats, only the style's own
text, so every string is escaped before it goes in, and the output is checked to contain
no markup but the formatter's own (<i>, <b>, ...) before it is marked safe.
"""

from __future__ import annotations

import datetime
import hashlib
import html
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from citeproc import (
    Citation,
    CitationItem,
    CitationStylesBibliography,
    CitationStylesStyle,
    formatter,
)
from citeproc import model as citeproc_model
from citeproc.source.json import CiteProcJSON
from django.core.cache import cache
from django.dispatch import Signal
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from .exporters import to_csl_items

CSL_DIR = Path(__file__).resolve().parent / "csl"
# Bump to invalidate every cached citation (a new style file, a fix below).
FORMAT_VERSION = 1
CACHE_TIMEOUT = 60 * 60 * 24 * 30

# Sent with ``reference_ids`` when references were changed by a bulk write that sends no
# post_save (references_upsert): pages showing their citations must be rendered again.
# evidence/receivers.py listens, as references never imports the apps above it.
citations_changed = Signal()


@dataclass(frozen=True)
class CitationStyle:
    key: str
    label: str
    filename: str
    numeric: bool  # the style numbers its entries; our pages number them instead
    minimal_pages: bool = False  # page-range-format="minimal"

    @property
    def path(self) -> Path:
        return CSL_DIR / self.filename


STYLES: dict[str, CitationStyle] = {
    style.key: style
    for style in (
        CitationStyle(
            "vancouver", "Vancouver", "nlm-citation-sequence.csl", numeric=True, minimal_pages=True
        ),
        CitationStyle("ama", "AMA", "american-medical-association.csl", numeric=True),
        CitationStyle("apa", "APA", "apa.csl", numeric=False),
    )
}
DEFAULT_STYLE = "vancouver"


def citation_style(key: str | None) -> CitationStyle:
    """The style named ``key``, or the default (Vancouver) for anything else."""
    return STYLES.get((key or "").strip().lower(), STYLES[DEFAULT_STYLE])


@lru_cache(maxsize=len(STYLES))
def _parsed_style(key: str) -> CitationStylesStyle:
    return CitationStylesStyle(str(STYLES[key].path), validate=False)


# citeproc-py spends half its time re-running the same XPath searches (macros, terms,
# ancestors) over the style trees, which never change once parsed. Remembering the answers
# per (element, expression) makes formatting about three times faster with the same output
# (tests/references/test_stored_citations.py compares). The memo holds the elements, so
# lxml keeps handing out the same proxy objects and the keys stay valid; it is bounded by
# the size of the three styles (a few hundred entries).
_XPATH_MEMO: dict[tuple[Any, str], list[Any]] = {}


def _memoised_xpath_search(self: Any, expression: str) -> list[Any]:
    key = (self, expression)
    found = _XPATH_MEMO.get(key)
    if found is None:
        found = _XPATH_MEMO[key] = self.xpath(expression, namespaces=self.nsmap)
    return list(found)


citeproc_model.CitationStylesElement.xpath_search = _memoised_xpath_search


# --- CSL-JSON items for citing ------------------------------------------------------------

_LINK_FIELDS = ("DOI", "PMID", "PMCID", "URL", "abstract", "note")
_ET_AL_NAMES = {"et al", "and others", "others"}
ET_AL = "et al."
# A dash citeproc does not split page ranges on; see _page_range.
_RANGE_PLACEHOLDER = "\u2012"


def _one_line(value: Any) -> str:
    return " ".join(str(value or "").split())


def _given(author: Mapping[str, Any]) -> str:
    """The given name, else the initials spelled out ("ED" -> "E. D.") so that styles
    that initialise names keep every initial."""
    given = _one_line(author.get("given"))
    if given:
        return given
    initials = _one_line(author.get("initials")).replace(".", "").replace(" ", "")
    return " ".join(f"{letter}." for letter in initials)


def _names(authors: Sequence[Any]) -> list[dict[str, str]]:
    names: list[dict[str, str]] = []
    truncated = False
    for author in authors or []:
        if not isinstance(author, Mapping):
            author = {"collective": str(author)}
        collective = _one_line(author.get("collective"))
        family = _one_line(author.get("family"))
        if (collective or family).lower().rstrip(".") in _ET_AL_NAMES:
            truncated = True
            continue
        if collective:
            names.append({"literal": collective})
        elif family:
            name = {
                "family": family,
                "given": _given(author),
                "suffix": _one_line(author.get("suffix")),
            }
            names.append({key: value for key, value in name.items() if value})
    # The source listed only the first authors: say so rather than imply a complete list.
    if truncated and names:
        names.append({"literal": ET_AL})
    return names


def citation_item(reference: Any) -> dict[str, Any]:
    """The CSL-JSON item to cite ``reference`` by: the export item without its links,
    with initials kept and a truncated author list marked "et al."."""
    item = to_csl_items([reference])[0]
    for key in _LINK_FIELDS:
        item.pop(key, None)
    item["id"] = "item"
    names = _names(reference.authors)
    if names:
        item["author"] = names
    else:
        item.pop("author", None)
    return item


def page_item(
    *, title: str, url: str, reviewed_on: datetime.date | None, accessed_on: datetime.date
) -> dict[str, Any]:
    """A page of this site as a CSL-JSON web page, dated by its last review."""
    item: dict[str, Any] = {
        "id": "item",
        "type": "webpage",
        "title": title,
        "author": [{"literal": "Evidentia"}],
        "publisher": "Evidentia",
        "URL": url,
        "accessed": {"date-parts": [[accessed_on.year, accessed_on.month, accessed_on.day]]},
    }
    if reviewed_on:
        item["issued"] = {"date-parts": [[reviewed_on.year, reviewed_on.month, reviewed_on.day]]}
    return item


# --- Formatting ---------------------------------------------------------------------------


@dataclass(frozen=True)
class FormattedCitation:
    html: SafeString
    text: str  # the same citation without markup, e.g. for a title attribute or a test


def format_items(
    items: Sequence[Mapping[str, Any]], *, style: CitationStyle
) -> list[FormattedCitation]:
    """Format CSL-JSON items, each on its own (our pages number them), through the cache.

    One cache round trip for the lot; only the misses go through citeproc.
    """
    keys = [_cache_key(item, style) for item in items]
    cached = cache.get_many(keys)
    results: list[FormattedCitation] = []
    missing: dict[str, str] = {}
    for key, item in zip(keys, items, strict=True):
        markup = cached.get(key) or missing.get(key)
        if markup is None:
            markup = missing[key] = _format_item(item, style)
        results.append(_formatted(markup))
    if missing:
        cache.set_many(missing, CACHE_TIMEOUT)
    return results


def format_references(
    references: Iterable[Any], *, style: CitationStyle
) -> list[FormattedCitation]:
    """Format references (anything shaped like references.Reference) in ``style``."""
    return format_items([citation_item(reference) for reference in references], style=style)


def _cache_key(item: Mapping[str, Any], style: CitationStyle) -> str:
    payload = json.dumps(item, sort_keys=True, ensure_ascii=False, default=str)
    digest = hashlib.sha256(payload.encode()).hexdigest()[:40]
    return f"csl:{FORMAT_VERSION}:{style.key}:{digest}"


def _formatted(markup: str) -> FormattedCitation:
    text = html.unescape(_TAG_RE.sub("", markup))
    return FormattedCitation(html=mark_safe(markup), text=text)  # noqa: S308 - checked in _format_item


def _escaped(value: Any) -> Any:
    if isinstance(value, str):
        return html.escape(value, quote=False)
    if isinstance(value, Mapping):
        return {key: _escaped(inner) for key, inner in value.items()}
    if isinstance(value, list):
        return [_escaped(inner) for inner in value]
    return value


def _page_range(item: dict[str, Any], style: CitationStyle) -> None:
    # citeproc-py shortens "1-10" to "1–0" under page-range-format="minimal" (it assumes
    # the last page is no longer than the first): hand such ranges over unsplittable.
    start, sep, end = str(item.get("page", "")).partition("-")
    if style.minimal_pages and start.isdigit() and end.isdigit() and len(end) > len(start):
        item["page"] = f"{start}{_RANGE_PLACEHOLDER}{end}"


def _format_item(item: Mapping[str, Any], style: CitationStyle) -> str:
    """The item as HTML: escaped data in the style's markup, numbering removed."""
    prepared = _escaped(dict(item))
    _page_range(prepared, style)
    bibliography = CitationStylesBibliography(
        _parsed_style(style.key), CiteProcJSON([prepared]), formatter.html
    )
    bibliography.register(Citation([CitationItem(prepared["id"])]))
    markup = str(bibliography.bibliography()[0])
    markup = _tidy(markup, style)
    if "author" not in prepared and prepared.get("title"):
        markup = _drop_repeated_title(markup, prepared["title"])
    if not _only_formatter_markup(markup):
        # Belt and braces: should anything unexpected survive, show the text, escaped.
        markup = escape(html.unescape(_TAG_RE.sub("", markup)))
    return markup


_TAG_RE = re.compile(r"<[^>]*>")
_ALLOWED_TAG_RE = re.compile(r"</?(?:i|b|u|sup|sub)>|<span class=\"small-caps\">|</span>")
_LEADING_NUMBER_RE = re.compile(r"^\s*1\.\s*")
_MONTHS = "Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec"
# citeproc-py drops the spaces between date parts that NLM's locale asks for: "2026Nov22".
_RUN_TOGETHER_DATE_RE = re.compile(rf"\b(\d{{4}})({_MONTHS})(\d{{1,2}})?\b")
_APA_ET_AL_RE = re.compile(rf",? &amp; {re.escape(ET_AL)}")


def _tidy(markup: str, style: CitationStyle) -> str:
    markup = markup.replace(_RANGE_PLACEHOLDER, "\u2013")
    markup = markup.replace('<span style="font-variant:small-caps;">', '<span class="small-caps">')
    if style.numeric:
        markup = _LEADING_NUMBER_RE.sub("", markup)
    markup = _RUN_TOGETHER_DATE_RE.sub(
        lambda m: " ".join(part for part in m.groups() if part), markup
    )
    # APA joins the last name with "&"; "& et al." reads wrong for a truncated list.
    markup = _APA_ET_AL_RE.sub(f", {ET_AL}", markup)
    return markup.strip()


def _drop_repeated_title(markup: str, title: str) -> str:
    # With no author, AMA and APA put the title in the author's place; citeproc-py then
    # prints it a second time where the title goes, which the CSL specification forbids.
    pattern = re.compile(rf"(?:<i>)?{re.escape(title.strip())}(?:</i>)?\.?\s*")
    matches = list(pattern.finditer(markup))
    if len(matches) < 2:
        return markup
    second = matches[1]
    return (markup[: second.start()] + markup[second.end() :]).strip()


def _only_formatter_markup(markup: str) -> bool:
    rest = _ALLOWED_TAG_RE.sub("", markup)
    return "<" not in rest and ">" not in rest
