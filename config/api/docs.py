"""Swagger UI at /api/v1/docs/ under the site's Content-Security-Policy.

drf-spectacular's default view inlines its init script and a small <style>; the CSP has no
'unsafe-inline', so the split view serves the init script from ?script (a same-origin
URL) and templates/api/swagger_ui.html moves the style into static/css/api-docs.css.
"""

from drf_spectacular.views import SpectacularSwaggerSplitView


class SwaggerView(SpectacularSwaggerSplitView):
    template_name = "api/swagger_ui.html"
