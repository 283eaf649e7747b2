"""The machinery behind tests/security/test_permission_matrix.py.

- ``enumerate_doors`` walks the URLconf: every pattern under /admin/ and /api/, with the
  HTTP methods that matter for it (DRF's actions map; for the admin, GET for pages and
  POST for the views that write).
- ``build_world`` makes the objects: one condition tree inside the limited users' scope
  (ROOT_IN > CHILD_IN) and one outside (ROOT_OUT > CHILD_OUT), each with a verdict,
  study, guideline position, outcome finding, verdict reference, candidate and saved
  search (all with history), plus the unscoped objects once.
- ``exercise`` sends one role's request through one door at one object and returns what
  happened (status, where a redirect went, whether the database changed), and
  ``verdict_of`` reads that as one of the table's symbols.
"""

from .doors import (
    ALLOW,
    DENY,
    HIDDEN,
    LOGIN,
    NA,
    NOTFOUND,
    REFUSE,
    ROLES,
    SYMBOLS,
    Door,
    enumerate_doors,
)
from .requests import Outcome, exercise
from .symbols import symbol_matches
from .world import World, build_world

__all__ = [
    "ALLOW",
    "DENY",
    "HIDDEN",
    "LOGIN",
    "NA",
    "NOTFOUND",
    "REFUSE",
    "ROLES",
    "SYMBOLS",
    "Door",
    "Outcome",
    "World",
    "build_world",
    "enumerate_doors",
    "exercise",
    "symbol_matches",
]
