"""Admin for references: the library (library.py) and import jobs (jobs.py)."""

from . import jobs, library

__all__ = ["jobs", "library"]
