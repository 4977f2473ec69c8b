"""The department's sections as permission groups, and what each needs.

Data migrations call `grant()` (the kernel's in 0002, each app's as it lands), so a fresh database
has the groups ready. Jurisdiction is separate: a user's units (UnitAssignment) decide which
records a group's permissions apply to.
"""

from django.utils.translation import gettext_lazy as _

SECTIONS = {
    "干部科": _("干部任免、领导班子、进退留转"),
    "综干科": _("优秀年轻干部库、培养计划、实践锻炼"),
    "干监科": _("干部监督：提醒函询诫勉、预警、个人有关事项"),
    "干档科": _("干部档案专项审核"),
    "培训办": _("干部教育培训"),
    "人才办": _("人才工作"),
    "县区组织部": _("县（市、区）委组织部，限本县区"),
    "只读": _("只读查询"),
}

ALL_SECTIONS = tuple(SECTIONS)


def ensure_permissions(apps) -> None:
    """Create the Permission rows now (Django otherwise adds them only after all migrations)."""
    from django.contrib.auth.management import create_permissions

    for config in apps.get_app_configs():
        config.models_module = True
        create_permissions(config, verbosity=0, apps=apps)
        config.models_module = None


def grant(apps, groups, app_label: str, codenames) -> None:
    """Give each of `groups` the permissions `app_label.codename` (created if missing)."""
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    ensure_permissions(apps)
    perms = list(Permission.objects.filter(content_type__app_label=app_label, codename__in=list(codenames)))
    missing = set(codenames) - {p.codename for p in perms}
    if missing:
        raise LookupError(f"unknown permissions {app_label}: {sorted(missing)}")
    for name in groups:
        group, _created = Group.objects.get_or_create(name=name)
        group.permissions.add(*perms)


def model_perms(model_names, actions=("view", "add", "change", "delete")) -> list[str]:
    return [f"{action}_{model}" for model in model_names for action in actions]
