"""Give the Editor, Reviewer and Viewer groups exactly their permissions again."""

from django.core.management.base import BaseCommand

from evidence.editorial.roles import roles_sync


class Command(BaseCommand):
    help = (
        "Create the Editor, Reviewer and Viewer groups if missing and reset their "
        "permissions to evidence.editorial.roles (run after adding models)."
    )

    def handle(self, *args, **options) -> None:
        for role, count in roles_sync().items():
            self.stdout.write(f"{role}: {count} permissions")
