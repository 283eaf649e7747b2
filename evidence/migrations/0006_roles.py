"""The Editor, Reviewer and Viewer groups (see evidence.editorial.roles).

Permissions are normally created after migrate (post_migrate); they are created here
first, for every app, so that the groups can be given them.
"""

from django.db import migrations

from evidence.editorial.roles import ROLES, roles_sync_in_migration


def create_groups(apps, schema_editor):
    roles_sync_in_migration(apps)


def delete_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLES).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("evidence", "0005_review_reasons_as_dicts"),
        ("references", "0003_periodic_refresh"),
        ("therapies", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_groups, delete_groups)]
