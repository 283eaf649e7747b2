"""Template helpers of the editorial workflow: reason dates, and the admin index's counts."""

from datetime import date

from django import template

from evidence.editorial import selectors

register = template.Library()


@register.filter
def iso_date(value):
    """A reason's ISO date ("2026-11-22") as a date, so ``|date`` can format it."""
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        return None


@register.simple_tag(takes_context=True)
def editorial_summary(context) -> dict:
    """Counts and links for the admin index, for what the user may see. Two queries."""
    user = context["request"].user
    summary = {
        "can_triage": user.has_perm("evidence.view_candidate"),
        "can_review": user.has_perm("evidence.view_verdict"),
        "can_import": user.has_perm("references.add_importjob"),
        "can_search": user.has_perm("evidence.view_savedsearch"),
    }
    if summary["can_triage"]:
        summary["untriaged"] = selectors.untriaged_candidate_total()
    if summary["can_review"]:
        summary["needs_review"] = selectors.verdicts_needing_review_total()
    return summary
