"""The 任免 procedure as shipped (staff edit it in the admin: 任免程序配置), and the sections'
permissions on appointment cases."""

from decimal import Decimal

from django.db import migrations

from orgportal.sections import grant, model_perms

ALL = ["proposal", "talk", "recommendation", "inspection", "check", "decision", "publicity", "appointment"]
PROCEDURE = {
    "promotion": ALL,
    "further_use": [s for s in ALL if s != "publicity"],
    "lateral": [s for s in ALL if s not in ("recommendation", "publicity")],
    "rank_promotion": [s for s in ALL if s != "talk"],
    "removal": ["proposal", "decision", "appointment"],
    "retirement": ["proposal", "decision", "appointment"],
}
RECOMMENDATION_SHARE = Decimal("0.5")  # 同意票占有效票的最低比例
CASES = ["appointmentcase", "appointmentstep", "publicityobjection"]
CONFIG = ["steprequirement"]


def forwards(apps, schema_editor):
    StepRequirement = apps.get_model("cadres", "StepRequirement")
    for kind, steps in PROCEDURE.items():
        for order, step in enumerate(steps, 1):
            share = RECOMMENDATION_SHARE if step == "recommendation" else None
            StepRequirement.objects.get_or_create(
                case_kind=kind, step=step, defaults={"order": order * 10, "min_share": share}
            )
    grant(apps, ["干部科"], "cadres", model_perms(CASES + CONFIG))
    grant(apps, ["县区组织部"], "cadres", model_perms(CASES))
    grant(apps, ["干监科", "县区组织部", "只读"], "cadres", model_perms(CASES + CONFIG, ["view"]))


class Migration(migrations.Migration):
    dependencies = [("cadres", "0007_appointments"), ("orgportal", "0002_section_groups")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
