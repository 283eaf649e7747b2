"""Reading an outcome as one of the table's symbols."""

from __future__ import annotations

from django.urls import reverse

from .doors import ALLOW, DENY, HIDDEN, LOGIN, NOTFOUND, REFUSE
from .requests import Outcome


def _to_login(outcome: Outcome) -> bool:
    return outcome.status == 302 and outcome.location.startswith(reverse("admin:login"))


def _to_index(outcome: Outcome) -> bool:
    return outcome.status == 302 and outcome.location.rstrip("?") == reverse("admin:index")


# Long function: one case per symbol of the table, in the order of its docstring's legend.
def symbol_matches(
    expected: str,
    outcome: Outcome,
    *,
    api: bool,
    method: str,
    role: str,
    view: str = "",
    has_object: bool = False,
) -> bool:
    """Does ``outcome`` answer ``expected``? The exact mapping, per symbol:

    A  GET: 200 (admin: or a 302 that is not to the login page or the index) and, for a
       list, the object listed. POST/PATCH/DELETE: a 2xx (admin: or 302) AND the
       database changed.
    D  403 (API: 403 only). Admin writes: 403, or a 200/302 (form error, action refused)
       that is not to the login page; always with the database unchanged.
    L  API: 401. Admin: a 302 to the login page (or, for anonymous, the index, which sends
       there); the database unchanged.
    H  404, or the admin's "doesn't exist" 302 to the index; for a list (changelist,
       autocomplete, API list), a 200 without the object; for a changelist action, a
       200/302 that changed nothing; the database unchanged.
    R  refused: D or H.
    N  404 whoever asks (no such page).
    """
    unchanged = outcome.changed in (None, False)
    same = {"api": api, "method": method, "role": role, "view": view, "has_object": has_object}
    if expected == REFUSE:
        return symbol_matches(DENY, outcome, **same) or symbol_matches(HIDDEN, outcome, **same)
    if expected == NOTFOUND:
        return outcome.status == 404
    if expected == LOGIN:
        if api:
            return outcome.status == 401 and unchanged
        return (_to_login(outcome) or (role == "anonymous" and _to_index(outcome))) and unchanged
    if expected == ALLOW:
        if method == "GET":
            ok = outcome.status == 200 or (
                not api and outcome.status == 302 and not _to_login(outcome)
            )
            if outcome.listed is not None:
                ok = ok and outcome.listed
            elif has_object and _to_index(outcome):
                ok = False
            return ok
        ok = 200 <= outcome.status < 300 or (not api and outcome.status == 302)
        return ok and not _to_login(outcome) and outcome.changed is not False
    if expected == DENY:
        if outcome.status == 403:
            return unchanged
        if api or method == "GET":
            return False
        return outcome.status in (200, 302) and not _to_login(outcome) and unchanged
    if expected == HIDDEN:
        if outcome.status == 404 or (not api and _to_index(outcome)):
            return unchanged
        if outcome.listed is not None:
            return outcome.status == 200 and not outcome.listed
        if view == "changelist_view" and method == "POST" and outcome.status in (200, 302):
            return unchanged and not _to_login(outcome)
        return False
    raise AssertionError(f"unknown symbol {expected!r}")
