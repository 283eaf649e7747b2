"""Paging the study table of a pair: the page a request asks for, and its links."""

import re
from dataclasses import dataclass

from django.http import Http404

STUDIES_PER_PAGE = 50


@dataclass(frozen=True)
class StudyPage:
    number: int
    page_count: int
    total: int
    per_page: int = STUDIES_PER_PAGE

    @property
    def first(self) -> int:
        return (self.number - 1) * self.per_page + 1 if self.total else 0

    @property
    def last(self) -> int:
        return min(self.number * self.per_page, self.total)

    @property
    def is_paginated(self) -> bool:
        return self.page_count > 1

    @property
    def previous(self) -> int | None:
        return self.number - 1 if self.number > 1 else None

    @property
    def next(self) -> int | None:
        return self.number + 1 if self.number < self.page_count else None

    @property
    def numbers(self) -> list[int | None]:
        """Page links: the first, the last and two either side of this one (None: a gap)."""
        wanted = {1, self.page_count, *range(self.number - 2, self.number + 3)}
        shown = sorted(n for n in wanted if 1 <= n <= self.page_count)
        links: list[int | None] = []
        for n in shown:
            if links and n - (links[-1] or 0) > 1:
                links.append(None)
            links.append(n)
        return links


PAGE_NUMBER = re.compile(r"[0-9]{1,9}")


def page_number(value: str | None, *, allow_blank: bool = True) -> int:
    """The ?page= value as a number; Http404 naming the problem for anything else."""
    if value in (None, "") and allow_blank:
        return 1
    # ASCII digits only, and few enough of them: "²" is a digit to str.isdigit() but not
    # to int(), and int() refuses more than 4,300 digits.
    text = str(value)
    if not PAGE_NUMBER.fullmatch(text) or int(text) < 1:
        shown = text if len(text) <= 20 else f"{text[:20]}…"
        raise Http404(f"Page {shown!r} is not a page number: pages are numbered from 1.")
    return int(text)
