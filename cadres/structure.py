"""梯次配备: the structure of the cadre corps and of the young-cadre pool, counted in SQL.

Every figure comes from one aggregate or one grouped query (`values().annotate(Count())`, with
Case/When for age bands and Least for 最高学历) over the cadre queryset the caller passes, already
scoped to the user's jurisdiction (`orgportal.access.scope`): the number of queries is the same for
five cadres or a hundred thousand. Python only labels the handful of grouped rows.

How age is counted: full years (周岁) on the reference date `on` — today unless given — with the
birthday itself counting (as `orgportal.validators.age_on`). When only the year and month of birth
are known (rosters write `1985.03`), the birth date is stored as the 1st of that month, so such a
cadre is counted a year older from the first day of the birth month: at most one month early, never
late. The cadre list's 年龄段 filter counts the same way, so its numbers and these always agree.

What is counted: the cadres report counts serving cadres (status 在职) unless another status is
asked for; the pool report counts open memberships (在库), whatever the member's status, and the
pool's flow counts every membership, open or closed, by the year it began and the year it ended.
Everything but age is as recorded now (unit, 职务层次, education): `on` moves only the age.
"""

import datetime
from collections.abc import Mapping, Sequence

from django import forms
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Avg, Case, Count, Q, Value, When
from django.db.models.functions import Cast, ExtractYear, Least, Substr
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from orgportal import access, codes
from orgportal.models import Unit
from orgportal.reports import (
    ReportForm,
    ReportQuerySerializer,
    ReportViewSet,
    code_ref,
    code_rows,
    in_subtree,
    percent,
    report_form,
    report_page,
    subtree_unit,
    unit_ref,
    validated,
)

from .filters import EDUCATION_LEVELS
from .models import AGE_BANDS, NON_PARTY_CODES, Cadre, PoolMembership, birth_range_for_age

Bands = Mapping[str, tuple[int, int]]  # label → (min age, max age), inclusive

OLDEST = 200  # the upper bound of the last band
NO_EDUCATION = 10  # neither 学历 recorded: sorts after every level digit (1 研究生 … 9 其他)
EDUCATION_ROWS = [*EDUCATION_LEVELS, ("90", _("其他")), ("", _("未填写"))]
NO_LEVEL = ("", _("未定职务层次"))
PROMOTED = codes.PoolExitReason.PROMOTED
REQUIRED_PERMS = {  # what each report counts decides what it needs to be seen
    "cadres": ("cadres.view_cadre",),
    "pool": ("cadres.view_cadre", "cadres.view_poolmembership"),
}
TITLES = {"cadres": _("干部队伍结构"), "pool": _("年轻干部库结构")}


# --- bands and SQL expressions -------------------------------------------------------------------
def age_bands(limits: Sequence[int]) -> dict[str, tuple[int, int]]:
    """Bands from their upper limits: (35, 40, 45, 50, 55) gives AGE_BANDS (35岁及以下 … 56岁及以上)."""
    limits = [int(limit) for limit in limits]
    if not limits or limits[0] < 1 or any(b <= a for a, b in zip(limits, limits[1:], strict=False)):
        raise ValueError(_("年龄段上限应为递增的正整数，如 35,40,45,50,55"))
    bands = {f"{limits[0]}岁及以下": (0, limits[0])}
    for previous, high in zip(limits, limits[1:], strict=False):
        low = previous + 1
        bands[f"{low}岁" if low == high else f"{low}-{high}岁"] = (low, high)
    bands[f"{limits[-1] + 1}岁及以上"] = (limits[-1] + 1, OLDEST)
    return bands


def parse_age_bands(text: str) -> dict[str, tuple[int, int]]:
    """`"35,40,45,50,55"` (commas, Chinese commas or spaces) → bands; ValueError if malformed."""
    parts = text.replace("，", ",").replace(" ", ",").split(",")
    try:
        limits = [int(part) for part in parts if part]
    except ValueError:
        raise ValueError(_("年龄段上限应为递增的正整数，如 35,40,45,50,55")) from None
    return age_bands(limits)


def age_expression(on: datetime.date) -> models.Expression:
    """Full years of age on `on`, in SQL: the year difference, less one before the birthday."""
    birthday_ahead = Q(birth_date__month__gt=on.month) | Q(
        birth_date__month=on.month, birth_date__day__gt=on.day
    )
    return (
        Value(on.year)
        - ExtractYear("birth_date")
        - Case(When(birthday_ahead, then=Value(1)), default=Value(0), output_field=models.IntegerField())
    )


def band_expression(bands: Bands, on: datetime.date) -> Case:
    """The band label of each cadre on `on` (birth-date ranges, as CadreQuerySet.aged())."""
    return Case(
        *(
            When(birth_date__range=birth_range_for_age(low, high, on), then=Value(label))
            for label, (low, high) in bands.items()
        ),
        default=Value(""),
        output_field=models.CharField(),
    )


def _education_digit(field: str) -> Case:
    return Case(
        When(**{field: ""}, then=Value(NO_EDUCATION)),
        default=Cast(Substr(field, 1, 1), models.IntegerField()),
        output_field=models.IntegerField(),
    )


def education_level_expression() -> Least:
    """最高学历's level digit (1 研究生, 2 大学本科 …): the higher of 全日制 and 在职 (the lower digit)."""
    return Least(_education_digit("ft_education"), _education_digit("pt_education"))


# --- counting ------------------------------------------------------------------------------------
def _share(count: int, total: int) -> dict:
    return {"count": count, "percent": percent(count, total)}


def _grouped(queryset: models.QuerySet, field: str) -> dict:
    """{value of `field`: count}: one GROUP BY query."""
    rows = queryset.values(field).annotate(n=Count("pk")).order_by()
    return {row[field]: row["n"] for row in rows}


def structure_of(
    cadres: models.QuerySet, *, on: datetime.date | None = None, bands: Bands | None = None
) -> dict:
    """Counts over `cadres` (scoped and narrowed by the caller): five queries.

    total and average age; 女干部, 少数民族干部, 党外干部 (count and percent); and rows (code, label,
    count, percent) by age band on `on`, gender, 最高学历 level and 职务层次.
    """
    on = on or timezone.localdate()
    bands = bands or AGE_BANDS
    cadres = cadres.order_by()
    head = cadres.aggregate(
        total=Count("pk"),
        women=Count("pk", filter=Q(gender=codes.Gender.FEMALE)),
        minority=Count("pk", filter=~Q(ethnicity__in=["", codes.Ethnicity.HAN])),  # as .minority()
        non_party=Count("pk", filter=Q(political_status__in=NON_PARTY_CODES)),  # as .non_party()
        average_age=Avg(age_expression(on)),
    )
    total = head["total"]
    by_band = _grouped(cadres.annotate(band=band_expression(bands, on)), "band")
    by_education = _grouped(cadres.annotate(education_digit=education_level_expression()), "education_digit")
    education_codes = {("" if digit == NO_EDUCATION else f"{digit}0"): n for digit, n in by_education.items()}
    age_rows = [
        {"code": label, "label": label, "low": low, "high": high, "count": by_band.get(label, 0)}
        for label, (low, high) in bands.items()
    ]
    if by_band.get(""):  # ages outside every band (bands that leave gaps)
        age_rows.append(
            {"code": "", "label": str(_("其他")), "low": None, "high": None, "count": by_band[""]}
        )
    for row in age_rows:
        row["percent"] = percent(row["count"], total)
    average = head["average_age"]
    return {
        "on": on.isoformat(),
        "total": total,
        "average_age": None if average is None else round(float(average), 1),
        "women": _share(head["women"], total),
        "minority": _share(head["minority"], total),
        "non_party": _share(head["non_party"], total),
        "age_bands": age_rows,
        "gender": code_rows(codes.Gender.choices, _grouped(cadres, "gender"), total),
        "education": code_rows(EDUCATION_ROWS, education_codes, total),
        "level": code_rows([*codes.LeadershipLevel.choices, NO_LEVEL], _grouped(cadres, "level"), total),
    }


def cadres_structure(
    cadres: models.QuerySet,
    *,
    units: models.QuerySet | None = None,
    unit_subtree: int | None = None,
    level: str = "",
    status: str | None = codes.CadreStatus.SERVING,
    on: datetime.date | None = None,
    bands: Bands | None = None,
) -> dict:
    """干部队伍结构 of `cadres` (scoped by the caller), narrowed to the subtree of a unit among `units`
    (the jurisdiction, scoped by the caller), a 职务层次 and a status (在职 by default; None: every
    status). Five queries, and one for the unit."""
    unit = subtree_unit(unit_subtree, units)
    cadres = in_subtree(cadres, "unit__path", unit)
    if level:
        cadres = cadres.filter(level=level)
    if status:
        cadres = cadres.filter(status=status)
    filters = {
        "unit": unit_ref(unit),
        "level": code_ref(codes.LeadershipLevel, level),
        "status": code_ref(codes.CadreStatus, status),
    }
    return {"filters": filters, **structure_of(cadres, on=on, bands=bands)}


def _flow_period(entries: Mapping[str, int], exits: Mapping[str, int]) -> dict:
    entered = sum(entries.values())
    output = exits.get(PROMOTED, 0)
    others = {reason: n for reason, n in exits.items() if reason != PROMOTED}
    return {
        "entries": {"total": entered, "by_source": code_rows(codes.PoolSource.choices, entries)},
        "output": {"code": PROMOTED, "label": str(codes.PoolExitReason(PROMOTED).label), "count": output},
        "other_exits": {
            "total": sum(others.values()),
            "by_reason": code_rows([c for c in codes.PoolExitReason.choices if c[0] != PROMOTED], others),
        },
        "net_change": entered - output - sum(others.values()),
    }


def pool_flow(memberships: models.QuerySet) -> dict:
    """入库 by source per year of entry, 出库 by reason per year of exit, 提拔使用 (the pool's output)
    apart from the other exits; and the same over all years. Two queries."""
    entries = (
        memberships.annotate(year=ExtractYear("entered_on"))
        .values("year", "source")
        .annotate(n=Count("pk"))
        .order_by()
    )
    exits = (
        memberships.filter(status=codes.PoolStatus.OUT)
        .annotate(year=ExtractYear("exited_on"))
        .values("year", "exit_reason")
        .annotate(n=Count("pk"))
        .order_by()
    )
    by_year: dict[int, tuple[dict, dict]] = {}
    totals: tuple[dict, dict] = ({}, {})
    for rows, key, side in ((entries, "source", 0), (exits, "exit_reason", 1)):
        for row in rows:
            for counts in (by_year.setdefault(row["year"], ({}, {}))[side], totals[side]):
                counts[row[key]] = counts.get(row[key], 0) + row["n"]
    return {
        "years": [{"year": year, **_flow_period(*by_year[year])} for year in sorted(by_year)],
        "total": _flow_period(*totals),
    }


def pool_structure(
    cadres: models.QuerySet,
    *,
    units: models.QuerySet | None = None,
    unit_subtree: int | None = None,
    tier: str = "",
    level: str = "",
    on: datetime.date | None = None,
    bands: Bands | None = None,
) -> dict:
    """年轻干部库结构: the members (open memberships) of the cadres in `cadres` (scoped by the
    caller) counted as structure_of() does, plus by 培养层级, plus the pool's flow per year.

    `unit_subtree` (a unit among `units`, the jurisdiction) and `tier` (培养层级) narrow the members
    and the flow; `level` (the member's current 职务层次) narrows the members only, since a 提拔使用
    exit changes the level. Eight queries, and one for the unit.
    """
    unit = subtree_unit(unit_subtree, units)
    cadres = in_subtree(cadres, "unit__path", unit)
    memberships = PoolMembership.objects.filter(cadre__in=cadres.values("pk"))
    in_pool = {"memberships__status": codes.PoolStatus.IN}
    if tier:
        memberships = memberships.filter(tier=tier)
        in_pool["memberships__tier"] = tier
    # a join, one row per member: a cadre has at most one open membership (a database constraint)
    members = cadres.filter(**in_pool)
    if level:
        members = members.filter(level=level)
    structure = structure_of(members, on=on, bands=bands)
    filters = {
        "unit": unit_ref(unit),
        "tier": code_ref(codes.LeadershipLevel, tier),
        "level": code_ref(codes.LeadershipLevel, level),
    }
    return {
        "filters": filters,
        **structure,
        "by_tier": code_rows(
            codes.LeadershipLevel.choices, _grouped(members, "memberships__tier"), structure["total"]
        ),
        "flow": pool_flow(memberships),
    }


# --- API: GET /api/v1/structure/cadres/ and /api/v1/structure/pool/ -------------------------------
class StructureQuerySerializer(ReportQuerySerializer):
    level = serializers.ChoiceField(
        codes.LeadershipLevel.choices, required=False, label=_("职务层次"), help_text=_("干部现任职务层次")
    )
    on = serializers.DateField(required=False, label=_("统计日期"), help_text=_("计算年龄的日期，默认今天"))
    bands = serializers.CharField(
        required=False,
        label=_("年龄段上限"),
        help_text=_("逗号分隔的各年龄段上限，默认 35,40,45,50,55（35岁及以下 … 56岁及以上）"),
    )

    def validate_bands(self, value: str) -> dict:
        try:
            return parse_age_bands(value)
        except ValueError as error:
            raise serializers.ValidationError(str(error)) from error


class CadreStructureQuerySerializer(StructureQuerySerializer):
    status = serializers.ChoiceField(
        codes.CadreStatus.choices,
        default=codes.CadreStatus.SERVING,
        label=_("干部状态"),
        help_text=_("默认只统计在职干部"),
    )


class PoolStructureQuerySerializer(StructureQuerySerializer):
    tier = serializers.ChoiceField(codes.LeadershipLevel.choices, required=False, label=_("培养层级"))


class StructureCodeSerializer(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField()


class StructureUnitSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class StructureCountSerializer(StructureCodeSerializer):
    count = serializers.IntegerField()


class StructureRowSerializer(StructureCountSerializer):
    percent = serializers.FloatField(help_text=_("占总人数的百分比，保留一位小数"))


class StructureBandSerializer(StructureRowSerializer):
    low = serializers.IntegerField(allow_null=True, help_text=_("最小年龄（含）"))
    high = serializers.IntegerField(allow_null=True, help_text=_("最大年龄（含）"))


class StructureShareSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    percent = serializers.FloatField()


class StructureFiltersSerializer(serializers.Serializer):
    unit = StructureUnitSerializer(allow_null=True)
    level = StructureCodeSerializer(allow_null=True)


class CadreStructureFiltersSerializer(StructureFiltersSerializer):
    status = StructureCodeSerializer(allow_null=True)


class PoolStructureFiltersSerializer(StructureFiltersSerializer):
    tier = StructureCodeSerializer(allow_null=True)


class StructureSerializer(serializers.Serializer):
    on = serializers.DateField(help_text=_("计算年龄的日期"))
    total = serializers.IntegerField(help_text=_("总人数"))
    average_age = serializers.FloatField(allow_null=True, help_text=_("平均年龄（周岁），无人时为空"))
    women = StructureShareSerializer(help_text=_("女干部"))
    minority = StructureShareSerializer(help_text=_("少数民族干部"))
    non_party = StructureShareSerializer(help_text=_("党外干部（政治面貌 04–13）"))
    age_bands = StructureBandSerializer(many=True, help_text=_("年龄段"))
    gender = StructureRowSerializer(many=True, help_text=_("性别"))
    education = StructureRowSerializer(many=True, help_text=_("最高学历（全日制与在职教育中较高者）"))
    level = StructureRowSerializer(many=True, help_text=_("职务层次"))


class CadreStructureSerializer(StructureSerializer):
    filters = CadreStructureFiltersSerializer()


class StructureExitsSerializer(serializers.Serializer):
    total = serializers.IntegerField()
    by_reason = StructureCountSerializer(many=True)


class StructureEntriesSerializer(serializers.Serializer):
    total = serializers.IntegerField()
    by_source = StructureCountSerializer(many=True)


class StructureFlowPeriodSerializer(serializers.Serializer):
    entries = StructureEntriesSerializer(help_text=_("入库，按入库来源"))
    output = StructureCountSerializer(help_text=_("提拔使用出库：库的产出"))
    other_exits = StructureExitsSerializer(help_text=_("其他原因调整出库，按出库原因"))
    net_change = serializers.IntegerField(help_text=_("净增：入库减全部出库"))


class StructureFlowYearSerializer(StructureFlowPeriodSerializer):
    year = serializers.IntegerField()


class StructureFlowSerializer(serializers.Serializer):
    years = StructureFlowYearSerializer(
        many=True, help_text=_("按年度：入库按入库日期、出库按出库日期所在年度")
    )
    total = StructureFlowPeriodSerializer(help_text=_("全部年度合计"))


class PoolStructureSerializer(StructureSerializer):
    filters = PoolStructureFiltersSerializer()
    by_tier = StructureRowSerializer(many=True, help_text=_("培养层级"))
    flow = StructureFlowSerializer(help_text=_("进出库流动"))


class StructureViewSet(ReportViewSet):
    """梯次配备: structure statistics of the cadres and of the young-cadre pool, in the user's
    jurisdiction (cadres.structure)."""

    queryset = Cadre.objects.all()
    required_perms = REQUIRED_PERMS

    @extend_schema(
        summary=_("干部队伍结构"),
        description=_(
            "管辖范围内干部的结构：年龄段（周岁，按统计日期；只知出生年月的按当月1日计）与平均年龄、"
            "性别、少数民族干部、党外干部、最高学历、职务层次。默认只统计在职干部。"
        ),
        parameters=[CadreStructureQuerySerializer],
        responses=CadreStructureSerializer,
    )
    @action(detail=False, url_path="cadres")
    def cadres(self, request):
        query = validated(CadreStructureQuerySerializer, request.query_params)
        return Response(cadres_structure(self.get_queryset(), units=self.scoped(Unit), **query))

    @extend_schema(
        summary=_("年轻干部库结构"),
        description=_(
            "管辖范围内在库成员的结构（同干部队伍结构，另按培养层级），以及按年度的进出库流动："
            "入库按来源，出库按原因，提拔使用单列为库的产出。"
        ),
        parameters=[PoolStructureQuerySerializer],
        responses=PoolStructureSerializer,
    )
    @action(detail=False, url_path="pool")
    def pool(self, request):
        query = validated(PoolStructureQuerySerializer, request.query_params)
        return Response(pool_structure(self.get_queryset(), units=self.scoped(Unit), **query))


# --- admin pages (ProgrammeAdmin.get_urls) ------------------------------------------------------
class StructureForm(ReportForm):
    level = forms.ChoiceField(
        label=_("职务层次"), choices=[("", _("全部")), *codes.LeadershipLevel.choices], required=False
    )
    tier = forms.ChoiceField(
        label=_("培养层级"), choices=[("", _("全部")), *codes.LeadershipLevel.choices], required=False
    )
    on = forms.DateField(
        label=_("统计日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    bands = forms.CharField(
        label=_("年龄段上限"), required=False, widget=forms.TextInput(attrs={"placeholder": "35,40,45,50,55"})
    )

    def __init__(self, *args, kind: str, **kwargs):
        super().__init__(*args, **kwargs)
        if kind != "pool":
            del self.fields["tier"]

    def clean_bands(self):
        value = self.cleaned_data["bands"]
        try:
            return parse_age_bands(value) if value else None
        except ValueError as error:
            raise forms.ValidationError(str(error)) from error


def admin_links(request, admin_site) -> list[dict]:
    """The structure pages the user may open: title and URL."""
    return [
        {
            "kind": kind,
            "title": TITLES[kind],
            "url": reverse(f"admin:cadres_structure_{kind}", current_app=admin_site.name),
        }
        for kind, perms in REQUIRED_PERMS.items()
        if request.user.has_perms(perms)
    ]


def admin_page(request, *, model_admin, kind: str) -> TemplateResponse:
    """干部队伍结构 / 年轻干部库结构 as HTML tables, with a unit, 职务层次 (培养层级) and date form."""
    if not request.user.has_perms(REQUIRED_PERMS[kind]):
        raise PermissionDenied
    form, options = report_form(request, model_admin, StructureForm, kind=kind)
    structure = None
    if options is not None:
        options = {name: value for name, value in options.items() if value}
        cadres, units = (access.scope(model.objects.all(), request.user) for model in (Cadre, Unit))
        structure = (pool_structure if kind == "pool" else cadres_structure)(cadres, units=units, **options)
    return report_page(
        request,
        model_admin,
        "admin/cadres/structure.html",
        title=TITLES[kind],
        kind=kind,
        form=form,
        structure=structure,
        links=admin_links(request, model_admin.admin_site),
    )
