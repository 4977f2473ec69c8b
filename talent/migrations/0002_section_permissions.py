"""What each section may do with talent records (jurisdiction still limits which records)."""

from django.db import migrations

from orgportal.sections import ALL_SECTIONS, grant, model_perms

PROGRAMMES = ["talentprogramme"]  # global: the same list for every unit
SCOPED = ["talent", "selection", "certification", "talentcard", "servicerequest"]
EVERYTHING = PROGRAMMES + SCOPED


def grant_sections(apps, schema_editor):
    grant(apps, ALL_SECTIONS, "talent", model_perms(EVERYTHING, ["view"]))
    grant(apps, ["人才办"], "talent", model_perms(EVERYTHING))
    grant(apps, ["县区组织部"], "talent", model_perms(SCOPED))


class Migration(migrations.Migration):
    dependencies = [("talent", "0001_initial"), ("orgportal", "0002_section_groups")]

    operations = [migrations.RunPython(grant_sections, migrations.RunPython.noop)]
