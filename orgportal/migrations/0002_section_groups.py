"""The sections' permission groups and the kernel permissions each needs."""

from django.db import migrations

from orgportal.sections import ALL_SECTIONS, grant


def create_groups(apps, schema_editor):
    grant(apps, ALL_SECTIONS, "orgportal", ["view_unit"])
    grant(apps, ["干部科", "县区组织部"], "orgportal", ["add_unit", "change_unit"])
    grant(apps, ["干部科"], "orgportal", ["view_unitassignment"])
    grant(apps, ["干部科", "干监科", "干档科"], "orgportal", ["view_sensitive"])


class Migration(migrations.Migration):
    dependencies = [
        ("orgportal", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_groups, migrations.RunPython.noop)]
