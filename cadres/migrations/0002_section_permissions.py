"""What each section may do with cadre records (jurisdiction still limits which records)."""

from django.db import migrations

from orgportal.sections import ALL_SECTIONS, grant, model_perms

RECORD = ["cadre", "resumeentry", "familymember", "annualassessment", "reward", "movement"]
SUPERVISION = ["sanction", "cadrewarning", "supervisionmeasure", "personalmattersreport", "promotioncheck"]
ARCHIVE = ["archivereview", "archivefinding"]
EVERYTHING = RECORD + SUPERVISION + ARCHIVE


def grant_sections(apps, schema_editor):
    grant(apps, ALL_SECTIONS, "cadres", model_perms(RECORD, ["view"]))
    grant(apps, ["干部科", "县区组织部"], "cadres", model_perms(RECORD))
    grant(apps, ["干部科", "干监科", "干档科", "县区组织部", "只读"], "cadres", model_perms(SUPERVISION + ARCHIVE, ["view"]))
    grant(apps, ["干监科", "县区组织部"], "cadres", model_perms(SUPERVISION))
    grant(apps, ["干档科", "县区组织部"], "cadres", model_perms(ARCHIVE))
    grant(apps, ["干部科"], "cadres", ["add_promotioncheck"])


class Migration(migrations.Migration):
    dependencies = [("cadres", "0001_initial"), ("orgportal", "0002_section_groups")]

    operations = [migrations.RunPython(grant_sections, migrations.RunPython.noop)]
