"""REST API for references and import jobs (mounted under /api/v1/ by config.api_urls)."""
