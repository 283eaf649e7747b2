"""The evidence charts in templates: ``{% timeline_chart evidence %}``,
``{% forest_plot group therapy n %}``, ``{% evidence_map overview %}``, and the
``certainty_glyph`` / ``direction_glyph`` filters. Each renders rows already loaded."""

from functools import lru_cache

from django import template

from evidence.presentation import charts

register = template.Library()


def short_name(therapy) -> str:
    """A long name's shortest alias ("IVIG"), for chart labels with little room."""
    aliases = [alias for alias in therapy.aliases or [] if alias]
    if len(therapy.name) > 20 and aliases:
        return min(aliases, key=len)
    return therapy.name


@register.simple_tag
def timeline_chart(evidence, compact=False):
    """The wide timeline, or (``compact=True``) the narrow one shown on phones instead."""
    return charts.timeline_svg(
        studies=evidence.timeline_studies,
        chart_id="timeline-chart-compact" if compact else "timeline-chart",
        subject=f"{evidence.therapy.name} for {evidence.condition.name}",
        compact=compact,
    )


@register.simple_tag
def forest_plot(group, therapy, number, compact=False):
    suffix = "-compact" if compact else ""
    return charts.forest_plot_svg(
        group=group,
        chart_id=f"forest-plot-{number}{suffix}",
        therapy=short_name(therapy),
        compact=compact,
    )


@register.simple_tag
def evidence_map(overview, compact=False):
    return charts.evidence_map_svg(
        verdicts=overview.verdicts,
        chart_id="evidence-map-compact" if compact else "evidence-map",
        therapy=overview.therapy.name,
        compact=compact,
    )


# The glyphs depend on their one argument alone, and a page draws hundreds of them.
@register.filter
@lru_cache(maxsize=64)
def certainty_glyph(certainty):
    return charts.certainty_glyph(certainty)


@register.filter
@lru_cache(maxsize=64)
def direction_glyph(direction):
    return charts.direction_glyph(direction)


@register.filter
def pooled_summary(pooled, group):
    """'RR 0.49 (95% CI 0.34 to 0.70)' for a pooled estimate of ``group``."""
    return group.summary(pooled) if pooled else ""


@register.filter
def prediction_interval(pooled, group):
    return group.prediction_interval(pooled) if pooled else ""


@register.filter
def percent(value):
    """A proportion as a whole percentage: 0.9212 -> '92%'."""
    return f"{float(value) * 100:.0f}%"
