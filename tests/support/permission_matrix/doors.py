"""The matrix's roles and symbols, and the doors: every admin and API URL pattern with the
HTTP methods that matter for it."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.urls import URLPattern, URLResolver, get_resolver

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
    "publish_view": ("POST",),
    "include_view": ("POST",),
    "exclude_view": ("POST",),
    "retry_view": ("POST",),
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
    """Every pattern under /admin/, /api/ and /fhir/, each with the methods that reach a
    view."""
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
            if not route.startswith(("admin/", "api/", "fhir/")):
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
