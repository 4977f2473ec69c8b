"""What each section may do with training records (jurisdiction still limits which records)."""

from django.db import migrations

from orgportal.sections import ALL_SECTIONS, grant, model_perms

EVERYTHING = [
    "trainingplan",
    "planquota",
    "venue",
    "teacher",
    "trainingclass",
    "course",
    "enrolment",
    "attendance",
]
COUNTY_WRITES = ["enrolment", "attendance"]  # a county sends its cadres and keeps their attendance


def grant_sections(apps, schema_editor):
    grant(apps, ALL_SECTIONS, "training", model_perms(EVERYTHING, ["view"]))
    grant(apps, ["培训办"], "training", model_perms(EVERYTHING))
    grant(apps, ["县区组织部"], "training", model_perms(COUNTY_WRITES, ["add", "change"]))


class Migration(migrations.Migration):
    dependencies = [("training", "0001_initial"), ("orgportal", "0002_section_groups")]

    operations = [migrations.RunPython(grant_sections, migrations.RunPython.noop)]
