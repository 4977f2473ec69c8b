"""Rules as data: the department's policies that flag records (cadre reminders, pool review).

An app registers rule *kinds* in code — the SQL condition a kind checks and how it words its
reason — and staff keep the *rules* as data (`orgportal.models.Rule`, edited in the admin): which
kinds are on, under what name, with what parameters. Flagging a queryset costs one query for the
rules plus the list's own query, whatever the list's size: every condition is SQL.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import models
from django.db.models import Case, Q, Value, When
from django.utils.translation import gettext_lazy as _

PURPOSES = [("reminder", _("干部提醒")), ("pool", _("年轻干部库调整"))]


@dataclass(frozen=True)
class Param:
    label: str
    default: int | str | float | list
    kind: type = int


@dataclass(frozen=True)
class RuleKind:
    """What a rule checks: `condition(params, on) -> Q` on the (prepared) queryset and
    `reason(params, row, on) -> str` worded from the row's own fields and annotations."""

    code: str
    label: str
    purpose: str
    condition: Callable[[dict, datetime.date], Q]
    reason: Callable[[dict, object, datetime.date], str]
    params: dict[str, Param] = field(default_factory=dict)
    prepare: Callable[[models.QuerySet, dict, datetime.date], models.QuerySet] | None = None

    def with_defaults(self, params: dict) -> dict:
        return {name: params.get(name, p.default) for name, p in self.params.items()}


KINDS: dict[str, RuleKind] = {}


def register(kind: RuleKind) -> RuleKind:
    KINDS[kind.code] = kind
    return kind


def kind_choices(purpose: str | None = None) -> list[tuple[str, str]]:
    return [(k.code, k.label) for k in KINDS.values() if purpose in (None, k.purpose)]


def active_rules(purpose: str) -> list:
    from .models import Rule

    return [r for r in Rule.objects.filter(purpose=purpose, active=True) if r.kind in KINDS]


def annotate_flags(queryset: models.QuerySet, rules: list, on: datetime.date) -> models.QuerySet:
    """Annotate `rule_<pk>` (true/false) for each rule; conditions are evaluated in SQL."""
    for rule in rules:
        kind, params = KINDS[rule.kind], rule.effective_params()
        if kind.prepare is not None:
            queryset = kind.prepare(queryset, params, on)
        queryset = queryset.annotate(
            **{
                f"rule_{rule.pk}": Case(
                    When(kind.condition(params, on), then=Value(True)),
                    default=Value(False),
                    output_field=models.BooleanField(),
                )
            }
        )
    return queryset


def flagged(queryset: models.QuerySet, rules: list, on: datetime.date) -> models.QuerySet:
    """The rows that break at least one of `rules`."""
    if not rules:
        return queryset.none()
    queryset = annotate_flags(queryset, rules, on)
    any_rule = Q()
    for rule in rules:
        any_rule |= Q(**{f"rule_{rule.pk}": True})
    return queryset.filter(any_rule)


def reasons(row, rules: list, on: datetime.date | None = None) -> list[str]:
    """Readable reasons for a row of an `annotate_flags` queryset (no queries)."""
    from django.utils import timezone

    on = on or timezone.localdate()
    return [
        str(KINDS[rule.kind].reason(rule.effective_params(), row, on))
        for rule in rules
        if getattr(row, f"rule_{rule.pk}", False)
    ]


def rules_for(request, purpose: str) -> list:
    """The active rules of `purpose`, read once per request (admin and API views share them)."""
    cache = request.__dict__.setdefault("_orgportal_rules", {})
    if purpose not in cache:
        cache[purpose] = active_rules(purpose)
    return cache[purpose]


def filter_by_rule(queryset: models.QuerySet, value: str, rules: list, on: datetime.date | None = None):
    """Rows breaking any of `rules` (`value` "any") or the rule with id `value`."""
    from django.utils import timezone

    chosen = rules if value == "any" else [r for r in rules if str(r.pk) == str(value)]
    if not chosen:
        return queryset.none()
    missing = [r for r in chosen if f"rule_{r.pk}" not in queryset.query.annotations]
    queryset = annotate_flags(queryset, missing, on or timezone.localdate())
    condition = Q()
    for rule in chosen:
        condition |= Q(**{f"rule_{rule.pk}": True})
    return queryset.filter(condition)


def broken_rules(row, rules: list) -> list:
    """The rules a row of an `annotate_flags` queryset breaks."""
    return [rule for rule in rules if getattr(row, f"rule_{rule.pk}", False)]
