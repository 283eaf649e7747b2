"""The pair page's study table rows, ``{% study_rows evidence %}``: fifty rows written in one
pass of Python, the HTML the template loop they replace wrote, byte for byte."""

from django import template
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

NOT_REPORTED = '<span class="not-reported">Not reported</span>'


def _note(text) -> str:
    return f'<br><span class="note">{text}</span>'


def _cite(numbered) -> str:
    return f'<a class="cite" href="#{conditional_escape(numbered.anchor)}">[{numbered.number}]</a>'


def _details(row) -> str:
    """Where the row's details were read."""
    study = row.study
    if row.source:
        said = f"Details as reported by {_cite(row.source)}"
    elif study.extraction_source == "editor":
        said = f"Details: the editor's reading of {_cite(row.reference)}"
    else:
        where = "abstract" if study.extraction_source == "abstract" else "full text"
        said = f"Details from the {where} of {_cite(row.reference)}"
    if study.extraction_note:
        said += f": {conditional_escape(study.extraction_note)}"
    return f'<span class="note extraction-source">{said}</span>'


def _row(row) -> str:
    study = row.study
    e = conditional_escape
    flagged = row.is_flagged
    design = e(study.get_design_display())
    if study.species and study.species != "human":
        design += _note(e(study.species))
    participants = NOT_REPORTED if study.participants is None else str(study.participants)
    if study.population:
        participants += _note(e(study.population))
    dose = e(study.dose_regimen) if study.dose_regimen else NOT_REPORTED
    if study.comparator:
        dose += _note(f"Compared with: {e(study.comparator)}")
    outcome = f"<strong>{e(study.outcome)}</strong><br>" if study.outcome else ""
    warning = (
        f' <strong class="flag">Warning: {e(study.reference.get_retraction_status_display())}'
        "</strong>"
        if flagged
        else ""
    )
    flag_class = ' class="is-flagged"' if flagged else ""
    return (
        f'\n      <tr id="study-{study.pk}"{flag_class}>\n'
        f'        <td data-label="Year">{e(study.reference.year or "—")}</td>\n'
        f'        <td data-label="Design">{design}</td>\n'
        f'        <td data-label="Participants">{participants}</td>\n'
        f'        <td data-label="Dose and regimen">{dose}</td>\n'
        f'        <td data-label="Outcome">{outcome}{e(study.outcome_summary)}</td>\n'
        f'        <td data-label="Direction"><span class="direction '
        f'direction--{e(study.direction)}">{e(study.get_direction_display())}</span></td>\n'
        f'        <td data-label="Reference">{_cite(row.reference)}{warning}\n'
        f"          <br>{_details(row)}</td>\n"
        "      </tr>\n      "
    )


@register.simple_tag
def study_rows(evidence) -> SafeString:
    return mark_safe("".join(_row(row) for row in evidence.studies))  # noqa: S308 - escaped
