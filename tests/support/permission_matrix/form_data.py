"""What the matrix sends: the object a delete door is tried on, the action a changelist
POST runs, and the data an add form is posted with."""

from __future__ import annotations

from typing import Any

from tests.factories import (
    ReferenceFactory,
)
from therapies.models import RegulatoryStatus

from .world import World

DELETE_TWIN = {
    "condition": "condition_leaf",
    "therapy": "therapy_spare",
    "reference": "reference_spare",
    "verdict": "verdict_bare",
}
# Changelist POST: the bulk action each model's row exercises (default delete_selected).
CHANGELIST_ACTION = {
    "evidence.verdict": "request_review_selected",
    "evidence.candidate": "include_selected",
}
# Admin change POST: the field each model's row changes, and to what.
CHANGE_FIELD: dict[str, tuple[str, Any]] = {
    "evidence.condition": ("description", "Changed by the matrix."),
    "evidence.verdict": ("summary", "Changed by the matrix."),
    "evidence.study": ("participants", "77"),
    "evidence.guidelineposition": ("document", "Changed by the matrix"),
    "evidence.candidate": ("note", "Changed by the matrix."),
    "evidence.savedsearch": ("query", "changed by the matrix"),
    "evidence.digestlog": ("recipients", "9"),
    "evidence.editorscope": ("condition", lambda w: w.obj("condition_root", "out").pk),
    "therapies.therapy": ("drug_class", "Changed class"),
    "therapies.formulation": ("manufacturer", "Changed maker"),
    "therapies.adverseeffect": ("notes", "changed"),
    "therapies.contraindication": ("reason", "Changed reason."),
    "therapies.regulatorystatus": ("notes", "changed"),
    "references.reference": ("journal", "Changed journal"),
    "references.referencenotice": ("note", "changed"),
    "references.importjob": ("error", "changed"),
    "references.importjobitem": ("message", "changed"),
    "auth.group": ("name", "MX group changed"),
    "auth.user": ("first_name", "Changed"),
    "authtoken.tokenproxy": ("user", lambda w: w.extra["tokenless"].pk),
    "django_celery_beat.intervalschedule": ("every", "7"),
    "django_celery_beat.crontabschedule": ("minute", "5"),
    "django_celery_beat.solarschedule": ("latitude", "11"),
    "django_celery_beat.clockedschedule": ("clocked_time_1", "11:00:00"),
    "django_celery_beat.periodictask": ("description", "changed"),
    "axes.accessattempt": ("username", "changed"),
    "axes.accesslog": ("username", "changed"),
    "axes.accessfailurelog": ("username", "changed"),
}


# Long function: one case per admin add form, side by side; a new form goes next to its kind.
def add_form_data(label: str, world: World, which: str) -> dict[str, Any]:
    """Fields an add form needs beyond its initial values; ``which`` picks in/out parents."""
    side = which if which in ("in", "out") else "in"
    condition = world.obj("condition", side).pk
    verdict = world.obj("verdict", side).pk
    therapy = world.extra["spare_therapy"].pk
    reference = ReferenceFactory(title="MX new reference").pk
    return {
        "evidence.condition": {"name": "MX new", "slug": "mx-new", "parent": condition},
        "evidence.verdict": {
            "therapy": therapy,
            "condition": condition,
            "status": "investigational",
            "certainty": "low",
            "summary": "New.",
        },
        "evidence.study": {
            "reference": reference,
            "therapy": world.extra["therapy"].pk,
            "condition": condition,
            "design": "rct",
            "participants": "10",
            "outcome": "MX new outcome",
            "outcome_summary": "New.",
            "direction": "benefit",
        },
        "evidence.guidelineposition": {
            "therapy": therapy,
            "condition": condition,
            "issuing_body": "MX body",
            "document": "MX doc",
            "year": "2024",
            "position": "conditional",
            "reference": reference,
        },
        "evidence.savedsearch": {"verdict": verdict, "query": "mx new query"},
        "evidence.editorscope": {"user": world.users["global_editor"].pk, "condition": condition},
        "therapies.therapy": {"name": "MX new therapy", "slug": "mx-new-therapy"},
        # Every safety fact cites a reference: the first row of its references inline.
        "therapies.formulation": {
            "therapy": therapy,
            "brand": "MX brand",
            "formulationreference_set-0-reference": reference,
        },
        "therapies.adverseeffect": {
            "therapy": therapy,
            "name": "MX effect",
            "adverseeffectreference_set-0-reference": reference,
        },
        "therapies.contraindication": {
            "therapy": therapy,
            "name": "MX contra",
            "reason": "x",
            "contraindicationreference_set-0-reference": reference,
        },
        "therapies.regulatorystatus": {
            "therapy": therapy,
            "condition": condition,
            "agency": RegulatoryStatus.Agency.values[-1],
            "status": "approved",
            "reference": reference,
        },
        "references.reference": {"title": "MX added", "doi": "10.5555/mx-added"},
        "references.referencenotice": {
            "reference": reference,
            "type": "retraction",
            "doi": "10.5555/mx-notice",
            "source": "crossref",
        },
        "references.importjob": {"identifiers": "10.5555/mx-import"},
        "auth.group": {"name": "MX new group"},
        "auth.user": {
            "username": "mx-new-user",
            "password1": "a-long-new-password-9",
            "password2": "a-long-new-password-9",
            "usable_password": "true",
        },
        "authtoken.tokenproxy": {"user": world.extra["tokenless"].pk},
        "django_celery_beat.intervalschedule": {"every": "3", "period": "hours"},
        "django_celery_beat.crontabschedule": {"minute": "7"},
        "django_celery_beat.solarschedule": {
            "event": "sunset",
            "latitude": "12",
            "longitude": "12",
        },
        "django_celery_beat.clockedschedule": {
            "clocked_time_0": "2031-01-01",
            "clocked_time_1": "10:00:00",
        },
        "django_celery_beat.periodictask": {
            "name": "mx new task",
            "regtask": "",
            "task": "mx.new",
            "interval": world.obj("intervalschedule", "one").pk,
        },
    }.get(label, {})
