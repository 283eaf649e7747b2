"""One role's request through one door at one object, and what it did."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.forms import MultiWidget
from django.test import Client
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from evidence.models import (
    Candidate,
    Study,
    Verdict,
    VerdictVersion,
)
from references.models import ImportJob
from tests.factories import (
    ReferenceFactory,
)
from tests.support.admin_forms import admin_form_data

from .doors import PASSWORD, Door
from .form_data import CHANGE_FIELD, CHANGELIST_ACTION, DELETE_TWIN, add_form_data
from .world import World


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


# Long function: one dispatch over the admin views, so the doors' differences read side by side.
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
    elif view in ("include_view", "exclude_view", "sign_off_view", "retry_view", "publish_view"):
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
            data.update(add_form_data(label, world, which))
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
        elif view == "publish_view":
            data = {"note": "MX admin publication"}
            targets = [(VerdictVersion, None)]
        elif view == "retry_view":
            targets = [(ImportJob, obj.pk)]
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


def _api_url(door: Door, obj, world) -> str:
    """The door's address for ``obj``; a published version is always the first."""
    if door.id == "api:not-found":
        return "/api/v1/no-such-endpoint/"
    kwargs: dict[str, Any] = {}
    if "(?P<slug>" in door.route:
        kwargs = {"slug": getattr(obj, "slug", None) or world.extra["therapy"].slug}
    elif "(?P<pk>" in door.route:
        kwargs = {"pk": obj.pk}
    if "(?P<number>" in door.route:
        kwargs["number"] = 1
    return reverse(door.id, kwargs=kwargs)


def exercise_api(door: Door, variant: str, method: str, role: str, kind: str, which: str, world):
    """One request through one API door; see exercise()."""
    obj = world.obj(kind, which, role) if kind != "-" else None
    client = _api_client(world, role)
    action = door.actions.get(method.lower(), "")
    url = _api_url(door, obj, world)
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
    elif door.id == "api:evidence:verdict-detail" and method == "PATCH":
        body = {"summary": "MX draft summary"}
        targets = [(Verdict, obj.pk)]
    elif door.id == "api:evidence:verdict-publish":
        body = {"note": "MX publication"}
        targets = [(VerdictVersion, None)]
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
    if door.route.startswith("fhir/"):
        from .fhir import fhir_url

        obj = world.obj(kind, which, role) if kind != "-" else None
        response = getattr(_api_client(world, role), method.lower())(fhir_url(door, obj, world))
        return Outcome(response.status_code, response.get("Location", ""), body=response.content)
    if door.route.startswith("api/"):
        return exercise_api(door, variant, method, role, kind, which, world)
    return exercise_admin(door, variant, method, role, kind, which, world)
