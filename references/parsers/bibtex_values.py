"""BibTeX field values as BibTeX reads them: macros, ``#`` concatenation, inheritance.

bibtexparser 2's ResolveStringReferencesMiddleware only replaces a value that is
wholly one macro name, and it has no crossref support, so a title written
``cool # " " # stuff`` or a child entry's missing year would reach the records as
written. Values are therefore taken raw from the splitter (no parse stack) and
evaluated here: quoted and braced parts, numbers and macro names joined by ``#``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

# BibTeX's standard styles define the month macros; @string definitions may override.
MONTH_MACROS = {
    m[:3]: m
    for m in (
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    )
}
_MACRO_STOP = frozenset(' \t\r\n#{}"')
# Fields a child never takes from its parent (BibLaTeX's default inheritance rules):
# the parent's own titles and the bookkeeping that ties entries together.
_NOT_INHERITED = frozenset(
    (
        "title",
        "subtitle",
        "titleaddon",
        "shorttitle",
        "sorttitle",
        "indextitle",
        "indexsorttitle",
        "crossref",
        "xref",
        "xdata",
        "entryset",
        "ids",
        "label",
        "shorthand",
        "sortkey",
        "related",
    )
)
_BOOK_PARENTS = frozenset(
    ("book", "mvbook", "collection", "mvcollection", "reference", "mvreference", "proceedings")
)
_BOOK_PARENTS |= {"mvproceedings"}
_CONTAINED = frozenset(
    ("inbook", "incollection", "inproceedings", "conference", "bookinbook", "suppbook")
)
_MAX_DEPTH = 8


def _closing_brace(text: str, start: int) -> int:
    """Index of the ``}`` closing the ``{`` at ``start``, or -1 when it is never closed."""
    depth = 0
    index = start
    while index < len(text):
        char = text[index]
        if char == "\\":
            index += 2
            continue
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth == 0:
                return index
        index += 1
    return -1


def _closing_quote(text: str, start: int) -> int:
    """Index of the ``"`` closing the one at ``start``; quotes inside braces do not count."""
    depth = 0
    index = start + 1
    while index < len(text):
        char = text[index]
        if char == "\\":
            index += 2
            continue
        if char == "{":
            depth += 1
        elif char == "}":
            depth = max(depth - 1, 0)
        elif char == '"' and depth == 0:
            return index
        index += 1
    return -1


def _parts(raw: str, macros: Mapping[str, str]) -> list[str] | None:
    """The pieces of a ``#``-joined value, each evaluated; None when it is malformed."""
    pieces: list[str] = []
    index, length = 0, len(raw)
    while True:
        while index < length and raw[index].isspace():
            index += 1
        if index >= length:
            return None
        char = raw[index]
        if char in '{"':
            end = _closing_brace(raw, index) if char == "{" else _closing_quote(raw, index)
            if end < 0:
                return None
            pieces.append(raw[index + 1 : end])
            index = end + 1
        else:
            end = index
            while end < length and raw[end] not in _MACRO_STOP:
                end += 1
            if end == index:
                return None
            name = raw[index:end]
            # An undefined macro: BibTeX warns and reads nothing; its name is kept,
            # as it is often the value itself (``publisher = Springer``).
            pieces.append(name if name.isdigit() else macros.get(name.lower(), name))
            index = end
        while index < length and raw[index].isspace():
            index += 1
        if index >= length:
            return pieces
        if raw[index] != "#":
            return None
        index += 1


def evaluate(raw: object, macros: Mapping[str, str]) -> str:
    """A raw field value (``{a}``, ``"a"``, ``42``, ``jan``, ``a # " " # {b}``) as text."""
    text = str(raw or "").strip()
    if not text:
        return ""
    if text[0] == "{" and _closing_brace(text, 0) == len(text) - 1:
        return text[1:-1]  # the common case: one braced value
    pieces = _parts(text, macros)
    if pieces is None:
        # Malformed beyond what BibTeX accepts: keep the words rather than lose them.
        return text.strip('{}"')
    return "".join(pieces)


def resolve_strings(strings: Iterable[tuple[str, str]]) -> dict[str, str]:
    """The macro table: month macros, then each @string in file order (may use earlier ones)."""
    macros: dict[str, str] = dict(MONTH_MACROS)
    for key, raw in strings:
        macros[key.strip().lower()] = evaluate(raw, macros)
    return macros


def _keys(value: str) -> list[str]:
    return [key.strip().lower() for key in value.split(",") if key.strip()]


def _inherit_from(
    child: dict[str, str],
    kind: str,
    parent: dict[str, str],
    parent_kind: str,
) -> None:
    for name, value in parent.items():
        if name not in _NOT_INHERITED and name not in child:
            child[name] = value
    parent_title = parent.get("title")
    if not parent_title:
        return
    if parent_kind in _BOOK_PARENTS and kind in _CONTAINED:
        child.setdefault("booktitle", parent_title)
    elif parent_kind == "periodical" and "journal" not in child:
        child.setdefault("journaltitle", parent_title)


def _resolve(
    kind: str,
    fields: dict[str, str],
    parents: Mapping[str, tuple[str, dict[str, str]]],
    active: tuple[int, ...] = (),
) -> None:
    if id(fields) in active or len(active) > _MAX_DEPTH:
        return
    active += (id(fields),)
    # xdata first: it is data of the entry itself, while crossref fills what is still missing.
    links = [(name, False) for name in _keys(fields.get("xdata", ""))]
    links += [(name, True) for name in _keys(fields.get("crossref", ""))[:1]]
    for name, is_crossref in links:
        if name not in parents:
            continue
        parent_kind, parent_fields = parents[name]
        _resolve(parent_kind, parent_fields, parents, active)
        if is_crossref:
            _inherit_from(fields, kind, parent_fields, parent_kind)
        else:
            for field_name, value in parent_fields.items():
                if field_name not in ("xdata", "crossref"):
                    fields.setdefault(field_name, value)


def inherit(entries: Sequence[tuple[str, str, dict[str, str]]]) -> None:
    """Fill each entry's missing fields from its ``xdata`` and ``crossref`` parents, in place.

    ``entries`` are (citation key, entry type, evaluated fields). For a crossref, a
    parent book's or proceedings' title becomes the child's ``booktitle``. Keys are
    matched without regard to case, the first entry of a key wins; cycles and chains
    deeper than a few links are cut. Resolving again is harmless: only missing fields
    are filled.
    """
    parents: dict[str, tuple[str, dict[str, str]]] = {}
    for key, kind, fields in entries:
        parents.setdefault(key.strip().lower(), (kind, fields))
    for _key, kind, fields in entries:
        if "crossref" in fields or "xdata" in fields:
            _resolve(kind, fields, parents)
