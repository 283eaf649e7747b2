"""Numbered markup payloads for text fields, and finding them (escaped or not) in a page.

Each text field gets its own numbered payload, so a page that shows it escaped can be
traced back to the field, and a raw one names the field that leaked.
"""

from __future__ import annotations

import itertools
import re

from django.db import models

# The long payload for fields that can hold it, a short one for the rest (volume, pages).
LONG = "<script>alert({n})</script><img src=x onerror=alert({n})>\"'&"
SHORT = "<u class=x>{n}</u>\"'&"
# What must never appear in a page: the markup of either payload, unescaped.
RAW = re.compile(r"<script>alert\(\d+\)</script>|<img src=x onerror=|<u class=x>\d+</u>")
# The same payloads escaped: the number says which field it came from.
ESCAPED = re.compile(r"&lt;script&gt;alert\((\d+)\)|&lt;u class=x&gt;(\d+)")
# Fields that are identifiers, slugs or keys: a payload there is a different test.
SKIP_FIELDS = {"doi", "pmid", "pmcid", "slug", "url", "content_type", "kind", "file_format"}


class Payloads:
    """Hands out numbered payloads and remembers which field got which number."""

    def __init__(self) -> None:
        self._numbers = itertools.count(1)
        self.fields: dict[int, str] = {}

    def __call__(self, label: str, max_length: int | None = None) -> str:
        n = next(self._numbers)
        self.fields[n] = label
        text = LONG.format(n=n)
        return text if max_length is None or len(text) <= max_length else SHORT.format(n=n)

    def fill(self, model: type[models.Model], **fixed) -> dict:
        """A payload for every free-text field of ``model`` (choices and keys left out)."""
        values = {}
        for field in model._meta.concrete_fields:
            if field.name in fixed or field.name in SKIP_FIELDS or field.choices:
                continue
            if isinstance(field, models.CharField | models.TextField):
                values[field.name] = self(f"{model.__name__}.{field.name}", field.max_length)
        return {**values, **fixed}

    def shown(self, html: str) -> set[str]:
        """The fields whose payload appears (escaped) in ``html``."""
        numbers = {int(a or b) for a, b in ESCAPED.findall(html)}
        return {self.fields[n] for n in numbers if n in self.fields}


def raw_payloads(html: str) -> list[str]:
    """Each unescaped payload in ``html`` with some context, for the failure message."""
    return [html[max(0, m.start() - 80) : m.end() + 20] for m in RAW.finditer(html)]
