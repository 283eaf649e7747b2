"""REST API for therapies and their safety facts (mounted by config.api_urls)."""
