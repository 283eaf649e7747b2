"""The editorial roles, as Django groups: Editor, Reviewer and Viewer.

- Editor curates: studies, guideline positions, conditions, summary-of-findings rows,
  saved searches and the triage queue, references and their notices, import jobs, and
  everything about therapies. An editor may change a verdict but not sign off its review.
- Reviewer: everything an Editor may do, plus ``evidence.signoff_verdict`` and
  ``evidence.publish_verdict``.
- Viewer: may look at every model of the evidence, therapies and references apps in the
  admin, and change nothing.

Groups give permissions only; a person also needs ``is_staff`` to log into the admin.
``roles_sync`` makes each group's permissions exactly these. The data migration that
creates the groups calls it with the migration's app registry; run
``python manage.py sync_roles`` after adding models so the groups cover them.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.apps import apps as global_apps
from django.db import transaction

EDITOR = "Editor"
REVIEWER = "Reviewer"
VIEWER = "Viewer"
ROLES = (EDITOR, REVIEWER, VIEWER)

ALL = ("add", "change", "delete", "view")
SIGNOFF_PERMISSION = "evidence.signoff_verdict"
PUBLISH_PERMISSION = "evidence.publish_verdict"
CONTENT_APPS = ("evidence", "therapies", "references")

# app label -> model name -> actions. Whole apps given with "*" cover every model of it.
EDITOR_PERMISSIONS: dict[str, dict[str, tuple[str, ...]]] = {
    "evidence": {
        "condition": ("add", "change", "view"),
        "study": ALL,
        "guidelineposition": ALL,
        "outcomefinding": ALL,
        "verdictreference": ALL,
        "savedsearch": ALL,
        # Candidates are made by saved searches and kept after a decision (an excluded
        # record must never return), so editors decide but never add or delete them.
        "candidate": ("change", "view"),
        "verdict": ("change", "view"),
        # Published versions are written by publishing, never by hand.
        "verdictversion": ("view",),
        "digestlog": ("view",),
    },
    "references": {
        # Deleting a reference or a notice would erase provenance and retractions.
        "reference": ("add", "change", "view"),
        "referencenotice": ("add", "change", "view"),
        "referencesourcerecord": ("view",),
        "importjob": ("add", "view"),
        "importjobitem": ("view",),
    },
    "therapies": {"*": ALL},
}


def _content_models(apps, app_label: str) -> list[str]:
    return [
        model._meta.model_name
        for model in apps.get_app_config(app_label).get_models()
        if not model._meta.model_name.startswith("historical")
    ]


def role_permissions(role: str, *, apps=global_apps) -> set[tuple[str, str]]:
    """``{(app_label, codename)}`` that ``role`` has."""
    if role == VIEWER:
        return {
            (app_label, f"view_{model}")
            for app_label in CONTENT_APPS
            for model in _content_models(apps, app_label)
        }
    wanted: set[tuple[str, str]] = set()
    for app_label, models in EDITOR_PERMISSIONS.items():
        known = _content_models(apps, app_label)
        for model, actions in models.items():
            # A model added after the migration that first made the groups is skipped
            # there, and covered by a later sync_roles.
            names = known if model == "*" else [model] if model in known else []
            wanted.update((app_label, f"{action}_{name}") for name in names for action in actions)
    if role == REVIEWER:
        # Each custom permission belongs to a model, which an older migration state lacks.
        evidence_models = _content_models(apps, "evidence")
        for permission, model in (
            (SIGNOFF_PERMISSION, "verdict"),
            (PUBLISH_PERMISSION, "verdictversion"),
        ):
            if model in evidence_models:
                wanted.add(tuple(permission.split(".")))  # type: ignore[arg-type]
    elif role != EDITOR:
        raise ValueError(f"unknown role {role!r}")
    return wanted


def _permissions(apps, wanted: Iterable[tuple[str, str]]) -> list:
    Permission = apps.get_model("auth", "Permission")
    wanted = set(wanted)
    found = {
        (perm.content_type.app_label, perm.codename): perm
        for perm in Permission.objects.filter(
            content_type__app_label__in={app for app, _ in wanted},
            codename__in={codename for _, codename in wanted},
        ).select_related("content_type")
    }
    missing = sorted(wanted - set(found))
    if missing:
        raise LookupError(f"permissions missing (run migrate first): {missing}")
    return [found[key] for key in sorted(found) if key in wanted]


def roles_sync(*, apps=global_apps) -> dict[str, int]:
    """Create the three groups and give each exactly its permissions. Idempotent.

    Returns the number of permissions of each group.
    """
    Group = apps.get_model("auth", "Group")
    counts = {}
    for role in ROLES:
        group, _ = Group.objects.get_or_create(name=role)
        permissions = _permissions(apps, role_permissions(role, apps=apps))
        group.permissions.set(permissions)
        counts[role] = len(permissions)
    return counts


@transaction.atomic
def roles_sync_in_migration(apps, schema_editor=None) -> None:
    """roles_sync for a data migration: Django creates permissions after migrate
    (post_migrate), so a migration that gives groups a new model's permissions creates
    every app's permissions first."""
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        # create_permissions skips app configs without models_module, which the
        # migration state's stand-ins never have; put back whatever was there.
        models_module = getattr(app_config, "models_module", None)
        app_config.models_module = True
        try:
            create_permissions(app_config, apps=apps, verbosity=0)
        finally:
            app_config.models_module = models_module
    roles_sync(apps=apps)
