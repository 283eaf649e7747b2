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

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.forms import MultiWidget
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from evidence.editorial.roles import EDITOR, REVIEWER, VIEWER, roles_sync
from evidence.models import (
    Candidate,
    DigestLog,
    EditorScope,
    OutcomeFinding,
    SavedSearch,
    Study,
    Verdict,
)
from references.models import ImportJob, ImportJobItem
from tests.factories import (
    AdverseEffectFactory,
    ConditionFactory,
    ContraindicationFactory,
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
from tests.support.admin_forms import admin_form_data
from therapies.models import RegulatoryStatus

PASSWORD = "correct-horse-battery-staple"  # UserFactory's
ROLES = ("anonymous", "viewer", "limited_editor", "global_editor", "limited_reviewer", "superuser")

# --- the symbols ----------------------------------------------------------------------------

ALLOW, DENY, LOGIN, HIDDEN, REFUSE, NOTFOUND, NA = "A", "D", "L", "H", "R", "N", "-"
SYMBOLS = {ALLOW, DENY, LOGIN, HIDDEN, REFUSE, NOTFOUND, NA}

# --- the doors ------------------------------------------------------------------------------

# Admin views by the name of the function behind the pattern: the methods that matter.
ADMIN_METHODS = {
    "index": ("GET",),
    "login": ("GET",),
    "logout": ("POST",),
    "password_change": ("GET", "POST"),
    "password_change_done": ("GET",),
    "autocomplete_view": ("GET",),
    "i18n_javascript": ("GET",),
    "shortcut": ("GET",),
    "app_index": ("GET",),
    "catch_all_view": ("GET",),
    "changelist_view": ("GET", "POST"),
    "add_view": ("GET", "POST"),
    "change_view": ("GET", "POST"),
    "delete_view": ("GET", "POST"),
    "history_view": ("GET",),
    "history_form_view": ("GET", "POST"),
    "view": ("GET",),  # ModelAdmin's <id>/ -> <id>/change/ redirect
    "user_change_password": ("GET", "POST"),
    "needs_review_view": ("GET",),
    "sign_off_view": ("POST",),
    "include_view": ("POST",),
    "exclude_view": ("POST",),
}
UNKNOWN_ADMIN_METHODS = ("GET", "POST")  # a new custom admin view must be given rows for both
API_METHODS = ("get", "post", "put", "patch", "delete")


@dataclass(frozen=True)
class Door:
    id: str  # the URL name, or the route pattern when the pattern has no name
    route: str
    view: str  # the view function's (or class's) name
    methods: tuple[str, ...]
    model_label: str = ""  # "app.model" for ModelAdmin views
    actions: dict = field(default_factory=dict, compare=False, hash=False)


def _admin_model_labels() -> dict[str, str]:
    from django.contrib import admin

    return {
        f"{model._meta.app_label}_{model._meta.model_name}": model._meta.label_lower
        for model in admin.site._registry
    }


def _admin_model_of(name: str, route: str, prefixes: dict[str, str]) -> str:
    for prefix, label in sorted(prefixes.items(), key=lambda item: -len(item[0])):
        if name.startswith(f"admin:{prefix}_"):
            return label
    parts = route.split("/")
    if len(parts) > 3 and f"{parts[1]}_{parts[2]}" in prefixes:
        return prefixes[f"{parts[1]}_{parts[2]}"]
    return ""


def _api_methods(callback) -> tuple[str, ...]:
    cls = getattr(callback, "cls", None)
    actions = getattr(callback, "actions", None)
    if cls is None:
        return ("GET",)  # a plain function (the /api/ catch-all)
    allowed = set(getattr(cls, "http_method_names", API_METHODS))
    if actions:
        names = [method for method in actions if method in allowed]
    else:
        names = [method for method in API_METHODS if method in allowed and hasattr(cls, method)]
    return tuple(method.upper() for method in API_METHODS if method in names)


def enumerate_doors() -> list[Door]:
    """Every pattern under /admin/ and /api/, each with the methods that reach a view."""
    prefixes = _admin_model_labels()
    doors: list[Door] = []

    def walk(resolver, prefix: str, namespace: str) -> None:
        for pattern in resolver.url_patterns:
            if isinstance(pattern, URLResolver):
                inner = namespace + (f"{pattern.namespace}:" if pattern.namespace else "")
                walk(pattern, prefix + str(pattern.pattern), inner)
                continue
            assert isinstance(pattern, URLPattern)
            route = prefix + str(pattern.pattern)
            if not (route.startswith("admin/") or route.startswith("api/")):
                continue
            name = f"{namespace}{pattern.name}" if pattern.name else ""
            callback = pattern.callback
            view = getattr(getattr(callback, "cls", None), "__name__", None) or getattr(
                callback, "__name__", repr(callback)
            )
            if route.startswith("admin/"):
                methods = ADMIN_METHODS.get(view, UNKNOWN_ADMIN_METHODS)
                label = _admin_model_of(name, route, prefixes)
            else:
                methods, label = _api_methods(callback), ""
            doors.append(
                Door(
                    id=name or route,
                    route=route,
                    view=view,
                    methods=methods,
                    model_label=label,
                    actions=dict(getattr(callback, "actions", None) or {}),
                )
            )

    walk(get_resolver(), "", "")
    return doors


# --- the world ------------------------------------------------------------------------------


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
    _revise(therapy, drug_class="Second version class")
    _revise(formulation, manufacturer="Second version maker")
    _revise(adverse, notes="second version")
    _revise(contra, reason="Second version reason.")
    _revise(status, notes="second version")
    for owner_key, owner in [("someone", someone), *users.items()]:
        job = ImportJob.objects.create(kind=ImportJob.Kind.IDENTIFIERS, created_by=owner, total=1)
        item = ImportJobItem.objects.create(job=job, position=0, line=1, raw="10.1/x")
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


# --- what one request did -------------------------------------------------------------------

# Objects whose delete would be refused by PROTECT: delete doors use a bare twin.
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


def _add_data(label: str, world: World, which: str) -> dict[str, Any]:
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
        },
        "evidence.savedsearch": {"verdict": verdict, "query": "mx new query"},
        "evidence.editorscope": {"user": world.users["global_editor"].pk, "condition": condition},
        "therapies.therapy": {"name": "MX new therapy", "slug": "mx-new-therapy"},
        "therapies.formulation": {"therapy": therapy, "brand": "MX brand"},
        "therapies.adverseeffect": {"therapy": therapy, "name": "MX effect"},
        "therapies.contraindication": {"therapy": therapy, "name": "MX contra", "reason": "x"},
        "therapies.regulatorystatus": {
            "therapy": therapy,
            "condition": condition,
            "agency": RegulatoryStatus.Agency.values[-1],
            "status": "approved",
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


@dataclass
class Outcome:
    status: int
    location: str = ""
    changed: bool | None = None  # None: a read, nothing to compare
    listed: bool | None = None  # for lists: was the object shown
    body: bytes = b""
    notes: list[str] = field(default_factory=list)


def _model(label: str) -> type[models.Model]:
    from django.apps import apps

    return apps.get_model(label)


def _snapshot(targets: list[tuple[type[models.Model], Any]]) -> list:
    state = []
    for model, pk in targets:
        state.append(model._default_manager.count())
        if pk is not None:
            state.append(list(model._default_manager.filter(pk=pk).values()))
    return state


def _client(world: World, role: str) -> Client:
    """A client logged in as ``role`` with the session made with the world (a login per
    check would cost more than the check)."""
    client = Client()
    if role != "anonymous":
        client.cookies[settings.SESSION_COOKIE_NAME] = world.sessions[role]
    return client


def _api_client(world: World, role: str) -> APIClient:
    client = APIClient()
    if role != "anonymous":
        client.credentials(HTTP_AUTHORIZATION=f"Token {world.tokens[role]}")
    return client


def _superuser_form(world: World, url: str) -> dict[str, Any]:
    """The POST data of the form the superuser sees at ``url`` (admin_form_data, with
    split widgets such as date + time sent as their parts)."""
    if url in world.forms:
        return dict(world.forms[url])
    page = _client(world, "superuser").get(url)
    if page.status_code != 200:  # a page nobody may open (an add the admin never allows)
        world.forms[url] = {}
        return {}
    data = admin_form_data(page)
    form = page.context["adminform"].form
    for bound_field in form:
        widget = bound_field.field.widget
        if isinstance(widget, MultiWidget) and bound_field.html_name in data:
            value = bound_field.value()
            parts = value if isinstance(value, list | tuple) else widget.decompress(value)
            del data[bound_field.html_name]
            for index, part in enumerate(parts):
                if part is not None:
                    data[f"{bound_field.html_name}_{index}"] = str(part)
    world.forms[url] = dict(data)  # every check starts from the same world
    return data


def _pk_of(obj: models.Model) -> Any:
    return obj.user_id if isinstance(obj, Token) else obj.pk


def exercise_admin(door: Door, variant: str, method: str, role: str, kind: str, which: str, world):
    """One request through one admin door; see exercise()."""
    label = door.model_label
    obj = world.obj(kind, which, role) if kind != "-" else None
    client = _client(world, role)
    view = door.view
    data: dict[str, Any] = {}
    targets: list[tuple[type[models.Model], Any]] = []
    query: dict[str, Any] = {}
    listed_pk = None
    if view in ("changelist_view", "add_view", "needs_review_view"):
        url = reverse(door.id.split("[")[0])
    elif view in ("change_view", "delete_view", "history_view", "view"):
        if view == "delete_view" and kind in DELETE_TWIN:
            obj = world.obj(DELETE_TWIN[kind], which, role)
        target_pk = _pk_of(obj) if obj is not None else 1
        url = (
            reverse(door.id, args=[target_pk])
            if door.id.startswith("admin:")
            else "/" + door.route.replace("<path:object_id>", str(target_pk))
        )
    elif view == "history_form_view":
        version = obj.history.order_by("history_date", "history_id").first()
        url = reverse(door.id.split("[")[0], args=[obj.pk, version.history_id])
    elif view in ("include_view", "exclude_view", "sign_off_view"):
        url = reverse(door.id, args=[obj.pk])
    elif view == "user_change_password":
        url = reverse(door.id, args=[obj.pk])
    elif view == "app_index":
        url = reverse(door.id.split("[")[0], args=[variant or "evidence"])
    elif view == "shortcut":
        content_type = ContentType.objects.get_for_model(obj)
        url = reverse(door.id, args=[content_type.pk, obj.pk])
    elif view == "catch_all_view":
        url = "/admin/no-such-page/"
    else:
        url = reverse(door.id)

    if view == "autocomplete_view":
        query = {
            "app_label": "evidence",
            "model_name": "study",
            "field_name": "condition",
            "term": "CHILD",
        }
        listed_pk = str(obj.pk)
    if view == "changelist_view" and method == "GET" and obj is not None:
        listed_pk = _pk_of(obj)

    if method == "POST":
        model = _model(label) if label else None
        if view == "changelist_view":
            if kind in DELETE_TWIN and variant == "":
                obj = world.obj(DELETE_TWIN[kind], which, role)
            action = variant or CHANGELIST_ACTION.get(label, "delete_selected")
            data = {"action": action, "_selected_action": [_pk_of(obj)], "post": "yes", "index": 0}
            targets = [(model, obj.pk)]
        elif view == "add_view":
            if label != "references.importjob":
                data = _superuser_form(world, url)
            data.update(_add_data(label, world, which))
            if variant == "no_parent":
                data.pop("parent", None)
            targets = [(model, None)]
        elif view in ("change_view", "history_form_view"):
            data = _superuser_form(world, url)
            if view == "change_view":
                name, value = CHANGE_FIELD[label]
                if variant.startswith("parent="):
                    name, value = "parent", world.obj("condition_root", "out").pk
                    if variant == "parent=CHILD_IN":
                        value = world.obj("condition", "in").pk
                data[name] = value(world) if callable(value) else value
            targets = [(model, obj.pk)]
        elif view == "delete_view":
            data = {"post": "yes"}
            targets = [(model, obj.pk)]
        elif view == "sign_off_view":
            data = {"note": "Checked by the matrix."}
            targets = [(Verdict, obj.pk)]
        elif view in ("include_view", "exclude_view"):
            data = {"reason": Candidate.ExclusionReason.values[0], "design": "rct"}
            targets = [(Candidate, obj.pk), (Study, None)]
        elif view in ("password_change", "user_change_password"):
            user = obj if obj is not None else world.users.get(role)
            data = {
                "old_password": PASSWORD,
                "new_password1": "a-long-new-password-9",
                "new_password2": "a-long-new-password-9",
                "password1": "a-long-new-password-9",
                "password2": "a-long-new-password-9",
                "usable_password": "true",
            }
            targets = [(get_user_model(), user.pk if user is not None else None)]
        before = _snapshot(targets)
        response = client.post(url, data)
        changed = _snapshot(targets) != before if targets else None
    else:
        response = client.get(url, query)
        changed = None
    outcome = Outcome(response.status_code, response.get("Location", ""), changed)
    if listed_pk is not None and response.status_code == 200:
        if view == "autocomplete_view":
            outcome.listed = listed_pk in {row["id"] for row in response.json()["results"]}
        else:
            shown = {_pk_of(row) for row in response.context["cl"].result_list}
            outcome.listed = listed_pk in shown
    if response.status_code == 200 and method == "POST" and response.context:
        for name in ("adminform", "form"):
            form = response.context.get(name)
            form = getattr(form, "form", form)
            if form is not None and getattr(form, "errors", None):
                outcome.notes.append(f"form errors: {dict(form.errors)}")
    return outcome


def exercise_api(door: Door, variant: str, method: str, role: str, kind: str, which: str, world):
    """One request through one API door; see exercise()."""
    obj = world.obj(kind, which, role) if kind != "-" else None
    client = _api_client(world, role)
    action = door.actions.get(method.lower(), "")
    kwargs = {}
    if "(?P<slug>" in door.route:
        kwargs = {"slug": getattr(obj, "slug", None) or world.extra["therapy"].slug}
    elif "(?P<pk>" in door.route:
        kwargs = {"pk": obj.pk}
    if door.id == "api:not-found":
        url = "/api/v1/no-such-endpoint/"
    else:
        url = reverse(door.id, kwargs=kwargs)
    body: dict[str, Any] = {}
    targets: list[tuple[type[models.Model], Any]] = []
    if door.id == "api:evidence:study-list" and method == "POST":
        condition = world.obj("condition", which)
        body = {
            "reference": ReferenceFactory(title="MX api reference").pk,
            "therapy": world.extra["therapy"].slug,
            "condition": condition.slug,
            "design": "rct",
            "outcome": "MX api outcome",
            "outcome_summary": "New.",
            "direction": "benefit",
        }
        targets = [(Study, None)]
    elif door.id == "api:evidence:study-detail" and method in ("PATCH", "DELETE"):
        body = {"participants": 5} if method == "PATCH" else {}
        targets = [(Study, obj.pk)]
    elif action in ("include", "exclude"):
        body = {"design": "rct"} if action == "include" else {"reason": "off_topic"}
        body = {**body}
        if action == "exclude":
            body["reason"] = Candidate.ExclusionReason.values[0]
        targets = [(Candidate, obj.pk), (Study, None)]
    elif door.id == "api:references:importjob-list":
        body = {"identifiers": ["10.5555/mx-api-import"]}
        targets = [(ImportJob, None)]
    elif door.id == "api:token":
        if method == "POST":
            client = APIClient()
            user = world.users.get(role)
            body = {"username": user.username if user else "mx-someone", "password": PASSWORD}
        targets = [(Token, None)] if method == "DELETE" else []  # POST may return a kept token
    before = _snapshot(targets) if targets else None
    response = (
        getattr(client, method.lower())(url, body, format="json")
        if body
        else getattr(client, method.lower())(url)
    )
    changed = (_snapshot(targets) != before) if targets else None
    outcome = Outcome(response.status_code, response.get("Location", ""), changed)
    outcome.body = response.content
    if method == "GET" and action == "list" and obj is not None and response.status_code == 200:
        outcome.listed = obj.pk in {row["id"] for row in response.json()["results"]}
    return outcome


def exercise(door: Door, variant: str, method: str, role: str, kind: str, which: str, world):
    if door.route.startswith("api/"):
        return exercise_api(door, variant, method, role, kind, which, world)
    return exercise_admin(door, variant, method, role, kind, which, world)


# --- reading an outcome as a symbol ---------------------------------------------------------


def _to_login(outcome: Outcome) -> bool:
    return outcome.status == 302 and outcome.location.startswith(reverse("admin:login"))


def _to_index(outcome: Outcome) -> bool:
    return outcome.status == 302 and outcome.location.rstrip("?") == reverse("admin:index")


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
