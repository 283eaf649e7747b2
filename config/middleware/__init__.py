"""Project middleware, one concern per module."""
