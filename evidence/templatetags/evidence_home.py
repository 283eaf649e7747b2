"""The home page's matrix rows, ``{% matrix_rows index %}``: hundreds of cells written in
one pass of Python, the HTML the template loop they replace wrote, byte for byte."""

from django import template
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

from .evidence_charts import certainty_glyph

register = template.Library()


def _cell(cell) -> str:
    name = conditional_escape(cell.therapy.name)
    verdict = cell.verdict
    if not verdict:
        return (
            f'\n        <td data-label="{name}"><span class="note">No verdict</span></td>\n        '
        )
    status = conditional_escape(verdict.status)
    certainty = conditional_escape(verdict.certainty)
    return (
        f'\n        <td data-label="{name}"><a class="matrix__cell" '
        f'href="{conditional_escape(cell.url)}"><span class="badge badge--status '
        f'badge--{status}">{conditional_escape(verdict.get_status_display())}</span>\n'
        f'          <span class="certainty certainty--{certainty}">'
        f"{certainty_glyph(verdict.certainty)} "
        f"{conditional_escape(verdict.get_certainty_display())}"
        '<span class="visually-hidden"> certainty</span></span></a></td>\n        '
    )


@register.simple_tag
def matrix_rows(index) -> SafeString:
    parts = []
    for row in index.matrix:
        condition = row.condition
        parts.append(
            "\n      <tr>\n"
            f'        <th scope="row" class="matrix__condition '
            f'matrix__condition--depth-{row.depth}"><a '
            f'href="{conditional_escape(condition.page_url)}">'
            f"{conditional_escape(condition.name)}</a></th>\n        "
        )
        parts.extend(_cell(cell) for cell in row.cells)
        parts.append("\n      </tr>\n      ")
    return mark_safe("".join(parts))  # noqa: S308 - every value above is escaped


def _count(n: int) -> str:
    return f'<span class="count">({n} verdict{"" if n == 1 else "s"})</span>'


@register.simple_tag
def condition_tree(nodes) -> SafeString:
    """The conditions as nested lists, each with its verdicts counted."""
    parts = ['<ul class="tree">\n  ']
    for node in nodes:
        condition = node.condition
        children = condition_tree(node.children) if node.children else ""
        parts.append(
            f'\n  <li><a href="{conditional_escape(condition.page_url)}">'
            f"{conditional_escape(condition.name)}</a>\n"
            f"    {_count(condition.verdict_count)}\n"
            f"    {children}\n  </li>\n  "
        )
    parts.append("\n</ul>\n")
    return mark_safe("".join(parts))  # noqa: S308 - every value above is escaped


@register.simple_tag
def therapy_items(therapies) -> SafeString:
    """The therapies' list items, each with its verdicts counted."""
    return mark_safe(  # noqa: S308 - every value below is escaped
        "".join(
            f'\n      <li><a href="{conditional_escape(therapy.page_url)}">'
            f"{conditional_escape(therapy.name)}</a>\n"
            f"        {_count(therapy.verdict_count)}</li>\n      "
            for therapy in therapies
        )
    )
