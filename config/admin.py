"""Admin pieces every app shares: every admin class asks the object rule.

``ModelAdmin``, ``SimpleHistoryAdmin``, ``TabularInline`` and ``StackedInline`` here are
Django's and django-simple-history's with their permission hooks answered by
``user.has_perm(perm, obj)``, which ``evidence.permissions.ObjectRuleBackend`` decides
for every object (Django's own hooks ignore the object). The rows they list, and the
objects their foreign-key fields offer, are those the same backend lets the user act on
(``rule_queryset``): a limited editor neither sees nor picks anything outside their
scope, and bulk actions and list_editable (checked by Django without an object) cannot
reach it. A form saved through them is checked once more after validation, on the
object as stored and as it will be saved, so a change cannot move an object somewhere
its editor has no rights (another condition, a history revert to an old version
elsewhere). Every registered admin class of ours derives from these; a test walks the
registry. The rule itself is reached through the auth backends, so this module (below
every app) imports none of them.

simple-history's history form view (the "Revert" page) saves a POST from anyone who may
view the history (simple_history 3.13) and checks the object as it was, not as it is;
here a POST needs the change permission on the object as it is now.
"""

from __future__ import annotations

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.contrib.auth import get_backends, get_permission_codename
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from simple_history.admin import SimpleHistoryAdmin as BaseSimpleHistoryAdmin

OUT_OF_RIGHTS = "You may not save this: it would be outside your editing rights (%(why)s)."


def _perm(opts, action: str) -> str:
    return f"{opts.app_label}.{get_permission_codename(action, opts)}"


def rule_queryset(user, queryset):
    """``queryset`` narrowed to the rows ``user`` may act on, by every auth backend that
    can say (evidence.permissions.ObjectRuleBackend.filter_queryset)."""
    for backend in get_backends():
        narrow = getattr(backend, "filter_queryset", None)
        if narrow is not None:
            queryset = narrow(user, queryset)
    return queryset


# The field an editor should change when a save would leave their rights.
_PLACING_FIELDS = ("condition", "parent", "verdict")


def rule_checked_form(form_class, user):
    """``form_class`` whose validation also asks the object rule about the result:
    the object as it will be saved and as it is stored must both be the user's."""

    class RuleCheckedForm(form_class):
        def _post_clean(self):
            super()._post_clean()
            if self.errors:
                return
            model = type(self.instance)
            stored = (
                model._default_manager.filter(pk=self.instance.pk).first()
                if self.instance.pk is not None
                else None
            )
            perm = _perm(model._meta, "add" if stored is None else "change")
            if not user.has_perm(perm, self.instance):
                field = next((name for name in _PLACING_FIELDS if name in self.fields), None)
                self.add_error(field, OUT_OF_RIGHTS % {"why": "outside your editor scope"})
            elif stored is not None and not user.has_perm(perm, stored):
                self.add_error(None, OUT_OF_RIGHTS % {"why": "as stored, it is not yours"})

    RuleCheckedForm.__name__ = form_class.__name__
    return RuleCheckedForm


class RuleChoicesMixin:
    """Foreign-key choices: only the objects the user may act on. ``required_foreign_keys``
    names keys the form must have although the column allows null (a source that rows
    from before a rule could lack)."""

    required_foreign_keys: tuple[str, ...] = ()

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name in self.required_foreign_keys:
            kwargs["required"] = True
        if "queryset" not in kwargs:
            related = db_field.remote_field.model._default_manager.all()
            narrowed = rule_queryset(request.user, related)
            if narrowed is not related:
                kwargs["queryset"] = narrowed
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class ObjectPermissionMixin(RuleChoicesMixin):
    """has_view / change / delete_permission with an object ask the object rule; lists
    show only the rows the rule allows."""

    def get_queryset(self, request):
        return rule_queryset(request.user, super().get_queryset(request))

    def _has_object_perm(self, request, action: str, obj) -> bool:
        return request.user.has_perm(_perm(self.opts, action), obj)

    def has_view_permission(self, request, obj=None):
        if obj is None:
            return super().has_view_permission(request, obj)
        return self._has_object_perm(request, "view", obj) or self._has_object_perm(
            request, "change", obj
        )

    def has_change_permission(self, request, obj=None):
        if obj is None:
            return super().has_change_permission(request, obj)
        return self._has_object_perm(request, "change", obj)

    def has_delete_permission(self, request, obj=None):
        if obj is None:
            return super().has_delete_permission(request, obj)
        return self._has_object_perm(request, "delete", obj)

    def get_form(self, request, obj=None, *args, **kwargs):
        return rule_checked_form(super().get_form(request, obj, *args, **kwargs), request.user)


class InlinePermissionMixin(RuleChoicesMixin):
    """An inline's rights on its parent object (``obj`` is the parent in Django's hooks),
    its rows narrowed by the rule, and each of its forms checked like a change form."""

    def get_queryset(self, request):
        return rule_queryset(request.user, super().get_queryset(request))

    def get_formset(self, request, obj=None, **kwargs):
        kwargs.setdefault("form", rule_checked_form(self.form, request.user))
        return super().get_formset(request, obj, **kwargs)

    def _has_parent_perm(self, request, action: str, obj) -> bool:
        return request.user.has_perm(_perm(self.opts, action), obj)

    def has_add_permission(self, request, obj=None):
        allowed = super().has_add_permission(request, obj)
        return allowed and (obj is None or self._has_parent_perm(request, "add", obj))

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or self._has_parent_perm(request, "change", obj))

    def has_delete_permission(self, request, obj=None):
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or self._has_parent_perm(request, "delete", obj))

    def has_view_permission(self, request, obj=None):
        allowed = super().has_view_permission(request, obj)
        return allowed and (
            obj is None
            or self._has_parent_perm(request, "view", obj)
            or self._has_parent_perm(request, "change", obj)
        )


class ModelAdmin(ObjectPermissionMixin, admin.ModelAdmin):
    pass


class TabularInline(InlinePermissionMixin, admin.TabularInline):
    pass


class StackedInline(InlinePermissionMixin, admin.StackedInline):
    pass


class SimpleHistoryAdmin(ObjectPermissionMixin, BaseSimpleHistoryAdmin):
    def _hidden(self, request, object_id) -> bool:
        """Stored, but not among the objects this admin lists for the user: its history
        is as hidden as its change page. (A deleted object's history stays reachable to
        those the rule lets see its last version.)"""
        pk = unquote(object_id)
        try:
            stored = self.model._default_manager.filter(pk=pk).exists()
            return stored and not self.get_queryset(request).filter(pk=pk).exists()
        except (ValueError, TypeError, ValidationError):
            return False

    def history_view(self, request, object_id, extra_context=None):
        if self._hidden(request, object_id):
            raise Http404("No such object, or not one of yours.")
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if self._hidden(request, object_id):
            raise Http404("No such object, or not one of yours.")
        if request.method == "POST":
            current = self.get_object(request, unquote(object_id))
            if current is None:
                raise Http404("No such object, or not one of yours.")
            if not self.has_change_history_permission(request, current) or self.revert_disabled(
                request, current
            ):
                raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)
