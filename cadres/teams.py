"""领导班子: 职数 counting (核定 / 实配 / 缺配 / 超配), the team report (structure, the department's
structure rules met or missed, who reaches retirement age soon) and the 超职数 check that
completing an appointment case applies.

Counting rule (see cadres.models.teams): a team is a unit with at least one approved number; its
members are the serving cadres whose current unit is that unit and who have a 职务层次. 实配 of a
level is the number of members at that level; the quotas of one unit and level (whatever their post
kind: 党委, 政府 …) are added up, because a cadre record has no post kind. Every figure comes from a
fixed number of queries whatever the number of teams: the quotas, the members, the rules, the
retirement policy and the latest analyses, each read once.
"""

import datetime
import tempfile
from collections import defaultdict
from collections.abc import Iterator, Mapping

from django import forms
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Count, OuterRef, Subquery, Sum
from django.db.models.functions import Coalesce
from django.http import FileResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_serializer
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from orgportal import access, codes
from orgportal import rosters as roster_engine
from orgportal.api import XlsxRenderer
from orgportal.models import Rule, Unit
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
from orgportal.validators import age_on, format_year_month

from .models import (
    AGE_BANDS,
    DEFAULT_RETIREMENT,
    STATUS_AFTER,
    Cadre,
    PostQuota,
    RegularAssessment,
    TeamAnalysis,
    TeamRule,
    month_index,
    retirement_month,
)
from .models.appointments import MOVEMENT_KIND
from .rules import retirement_policy
from .structure import EDUCATION_ROWS, parse_age_bands

SERVING = codes.CadreStatus.SERVING
REQUIRED_PERMS = ("cadres.view_cadre", "cadres.view_postquota")
TITLE = _("领导班子职数与结构")
MEMBER_FIELDS = [
    "pk",
    "unit_id",
    "name",
    "post",
    "level",
    "gender",
    "birth_date",
    "ethnicity",
    "political_status",
    "ft_education",
    "pt_education",
    "ft_school",
    "pt_school",
    "expertise",
    "professional_title",
]
Bands = Mapping[str, tuple[int, int]]


# --- 核定 / 实配 / 缺配 / 超配 ------------------------------------------------------------------
def _gaps(approved: int, serving: int) -> dict:
    return {
        "approved": approved,
        "serving": serving,
        "vacant": max(0, approved - serving),
        "over": max(0, serving - approved),
    }


def staffing(quotas: models.QuerySet, cadres: models.QuerySet | None = None) -> list[dict]:
    """核定 / 实配 / 缺配 / 超配 per unit and level of `quotas` (scoped and narrowed by the caller),
    counting the serving cadres of `cadres` (every cadre by default): two grouped queries."""
    cadres = Cadre.objects.all() if cadres is None else cadres
    approved = (
        quotas.order_by()
        .values("unit_id", "unit__name", "unit__path", "level")
        .annotate(approved=Sum("approved"))
    )
    serving = (
        cadres.filter(status=SERVING, unit_id__in=quotas.values("unit_id"))
        .exclude(level="")
        .order_by()
        .values("unit_id", "level")
        .annotate(n=Count("pk"))
    )
    counts = {(row["unit_id"], row["level"]): row["n"] for row in serving}
    rows = [
        {
            "unit": {"id": row["unit_id"], "name": row["unit__name"]},
            "path": row["unit__path"],
            "level": code_ref(codes.LeadershipLevel, row["level"]),
            **_gaps(row["approved"], counts.get((row["unit_id"], row["level"]), 0)),
        }
        for row in approved
    ]
    rows.sort(key=lambda r: (r["path"], -codes.level_order(r["level"]["code"])))
    for row in rows:
        del row["path"]
    return rows


def serving_count() -> Coalesce:
    """实配 of a quota row's unit and level (every post kind together), as a subquery annotation."""
    serving = (
        Cadre.objects.filter(unit=OuterRef("unit"), level=OuterRef("level"), status=SERVING)
        .order_by()
        .values("unit")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(serving), 0)


def over_quota_refusals(case) -> list[str]:
    """超职数配备: why completing `case` would put more serving cadres at its unit and level than the
    approved number (empty: it would not). Only where a quota is set; a cadre already serving at that
    unit and level is not an extra; a case ending service (退休) adds nobody. The quota rows are
    locked, so two completions into the same posts run one after the other."""
    cadre = case.cadre
    if MOVEMENT_KIND[case.kind] in STATUS_AFTER:
        return []
    unit_id = case.proposed_unit_id or cadre.unit_id
    level = case.proposed_level or cadre.level
    if not level or (cadre.status == SERVING and (cadre.unit_id, cadre.level) == (unit_id, level)):
        return []
    quotas = list(PostQuota.objects.select_for_update().filter(unit_id=unit_id, level=level))
    if not quotas:
        return []
    approved = sum(quota.approved for quota in quotas)
    serving = Cadre.objects.filter(unit_id=unit_id, level=level, status=SERVING).exclude(pk=cadre.pk).count()
    if serving < approved:
        return []
    return [
        str(
            _("超职数配备：%(unit)s%(level)s核定职数%(approved)d名，已配备%(serving)d名")
            % {
                "unit": quotas[0].unit.name,
                "level": codes.LeadershipLevel(level).label,
                "approved": approved,
                "serving": serving,
            }
        )
    ]


# --- the team report ------------------------------------------------------------------------------
def _retirement_policy() -> dict:
    """The retirement schedule of the active 临近法定退休年龄 reminder rule (cadres.rules), as data."""
    rule = (
        Rule.objects.filter(purpose="reminder", kind="retirement_due", active=True)
        .order_by("sort_order", "id")
        .first()
    )
    return retirement_policy(rule.effective_params()) if rule else DEFAULT_RETIREMENT


def _education_code(member: dict) -> str:
    code = codes.highest_education([member["ft_education"], member["pt_education"]]) or ""
    return str(codes.education_level(code)) if code else ""


def _matching(rule: TeamRule, members: list[dict]) -> list[dict]:
    kind = rule.kind
    if kind == codes.TeamRuleKind.WOMAN:
        return [m for m in members if m["gender"] == codes.Gender.FEMALE]
    if kind == codes.TeamRuleKind.NON_PARTY:
        return [m for m in members if codes.is_non_party(m["political_status"])]
    if kind == codes.TeamRuleKind.YOUNG:
        return [m for m in members if m["age"] is not None and m["age"] <= (rule.max_age or 0)]
    words = rule.keyword_list
    fields = ("expertise", "professional_title", "ft_school", "pt_school")
    return [m for m in members if any(word in m[f] for word in words for f in fields)]


def _who(rule: TeamRule) -> str:
    if rule.kind == codes.TeamRuleKind.YOUNG:
        return str(_("%d岁及以下干部") % (rule.max_age or 0))
    if rule.kind == codes.TeamRuleKind.BACKGROUND:
        return str(_("具有%s等专业背景的干部") % "、".join(rule.keyword_list[:3]))
    return str(codes.TeamRuleKind(rule.kind).label)


def check_rule(rule: TeamRule, members: list[dict]) -> dict:
    """Whether a team's members meet a structure rule, and why (no queries)."""
    matching = _matching(rule, members)
    met = len(matching) >= rule.minimum
    values = {"who": _who(rule), "n": len(matching), "minimum": rule.minimum}
    if met:
        names = "、".join(m["name"] for m in matching[:5])
        reason = _("符合：%(who)s%(n)d名（%(names)s）") % {**values, "names": names}
    else:
        reason = _("不符合：%(who)s%(n)d名，应至少%(minimum)d名") % values
    return {
        "id": rule.pk,
        "name": rule.name,
        "kind": code_ref(codes.TeamRuleKind, rule.kind),
        "met": met,
        "reason": str(reason),
    }


def _average_age(members: list[dict]) -> float | None:
    ages = [m["age"] for m in members if m["age"] is not None]
    return round(sum(ages) / len(ages), 1) if ages else None


def _share(count: int, total: int) -> dict:
    return {"count": count, "percent": percent(count, total)}


def team_structure(members: list[dict], bands: Bands) -> dict:
    """Age (average, youngest, by band), women, minority, non-Party and education of a team."""
    total = len(members)
    ages = [m["age"] for m in members if m["age"] is not None]
    youngest = max(members, key=lambda m: m["birth_date"], default=None)
    by_band: dict[str, int] = defaultdict(int)
    for age in ages:
        for label, (low, high) in bands.items():
            if low <= age <= high:
                by_band[label] += 1
                break
    age_rows = [
        {"code": label, "label": label, "low": low, "high": high, "count": by_band[label]}
        for label, (low, high) in bands.items()
    ]
    for row in age_rows:
        row["percent"] = percent(row["count"], total)
    education: dict[str, int] = defaultdict(int)
    for member in members:
        education[_education_code(member)] += 1
    return {
        "total": total,
        "average_age": _average_age(members),
        "youngest": None
        if youngest is None
        else {"id": youngest["pk"], "name": youngest["name"], "age": youngest["age"]},
        "age_bands": age_rows,
        "women": _share(sum(m["gender"] == codes.Gender.FEMALE for m in members), total),
        "minority": _share(sum(codes.is_minority(m["ethnicity"]) for m in members), total),
        "non_party": _share(sum(codes.is_non_party(m["political_status"]) for m in members), total),
        "education": code_rows(EDUCATION_ROWS, dict(education), total),
    }


def _member_row(member: dict) -> dict:
    return {
        "id": member["pk"],
        "name": member["name"],
        "post": member["post"],
        "level": code_ref(codes.LeadershipLevel, member["level"]),
        "gender": code_ref(codes.Gender, member["gender"]),
        "age": member["age"],
        "retirement_month": format_year_month(member["retirement"]),
    }


def _level_structure(members: list[dict]) -> dict:
    """Women, minority, non-Party and average age of a team's members at one level."""
    return {
        "women": sum(m["gender"] == codes.Gender.FEMALE for m in members),
        "minority": sum(codes.is_minority(m["ethnicity"]) for m in members),
        "non_party": sum(codes.is_non_party(m["political_status"]) for m in members),
        "average_age": _average_age(members),
    }


def _latest_assessments(assessments: models.QuerySet, members: models.QuerySet) -> dict[int, dict]:
    """{cadre id: year, quarter and rating of the latest 平时考核} of `members`: one query."""
    latest = (
        RegularAssessment.objects.filter(cadre=OuterRef("cadre"))
        .order_by("-year", "-quarter", "-pk")
        .values("pk")[:1]
    )
    rows = (
        assessments.filter(cadre_id__in=members.values("pk"), pk=Subquery(latest))
        .order_by()
        .values("cadre_id", "year", "quarter", "rating")
    )
    return {
        row["cadre_id"]: {
            "year": row["year"],
            "quarter": row["quarter"],
            "rating": code_ref(codes.TeamRating, row["rating"]),
        }
        for row in rows
    }


def team_report(
    cadres: models.QuerySet,
    quotas: models.QuerySet,
    *,
    units: models.QuerySet | None = None,
    analyses: models.QuerySet | None = None,
    assessments: models.QuerySet | None = None,
    unit_subtree: int | None = None,
    on: datetime.date | None = None,
    bands: Bands | None = None,
) -> dict:
    """Every team (a unit with quotas) in the subtree of a unit among `units`: 核定 / 实配 / 缺 / 超 per
    level (with its women, minority, non-Party and average age), its members with their latest
    平时考核, structure, the structure rules of its unit kind met or missed with the reason, who
    reaches retirement age (到龄年月) within 12 and 24 months, and its latest 综合研判.
    `cadres`, `quotas`, `units`, `analyses` and `assessments` (平时考核) are scoped by the caller;
    without `analyses` or `assessments` those are not told. Six queries (five without a unit),
    and one more with `assessments`, whatever the number of teams."""
    on = on or timezone.localdate()
    bands = bands or AGE_BANDS
    unit = subtree_unit(unit_subtree, units)
    quotas = in_subtree(quotas, "unit__path", unit)
    quota_rows = list(
        quotas.order_by()
        .values(
            "unit_id",
            "unit__name",
            "unit__path",
            "unit__kind",
            "level",
            "post_kind",
            "approved",
            "doc_number",
            "approved_on",
        )
        .order_by("unit__path", "level", "post_kind")
    )
    members_of: dict[int, list[dict]] = defaultdict(list)
    assessed: dict[int, dict] = {}
    if quota_rows:
        serving_members = cadres.filter(status=SERVING, unit_id__in=quotas.values("unit_id")).exclude(
            level=""
        )
        rows = serving_members.order_by().values(*MEMBER_FIELDS)
        policy = _retirement_policy()
        for member in rows:
            member["age"] = age_on(member["birth_date"], on)
            member["retirement"] = retirement_month(member["birth_date"], member["gender"], policy)
            members_of[member["unit_id"]].append(member)
    rules_of: dict[str, list[TeamRule]] = defaultdict(list)
    latest: dict[int, TeamAnalysis] = {}
    if quota_rows:
        for rule in TeamRule.objects.filter(active=True).order_by("sort_order", "id"):
            rules_of[rule.unit_kind].append(rule)
        if analyses is not None:
            for analysis in analyses.filter(unit_id__in=quotas.values("unit_id")).order_by("year"):
                latest[analysis.unit_id] = analysis
        if assessments is not None:
            assessed = _latest_assessments(assessments, serving_members)
    teams: dict[int, dict] = {}
    for row in quota_rows:
        team = teams.setdefault(
            row["unit_id"],
            {
                "unit": {
                    "id": row["unit_id"],
                    "name": row["unit__name"],
                    "kind": code_ref(codes.UnitKind, row["unit__kind"]),
                },
                "levels": {},
            },
        )
        level = team["levels"].setdefault(row["level"], {"approved": 0, "quotas": []})
        level["approved"] += row["approved"]
        level["quotas"].append(
            {
                "post_kind": code_ref(codes.PostKind, row["post_kind"]),
                "approved": row["approved"],
                "doc_number": row["doc_number"],
                "approved_on": row["approved_on"],
            }
        )
    now, result = month_index(on), []
    for unit_id, team in teams.items():
        members = sorted(
            members_of[unit_id], key=lambda m: (-codes.level_order(m["level"]), m["birth_date"], m["pk"])
        )
        at_level = defaultdict(list)
        for member in members:
            at_level[member["level"]].append(member)
        posts = [
            {
                "level": code_ref(codes.LeadershipLevel, code),
                **_gaps(level["approved"], len(at_level[code])),
                **_level_structure(at_level[code]),
                "quotas": level["quotas"],
            }
            for code, level in sorted(team["levels"].items(), key=lambda item: -codes.level_order(item[0]))
        ]
        analysis = latest.get(unit_id)
        result.append(
            {
                "unit": team["unit"],
                "posts": posts,
                **{
                    key: sum(post[key] for post in posts) for key in ("approved", "serving", "vacant", "over")
                },
                "members": [{**_member_row(m), "regular_assessment": assessed.get(m["pk"])} for m in members],
                "structure": team_structure(members, bands),
                "leaving_12": [_member_row(m) for m in members if month_index(m["retirement"]) < now + 12],
                "leaving_24": [_member_row(m) for m in members if month_index(m["retirement"]) < now + 24],
                "rules": [check_rule(rule, members) for rule in rules_of[team["unit"]["kind"]["code"]]],
                "analysis": None
                if analysis is None
                else {
                    "id": analysis.pk,
                    "year": analysis.year,
                    "rating": code_ref(codes.TeamRating, analysis.rating),
                },
            }
        )
    totals = {key: sum(team[key] for team in result) for key in ("approved", "serving", "vacant", "over")}
    return {
        "on": on.isoformat(),
        "filters": {"unit": unit_ref(unit)},
        "teams": result,
        "totals": {
            "teams": len(result),
            **totals,
            "rules_missed": sum(1 for team in result if any(not r["met"] for r in team["rules"])),
        },
    }


# --- API: GET /api/v1/team-reports/ ---------------------------------------------------------------
class TeamReportQuerySerializer(ReportQuerySerializer):
    on = serializers.DateField(required=False, label=_("统计日期"), help_text=_("计算年龄的日期，默认今天"))
    bands = serializers.CharField(
        required=False,
        label=_("年龄段上限"),
        help_text=_("逗号分隔的各年龄段上限，默认 35,40,45,50,55"),
    )

    def validate_bands(self, value: str) -> dict:
        try:
            return parse_age_bands(value)
        except ValueError as error:
            raise serializers.ValidationError(str(error)) from error


class CodeSerializer(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField()


class RowSerializer(CodeSerializer):
    count = serializers.IntegerField()
    percent = serializers.FloatField()


class BandSerializer(RowSerializer):
    low = serializers.IntegerField(allow_null=True)
    high = serializers.IntegerField(allow_null=True)


class ShareSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    percent = serializers.FloatField()


class GapsSerializer(serializers.Serializer):
    approved = serializers.IntegerField(help_text=_("核定职数"))
    serving = serializers.IntegerField(help_text=_("实配"))
    vacant = serializers.IntegerField(help_text=_("缺配"))
    over = serializers.IntegerField(help_text=_("超配"))


class QuotaSerializer(serializers.Serializer):
    post_kind = CodeSerializer(allow_null=True)
    approved = serializers.IntegerField()
    doc_number = serializers.CharField()
    approved_on = serializers.DateField(allow_null=True)


class PostSerializer(GapsSerializer):
    level = CodeSerializer()
    women = serializers.IntegerField(help_text=_("该层次女干部"))
    minority = serializers.IntegerField(help_text=_("该层次少数民族干部"))
    non_party = serializers.IntegerField(help_text=_("该层次党外干部"))
    average_age = serializers.FloatField(allow_null=True, help_text=_("该层次平均年龄"))
    quotas = QuotaSerializer(many=True, help_text=_("核定职数及文号（按职数类别）"))


class TeamUnitSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    kind = CodeSerializer()


class MemberSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    post = serializers.CharField()
    level = CodeSerializer()
    gender = CodeSerializer(allow_null=True)
    age = serializers.IntegerField()
    retirement_month = serializers.CharField(help_text=_("到龄年月，如 2027.03"))


class RegularAssessmentRefSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    quarter = serializers.IntegerField()
    rating = CodeSerializer()


class TeamMemberSerializer(MemberSerializer):
    regular_assessment = RegularAssessmentRefSerializer(
        allow_null=True, help_text=_("最近一次平时考核（无查看平时考核权限时为空）")
    )


class YoungestSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    age = serializers.IntegerField()


class TeamStructureSerializer(serializers.Serializer):
    total = serializers.IntegerField()
    average_age = serializers.FloatField(allow_null=True)
    youngest = YoungestSerializer(allow_null=True)
    age_bands = BandSerializer(many=True)
    women = ShareSerializer()
    minority = ShareSerializer()
    non_party = ShareSerializer()
    education = RowSerializer(many=True)


class RuleResultSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    kind = CodeSerializer()
    met = serializers.BooleanField()
    reason = serializers.CharField()


class AnalysisRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    year = serializers.IntegerField()
    rating = CodeSerializer()


class TeamSerializer(GapsSerializer):
    unit = TeamUnitSerializer()
    posts = PostSerializer(many=True)
    members = TeamMemberSerializer(many=True, help_text=_("班子成员：该单位有职务层次的在职干部"))
    structure = TeamStructureSerializer()
    leaving_12 = MemberSerializer(many=True, help_text=_("12个月内到龄"))
    leaving_24 = MemberSerializer(many=True, help_text=_("24个月内到龄"))
    rules = RuleResultSerializer(many=True, help_text=_("班子结构要求（按单位类别）"))
    analysis = AnalysisRefSerializer(allow_null=True, help_text=_("最近一次综合研判"))


class UnitRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class TeamFiltersSerializer(serializers.Serializer):
    unit = UnitRefSerializer(allow_null=True)


class TeamTotalsSerializer(GapsSerializer):
    teams = serializers.IntegerField()
    rules_missed = serializers.IntegerField(help_text=_("有未达到的结构要求的班子数"))


@extend_schema_serializer(many=False)  # the list route answers one report, not a list
class TeamReportSerializer(serializers.Serializer):
    on = serializers.DateField()
    filters = TeamFiltersSerializer()
    teams = TeamSerializer(many=True)
    totals = TeamTotalsSerializer()


def _report_for(user, **options) -> dict:
    cadres, quotas, units, analyses, assessments = (
        access.scope(model.objects.all(), user)
        for model in (Cadre, PostQuota, Unit, TeamAnalysis, RegularAssessment)
    )
    if not user.has_perm("cadres.view_teamanalysis"):
        analyses = None
    if not user.has_perm("cadres.view_regularassessment"):
        assessments = None
    return team_report(cadres, quotas, units=units, analyses=analyses, assessments=assessments, **options)


# --- Excel: one row per team and level ------------------------------------------------------------
EXPORT_NAME = "cadres.team_report"
TABLE_HEADERS = [
    _("单位"),
    _("职务层次"),
    _("核定"),
    _("实配"),
    _("缺配"),
    _("超配"),
    _("女干部"),
    _("少数民族"),
    _("党外"),
    _("平均年龄"),
    _("未达到的结构要求"),
    _("12个月内到龄"),
]


def table_rows(report: dict) -> Iterator[list]:
    """The report as a table: one row per team and level (the rules missed are the team's)."""
    for team in report["teams"]:
        missed = "；".join(rule["reason"] for rule in team["rules"] if not rule["met"])
        for post in team["posts"]:
            code = post["level"]["code"]
            leaving = "、".join(
                f"{m['name']}（{m['retirement_month']}）"
                for m in team["leaving_12"]
                if m["level"]["code"] == code
            )
            yield [
                team["unit"]["name"],
                post["level"]["label"],
                *(post[key] for key in ("approved", "serving", "vacant", "over")),
                *(post[key] for key in ("women", "minority", "non_party", "average_age")),
                missed,
                leaving,
            ]


def export_report(user, target, *, description: str = "", channel: str = "admin", **options) -> int:
    """The team report of the user's jurisdiction as an .xlsx table in `target`, logged; the row count."""
    report = _report_for(user, **options)
    return roster_engine.export_table(
        TITLE,
        [str(header) for header in TABLE_HEADERS],
        table_rows(report),
        user,
        target,
        what=EXPORT_NAME,
        description=description,
        channel=channel,
    )


def xlsx_response(user, query: dict, *, description: str, channel: str) -> FileResponse:
    handle = tempfile.NamedTemporaryFile(suffix=".xlsx")  # noqa: SIM115 (FileResponse closes it)
    export_report(user, handle, description=description, channel=channel, **query)
    handle.seek(0)
    return FileResponse(
        handle,
        as_attachment=True,
        content_type=XlsxRenderer.media_type,
        filename=f"{TITLE}_{timezone.localdate():%Y%m%d}.xlsx",
    )


class TeamReportViewSet(ReportViewSet):
    """领导班子职数与结构 in the user's jurisdiction (cadres.teams)."""

    queryset = PostQuota.objects.all()
    required_perms = {"list": REQUIRED_PERMS, "xlsx": REQUIRED_PERMS}

    @extend_schema(
        summary=_("领导班子职数与结构"),
        description=_(
            "管辖范围内每个班子（有核定职数的单位）：各职务层次核定、实配、缺配、超配；班子成员（该单位"
            "有职务层次的在职干部；职数类别只细分核定数，实配按单位和职务层次合计）；年龄结构、女干部、"
            "少数民族、党外、学历；按单位类别的结构要求是否达到及原因；12/24个月内到龄；最近一次综合研判。"
        ),
        parameters=[TeamReportQuerySerializer],
        responses=TeamReportSerializer,
    )
    def list(self, request):
        query = validated(TeamReportQuerySerializer, request.query_params)
        return Response(_report_for(request.user, **query))

    @extend_schema(
        summary=_("领导班子职数与结构（Excel）"),
        description=_(
            "同一报表的 Excel 表：每个班子每个职务层次一行——单位、职务层次、核定、实配、缺配、超配、女干部、"
            "少数民族、党外、平均年龄、未达到的结构要求、12个月内到龄。查询参数同列表；每次导出均记录。"
        ),
        parameters=[TeamReportQuerySerializer],
        responses={(200, XlsxRenderer.media_type): OpenApiResponse(OpenApiTypes.BINARY, description=".xlsx")},
    )
    @action(detail=False, methods=["get"])
    def xlsx(self, request):
        query = validated(TeamReportQuerySerializer, request.query_params)
        described = " ".join(f"{k}={v}" for k, v in request.query_params.items())
        return xlsx_response(request.user, query, description=described, channel="api")


# --- admin page (PostQuotaAdmin.get_urls) --------------------------------------------------------
class TeamReportForm(ReportForm):
    on = forms.DateField(
        label=_("统计日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    bands = forms.CharField(
        label=_("年龄段上限"), required=False, widget=forms.TextInput(attrs={"placeholder": "35,40,45,50,55"})
    )

    def clean_bands(self):
        value = self.cleaned_data["bands"]
        try:
            return parse_age_bands(value) if value else None
        except ValueError as error:
            raise forms.ValidationError(str(error)) from error


def admin_link(request, admin_site) -> dict | None:
    if not request.user.has_perms(REQUIRED_PERMS):
        return None
    return {"title": TITLE, "url": reverse("admin:cadres_team_report", current_app=admin_site.name)}


def admin_page(request, *, model_admin) -> TemplateResponse | FileResponse:
    """领导班子职数与结构 as HTML tables, with a unit and date form; `export=1` writes it as Excel."""
    if not request.user.has_perms(REQUIRED_PERMS):
        raise PermissionDenied
    form, options = report_form(request, model_admin, TeamReportForm)
    report = None
    if options is not None:
        options = {name: value for name, value in options.items() if value}
        if request.GET.get("export"):
            described = " ".join(f"{k}={v}" for k, v in request.GET.items() if k != "export")
            return xlsx_response(request.user, options, description=described, channel="admin")
        report = _report_for(request.user, **options)
    return report_page(request, model_admin, "admin/cadres/teams.html", title=TITLE, form=form, report=report)
