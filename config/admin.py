"""Admin pieces every app shares.

``SimpleHistoryAdmin`` is django-simple-history's, with one fix: its history form view
(the "Revert" page) hides the Revert button from users who may only view, but saves a
POST from anyone who may view the history (simple_history 3.13), so a view-only user
could revert an object by posting the form. Here a POST needs the change permission.
"""

from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from simple_history.admin import SimpleHistoryAdmin as BaseSimpleHistoryAdmin


class SimpleHistoryAdmin(BaseSimpleHistoryAdmin):
    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method == "POST":
            obj = self.get_object(request, unquote(object_id))
            if not self.has_change_history_permission(request, obj) or self.revert_disabled(
                request, obj
            ):
                raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)
