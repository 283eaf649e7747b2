"""The world the matrix runs in: a user per role and the objects each row names."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib.auth.models import Group
from django.db import models
from django.test import Client
from rest_framework.authtoken.models import Token

from evidence.editorial.roles import EDITOR, REVIEWER, VIEWER, roles_sync
from evidence.models import (
    Candidate,
    DigestLog,
    EditorScope,
    OutcomeFinding,
    SavedSearch,
    Verdict,
)
from evidence.services.publication import verdict_publish_loaded
from references.models import ImportJob, ImportJobItem
from tests.factories import (
    AdverseEffectFactory,
    AdverseEffectReferenceFactory,
    ConditionFactory,
    ContraindicationFactory,
    ContraindicationReferenceFactory,
    FormulationFactory,
    GuidelinePositionFactory,
    ReferenceFactory,
    ReferenceNoticeFactory,
    RegulatoryStatusFactory,
    StudyFactory,
    TherapyFactory,
    UserFactory,
    VerdictFactory,
    VerdictReferenceFactory,
)
from therapies.models import FormulationReference


@dataclass
class World:
    users: dict[str, Any]
    tokens: dict[str, str]
    objects: dict[tuple[str, str], models.Model]  # (kind, which) -> object
    history_user: Any
    extra: dict[str, Any]
    sessions: dict[str, str] = field(default_factory=dict)
    forms: dict[str, dict[str, Any]] = field(default_factory=dict)

    def obj(self, kind: str, which: str, role: str = "") -> models.Model:
        if which == "own":
            return self.objects[(kind, role if role in self.users else "someone")]
        return self.objects[(kind, which)]


def _staff(username: str, group: str | None, *scope) -> Any:
    user = UserFactory(username=username, is_staff=True)
    if group:
        user.groups.add(Group.objects.get(name=group))
    for condition in scope:
        EditorScope.objects.create(user=user, condition=condition)
    return user


def _revise(obj: models.Model, **changes) -> None:
    """A second version, so that reverting to the first one changes something."""
    for name, value in changes.items():
        setattr(obj, name, value)
    obj.save()


# Long function: every object the table's rows name, made in one place, in the table's order.
def build_world() -> World:
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog
    from django_celery_beat.models import (
        ClockedSchedule,
        CrontabSchedule,
        IntervalSchedule,
        PeriodicTask,
        SolarSchedule,
    )

    roles_sync()
    someone = _staff("mx-someone", None)
    history_user = _staff("mx-history-editor-q7", EDITOR)
    therapy = TherapyFactory(slug="mx-therapy", name="MX therapy")
    bare_therapy = TherapyFactory(slug="mx-bare", name="MX bare therapy")
    lone_therapy = TherapyFactory(slug="mx-lone", name="MX therapy of bare verdicts")
    spare_therapy = TherapyFactory(slug="mx-spare", name="MX spare therapy")
    objects: dict[tuple[str, str], models.Model] = {}
    roots = {}
    for side in ("in", "out"):
        upper = side.upper()
        root = ConditionFactory(slug=f"mx-root-{side}", name=f"ROOT_{upper}")
        child = ConditionFactory(slug=f"mx-child-{side}", name=f"CHILD_{upper}", parent=root)
        roots[side] = root
        objects[("verdict_bare", side)] = VerdictFactory(therapy=lone_therapy, condition=child)
        leaf = ConditionFactory(slug=f"mx-leaf-{side}", name=f"LEAF_{upper}", parent=child)
        verdict = VerdictFactory(therapy=therapy, condition=child, needs_review=True)
        verdict_publish_loaded(verdict=verdict, note="MX version 1")
        study = StudyFactory(therapy=therapy, condition=child, outcome=f"Pain {side}")
        position = GuidelinePositionFactory(therapy=therapy, condition=child)
        finding = OutcomeFinding.objects.create(verdict=verdict, outcome="Pain", certainty="low")
        VerdictReferenceFactory(verdict=verdict)
        search = SavedSearch.objects.create(verdict=verdict, query=f"mx query {side}")
        candidate = Candidate.objects.create(
            verdict=verdict,
            reference=ReferenceFactory(title=f"MX candidate {side}"),
            saved_search=search,
            suggested_design="rct",
        )
        _revise(child, description="second version")
        _revise(verdict, summary="Second version of the summary.")
        _revise(study, participants=41)
        _revise(position, document="Second version")
        _revise(finding, comment="second version")
        _revise(search, query=f"mx query {side} v2")
        objects.update(
            {
                ("condition", side): child,
                ("condition_leaf", side): leaf,
                ("verdict", side): verdict,
                ("study", side): study,
                ("guidelineposition", side): position,
                ("candidate", side): candidate,
                ("savedsearch", side): search,
            }
        )
    # A study now under CHILD_IN whose first version was under CHILD_OUT.
    moved = StudyFactory(therapy=therapy, condition=objects[("condition", "out")], outcome="Moved")
    _revise(moved, condition=objects[("condition", "in")], verdict=objects[("verdict", "in")])
    objects[("study", "moved")] = moved
    for side in ("in", "out"):
        # Readers see published studies: the API's study doors read these.
        verdict_publish_loaded(verdict=objects[("verdict", side)], note="MX version 2")
    objects[("condition_root", "in")], objects[("condition_root", "out")] = (
        roots["in"],
        roots["out"],
    )
    Verdict.history.update(history_user=history_user)

    users = {
        "viewer": _staff("mx-viewer", VIEWER),
        "limited_editor": _staff("mx-limited-editor", EDITOR, roots["in"]),
        "global_editor": _staff("mx-global-editor", EDITOR),
        "limited_reviewer": _staff("mx-limited-reviewer", REVIEWER, roots["in"]),
        "superuser": UserFactory(username="mx-superuser", is_staff=True, is_superuser=True),
    }
    tokens = {role: Token.objects.create(user=user).key for role, user in users.items()}
    Token.objects.create(user=someone)

    reference = ReferenceFactory(title="MX reference")
    _revise(reference, journal="Second version journal")
    notice = ReferenceNoticeFactory(reference=reference)
    formulation = FormulationFactory(therapy=therapy)
    adverse = AdverseEffectFactory(therapy=therapy)
    contra = ContraindicationFactory(therapy=therapy)
    status = RegulatoryStatusFactory(therapy=therapy, condition=objects[("condition", "in")])
    # Each safety fact cites its source, as the admin requires of every save.
    FormulationReference.objects.create(formulation=formulation, reference=reference)
    AdverseEffectReferenceFactory(adverse_effect=adverse, reference=reference)
    ContraindicationReferenceFactory(contraindication=contra, reference=reference)
    _revise(therapy, drug_class="Second version class")
    _revise(formulation, manufacturer="Second version maker")
    _revise(adverse, notes="second version")
    _revise(contra, reason="Second version reason.")
    _revise(status, notes="second version")
    for owner_key, owner in [("someone", someone), *users.items()]:
        # Failed, so that Retry (admin:references_importjob_retry) has something to do.
        job = ImportJob.objects.create(
            kind=ImportJob.Kind.IDENTIFIERS,
            created_by=owner,
            total=1,
            processed=1,
            failed_count=1,
            status=ImportJob.Status.FAILED,
        )
        item = ImportJobItem.objects.create(
            job=job,
            position=0,
            line=1,
            raw="10.1/x",
            kind="doi",
            value="10.1/x",
            status=ImportJobItem.Status.FAILED,
        )
        objects[("importjob", owner_key)] = job
        objects[("importjobitem", owner_key)] = item
    objects[("importjob", "other")] = objects[("importjob", "someone")]
    objects[("importjobitem", "other")] = objects[("importjobitem", "someone")]

    interval = IntervalSchedule.objects.create(every=10, period=IntervalSchedule.MINUTES)
    group = Group.objects.create(name="MX group")
    tokenless = UserFactory(username="mx-tokenless")
    objects.update(
        {
            ("therapy", "one"): therapy,
            ("therapy_spare", "one"): bare_therapy,
            ("reference", "one"): reference,
            ("reference_spare", "one"): ReferenceFactory(title="MX spare reference"),
            ("referencenotice", "one"): notice,
            ("formulation", "one"): formulation,
            ("adverseeffect", "one"): adverse,
            ("contraindication", "one"): contra,
            ("regulatorystatus", "one"): status,
            ("digestlog", "one"): DigestLog.objects.create(recipients=1),
            ("editorscope", "one"): EditorScope.objects.get(user=users["limited_editor"]),
            ("group", "one"): group,
            ("user", "one"): someone,
            ("tokenproxy", "one"): Token.objects.get(user=someone),
            ("intervalschedule", "one"): interval,
            ("crontabschedule", "one"): CrontabSchedule.objects.create(minute="1"),
            ("solarschedule", "one"): SolarSchedule.objects.create(
                event="sunrise", latitude=10, longitude=10
            ),
            ("clockedschedule", "one"): ClockedSchedule.objects.create(
                clocked_time=datetime.datetime(2030, 1, 1, tzinfo=datetime.UTC)
            ),
            ("periodictask", "one"): PeriodicTask.objects.create(
                name="mx task", task="mx.task", interval=interval
            ),
            ("accessattempt", "one"): AccessAttempt.objects.create(
                username="mx", ip_address="127.0.0.9", user_agent="t", failures_since_start=1
            ),
            ("accesslog", "one"): AccessLog.objects.create(
                username="mx", ip_address="127.0.0.9", user_agent="t"
            ),
            ("accessfailurelog", "one"): AccessFailureLog.objects.create(
                username="mx", ip_address="127.0.0.9", user_agent="t"
            ),
        }
    )
    extra = {"therapy": therapy, "spare_therapy": spare_therapy, "tokenless": tokenless}
    world = World(users, tokens, objects, history_user, extra)
    for role, user in users.items():
        client = Client()
        client.force_login(user)
        world.sessions[role] = client.cookies[settings.SESSION_COOKIE_NAME].value
    return world
