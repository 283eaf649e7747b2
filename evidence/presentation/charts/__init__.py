"""Server-rendered, accessible SVG charts for the evidence pages.

Each chart is one inline ``<svg role="img">`` labelled by its own ``<title>`` and
``<desc>`` (a text summary of what it shows), and reads without colour: shapes, line
styles and text labels carry every distinction that colour does. All text is escaped.

Charts are built from rows the page's selector already loaded; they run no queries.
"""

from .evidence_map import evidence_map_svg
from .forest import forest_plot_svg
from .glyphs import certainty_glyph, direction_glyph
from .timeline import timeline_svg

__all__ = [
    "certainty_glyph",
    "direction_glyph",
    "evidence_map_svg",
    "forest_plot_svg",
    "timeline_svg",
]
