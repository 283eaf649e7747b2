"""REST API for conditions, verdicts and studies (mounted by config.api_urls)."""
