"""REST API for conditions, verdicts, studies and candidates (mounted by config.api_urls):
one module of views per resource, with their serializers, filters and permissions."""
