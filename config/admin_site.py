"""The admin site: Evidentia's name in its header and title, and the infrastructure apps
(accounts and groups, API tokens, login lockouts, beat schedules) for superusers only.

Those apps hold no evidence. Django's model permissions would already keep every
editorial role out of them (no role is granted any of them, see evidence.editorial.roles),
but a staff account given a stray permission would then meet them beside the evidence.
Here they answer to superusers alone whatever permissions an account holds: absent from
the index and the app pages, and every one of their views refused (403).

Installed in place of ``django.contrib.admin`` (INSTALLED_APPS): ``default_site`` makes
this class ``admin.site``, so every app's ``@admin.register`` lands here.
"""

from __future__ import annotations

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.db.models.base import ModelBase

INFRASTRUCTURE_APPS = frozenset({"auth", "authtoken", "axes", "django_celery_beat"})


def _is_superuser(request) -> bool:
    user = request.user
    return bool(user.is_active and user.is_superuser)


class SuperusersOnlyMixin:
    """Every permission hook of a ModelAdmin, answered only for superusers."""

    def has_module_permission(self, request):
        return _is_superuser(request) and super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return _is_superuser(request) and super().has_view_permission(request, obj)

    def has_add_permission(self, request, *args):
        return _is_superuser(request) and super().has_add_permission(request, *args)

    def has_change_permission(self, request, obj=None):
        return _is_superuser(request) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return _is_superuser(request) and super().has_delete_permission(request, obj)


class EvidentiaAdminSite(admin.AdminSite):
    site_header = "Evidentia"
    site_title = "Evidentia"
    index_title = "Evidence curation"

    def register(self, model_or_iterable, admin_class=None, **options):
        models = (
            [model_or_iterable] if isinstance(model_or_iterable, ModelBase) else model_or_iterable
        )
        for model in models:
            model_admin = admin_class or admin.ModelAdmin
            if model._meta.app_label in INFRASTRUCTURE_APPS:
                model_admin = type(model_admin.__name__, (SuperusersOnlyMixin, model_admin), {})
            super().register(model, model_admin, **options)


class EvidentiaAdminConfig(AdminConfig):
    default_site = "config.admin_site.EvidentiaAdminSite"
