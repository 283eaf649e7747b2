"""Pieces every app's REST API shares: errors, pagination, conditional GET, throttling."""
