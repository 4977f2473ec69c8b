"""学时台账: each cadre's hours in a year against the requirement (HoursRequirement), as queryset
annotations — correlated subqueries in the cadres' one SELECT, so the number of queries is the same
for one cadre or a hundred thousand (plus one to read the requirements).

How hours are counted for year Y:
- class_hours: Enrolment.hours_credited of the cadre's 结业 enrolments whose class ended
  (TrainingClass.end_date) in Y;
- external_hours: the hours of the cadre's 已认可 ExternalHours of year Y (pending and rejected
  entries never count), whatever their kind;
- online_hours: 已认可 ExternalHours of kind 网络培训 plus class hours of classes of kind 网络培训;
- total = class_hours + external_hours (online hours are part of them, not added again).
The requirement (组织调训 kind: counting 'all' or 'classes') is the first active HoursRequirement in
`priority` order that applies to the cadre (职务层次 or 职级 in its lists); its window is Y and the
`window_years − 1` years before it: window_total is what the requirement counts over those years
('all': class + external hours; 'classes': class hours only), shortfall = required − window_total
(not below 0), met = window_total ≥ required. A cadre no requirement applies to has required,
shortfall and met null. The online requirement (counting 'online') is reported alongside
(online_required, online_window_total, online_met) and does not change `met`.
in_grace: not met, but the cadre took up the current post (post_since) within the requirement's
catch_up_years before the end of Y (提任后1年内补足).
"""

import datetime
from decimal import Decimal

from django.db import models
from django.db.models import (
    BooleanField,
    Case,
    DecimalField,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from orgportal.codes import ClassKind, EnrolmentStatus, ReviewResult

from .models import Enrolment, ExternalHours, ExternalHoursKind, HoursCounting, HoursRequirement

HOURS_FIELD = DecimalField(max_digits=8, decimal_places=1)
ZERO = Value(Decimal(0), output_field=HOURS_FIELD)
MAIN = (HoursCounting.ALL, HoursCounting.CLASSES)


def requirements() -> list[HoursRequirement]:
    """The active requirements in the order they are tried (one query)."""
    return list(HoursRequirement.objects.filter(active=True).order_by("priority", "id"))


def _sum(queryset: models.QuerySet, field: str):
    """The sum of `field` over `queryset`'s rows of the outer cadre, 0 when none."""
    total = queryset.filter(cadre=OuterRef("pk")).order_by().values("cadre").annotate(total=Sum(field))
    return Coalesce(Subquery(total.values("total"), output_field=HOURS_FIELD), ZERO)


def _classes(first: int, last: int, **extra) -> models.QuerySet:
    return Enrolment.objects.filter(
        status=EnrolmentStatus.COMPLETED,
        training_class__end_date__gte=datetime.date(first, 1, 1),
        training_class__end_date__lte=datetime.date(last, 12, 31),
        **extra,
    )


def _external(first: int, last: int, **extra) -> models.QuerySet:
    return ExternalHours.objects.filter(
        status=ReviewResult.APPROVED, year__gte=first, year__lte=last, **extra
    )


def _counted(counting: str, first: int, last: int):
    """What a requirement of `counting` counts over the years first…last, for the outer cadre."""
    if counting == HoursCounting.ONLINE:
        return _sum(_external(first, last, kind=ExternalHoursKind.ONLINE), "hours") + _sum(
            _classes(first, last, training_class__kind=ClassKind.ONLINE), "hours_credited"
        )
    classes = _sum(_classes(first, last), "hours_credited")
    if counting == HoursCounting.CLASSES:
        return classes
    return classes + _sum(_external(first, last), "hours")


def _by_requirement(rules: list[HoursRequirement], value) -> Case:
    """Case over the rules in order: `value(rule)` for the first that applies to the cadre."""
    return Case(
        *[When(rule.applies_q(), then=value(rule)) for rule in rules],
        default=Value(None),
        output_field=HOURS_FIELD,
    )


def with_hours(cadres: models.QuerySet, *, year: int, rules: list[HoursRequirement] | None = None):
    """`cadres` annotated with the ledger of `year` (see the module docstring)."""
    rules = requirements() if rules is None else rules
    main = [rule for rule in rules if rule.counting in MAIN]
    online = [rule for rule in rules if rule.counting == HoursCounting.ONLINE]
    windows: dict[tuple[str, int], object] = {}

    def window_total(rule):
        key = (rule.counting, rule.window_years)
        if key not in windows:
            windows[key] = _counted(rule.counting, year - rule.window_years + 1, year)
        return windows[key]

    def years(rule):
        return Value(rule.window_years)

    def required(rule):
        return Value(rule.hours, output_field=HOURS_FIELD)

    def grace_from(rule):
        # took up the post after this day → still within the catch-up period at the end of the year
        if not rule.catch_up_years:
            return Value(None, output_field=models.DateField())
        return Value(datetime.date(year - rule.catch_up_years, 12, 31), output_field=models.DateField())

    cadres = cadres.annotate(
        class_hours=_sum(_classes(year, year), "hours_credited"),
        external_hours=_sum(_external(year, year), "hours"),
        online_hours=_counted(HoursCounting.ONLINE, year, year),
        required=_by_requirement(main, required),
        window_years=Case(
            *[When(rule.applies_q(), then=years(rule)) for rule in main],
            default=Value(None),
            output_field=models.PositiveSmallIntegerField(),
        ),
        window_total=Case(
            *[When(rule.applies_q(), then=window_total(rule)) for rule in main],
            default=Value(None),
            output_field=HOURS_FIELD,
        ),
        online_required=_by_requirement(online, required),
        online_window_total=Case(
            *[When(rule.applies_q(), then=window_total(rule)) for rule in online],
            default=Value(None),
            output_field=HOURS_FIELD,
        ),
        grace_from=Case(
            *[When(rule.applies_q(), then=grace_from(rule)) for rule in main],
            default=Value(None),
            output_field=models.DateField(),
        ),
    ).annotate(
        total=ExpressionWrapper(F("class_hours") + F("external_hours"), output_field=HOURS_FIELD),
        shortfall=Case(  # not Greatest(): SQLite's answers NULL where PostgreSQL's skips it
            When(required__isnull=True, then=Value(None)),
            When(window_total__gte=F("required"), then=ZERO),
            default=ExpressionWrapper(F("required") - F("window_total"), output_field=HOURS_FIELD),
            output_field=HOURS_FIELD,
        ),
        met=Case(
            When(required__isnull=True, then=Value(None)),
            When(window_total__gte=F("required"), then=Value(True)),
            default=Value(False),
            output_field=BooleanField(null=True),
        ),
        online_met=Case(
            When(online_required__isnull=True, then=Value(None)),
            When(online_window_total__gte=F("online_required"), then=Value(True)),
            default=Value(False),
            output_field=BooleanField(null=True),
        ),
    )
    return cadres.annotate(
        in_grace=Case(
            When(Q(met=False, grace_from__isnull=False, post_since__gt=F("grace_from")), then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        )
    )


def short(cadres: models.QuerySet) -> models.QuerySet:
    """未达标: ledger-annotated cadres a requirement applies to whose window total falls short."""
    return cadres.filter(met=False)


def hours_owed(cadres: models.QuerySet) -> models.QuerySet:
    """Ledger-annotated cadres with `owed`: the shortfall, 0 when met or no requirement applies."""
    return cadres.annotate(owed=Coalesce(F("shortfall"), ZERO))
