"""Jurisdiction and sensitive-field masking: the only place that knows who sees what.

Every domain model (a subclass of OrgModel) declares `jurisdiction` — the field path from the
record to its Unit ("unit", "cadre__unit"), "self" for Unit, or None for a global model — and
`sensitive_fields`. The admin, the API and every export call `scope()` and `mask()`; none of them
filters by hand.
"""

import re
from collections.abc import Iterable
from functools import reduce
from operator import or_

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

VIEW_ALL_UNITS = "orgportal.view_all_units"
VIEW_SENSITIVE = "orgportal.view_sensitive"
KERNEL_APPS = ("orgportal",)


def _project_apps() -> tuple[str, ...]:
    from django.conf import settings

    return (*KERNEL_APPS, *settings.ORGPORTAL_APPS)


def domain_models() -> list[type[models.Model]]:
    """Every concrete model of the kernel and the apps (historical shadow models excluded)."""
    project = _project_apps()
    return [
        m
        for m in apps.get_models()
        if m._meta.app_label in project and not m.__name__.startswith("Historical")
    ]


def jurisdiction_registry() -> dict[type[models.Model], str | None]:
    """Model → its declared path to a Unit (None: declared global). Undeclared models are absent."""
    return {m: m.jurisdiction for m in domain_models() if hasattr(m, "jurisdiction")}


def unit_path_field(model: type[models.Model]) -> str | None:
    """The lookup reaching the unit's materialised path, e.g. "cadre__unit__path"; None if global
    (models outside the project, such as User, are global)."""
    declared = getattr(model, "jurisdiction", None)
    if declared is None:
        return None
    return "path" if declared == "self" else f"{declared}__path"


def unit_field(model: type[models.Model]) -> str | None:
    """The lookup reaching the Unit itself ("" for Unit), or None for a global model."""
    declared = getattr(model, "jurisdiction", None)
    if declared is None:
        return None
    return "" if declared == "self" else declared


def can_see_all(user) -> bool:
    return bool(user and user.is_active and (user.is_superuser or user.has_perm(VIEW_ALL_UNITS)))


def can_view_sensitive(user, model: type[models.Model] | None = None) -> bool:
    """Whether `user` sees sensitive values unmasked: of every model with orgportal.view_sensitive
    (the sections that manage cadres' full records), or — given `model` — of that model with the
    permission it declares as `sensitive_permission` (a section that manages that model's records, as
    人才办 its talents' ID numbers, without seeing the cadres')."""
    if not (user and user.is_active):
        return False
    if user.has_perm(VIEW_SENSITIVE):
        return True
    permission = getattr(model, "sensitive_permission", None)
    return bool(permission and user.has_perm(permission))


def user_unit_paths(user) -> tuple[str, ...] | None:
    """The path prefixes of the user's jurisdiction; None means every unit. Cached on the user."""
    if can_see_all(user):
        return None
    if not getattr(user, "is_authenticated", False):
        return ()
    cached = getattr(user, "_orgportal_unit_paths", None)
    if cached is None:
        from .models import Unit

        cached = tuple(Unit.objects.filter(assignments__user=user).values_list("path", flat=True))
        user._orgportal_unit_paths = cached
    return cached


def subtree_q(lookup: str, paths: Iterable[str]) -> Q:
    """Records whose unit path starts with any of `paths` (each an indexed prefix match)."""
    paths = [p for p in paths if p]
    if not paths:
        return Q(pk__in=[])
    return reduce(or_, (Q(**{f"{lookup}__startswith": p}) for p in paths))


def scope(queryset: models.QuerySet, user) -> models.QuerySet:
    """The part of `queryset` inside the user's jurisdiction."""
    lookup = unit_path_field(queryset.model)
    if lookup is None:
        return queryset
    paths = user_unit_paths(user)
    if paths is None:
        return queryset
    return queryset.filter(subtree_q(lookup, paths))


def anchor_unit_path(instance: models.Model) -> str | None:
    """The unit path a record has (or will have once saved); None if it reaches no unit yet."""
    declared = getattr(type(instance), "jurisdiction", None)
    if declared is None:
        return None
    if declared == "self":
        return instance.prospective_path() if (instance.parent_id or instance.pk) else ""
    obj = instance
    for part in declared.split("__"):
        obj = getattr(obj, part, None)
        if obj is None:
            return None
    return obj.path


def in_jurisdiction(user, instance: models.Model) -> bool:
    """Whether a record (as it is now) lies inside the user's jurisdiction; global records always do."""
    paths = user_unit_paths(user)
    if paths is None or getattr(type(instance), "jurisdiction", None) is None:
        return True
    anchor = anchor_unit_path(instance) or ""
    return any(anchor.startswith(p) for p in paths)


def check_writable(user, instance: models.Model) -> None:
    """Raise ValidationError (on the field that places the record) unless the record, as it is
    about to be saved, lies inside the user's jurisdiction."""
    model = type(instance)
    if getattr(model, "jurisdiction", None) is None:
        return
    paths = user_unit_paths(user)
    if paths is None:
        return
    path = anchor_unit_path(instance)
    if path is not None and any(path.startswith(p) for p in paths):
        return
    field = "parent" if model.jurisdiction == "self" else model.jurisdiction.split("__")[0]
    raise ValidationError({field: _("所选单位不在您的管辖范围内")})


ID_LIKE = re.compile(r"^[0-9A-Za-z]{15,18}$")


def mask(value) -> str:
    """Mask a sensitive value: ID numbers keep region and last four (110105********002X), short
    values their first character (健*), free text nothing at all (******, whatever its length)."""
    if value is None or value == "":
        return ""
    text = str(value)
    if ID_LIKE.match(text):
        return text[:6] + "*" * (len(text) - 10) + text[-4:]
    if len(text) > 4:
        return "******"
    if len(text) >= 2:
        return text[0] + "*" * (len(text) - 1)
    return "*"


def masked_fields(model: type[models.Model], user) -> tuple[str, ...]:
    """The fields of `model` the user must see masked (none with orgportal.view_sensitive)."""
    sensitive = getattr(model, "sensitive_fields", ())
    if not sensitive or can_view_sensitive(user, model):
        return ()
    return tuple(sensitive)


def sensitive_fields(model: type[models.Model]) -> tuple[str, ...]:
    """The fields `model` declares sensitive (none for models outside the project)."""
    return tuple(getattr(model, "sensitive_fields", ()))


HARD_DELETE = "orgportal.hard_delete"


def may_hard_delete(user, model: type[models.Model]) -> bool:
    """Whether `user` may delete records of `model` outright. A model declaring `hard_delete = False`
    (cadres, talents, enrolments: their end is a status) is deleted only by superusers and holders of
    orgportal.hard_delete; other models leave it to the ordinary delete permission."""
    if getattr(model, "hard_delete", True):
        return True
    return bool(user and user.is_active and user.has_perm(HARD_DELETE))
