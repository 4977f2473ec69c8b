"""换届 planning: a plan's teams as they are and as they would be after its proposals, side by side,
and turning an accepted proposal into an appointment case.

The preview writes nothing. It reads the teams, the proposals (with each candidate's record flags),
the quotas, the members, the structure rules, the retirement schedule and the candidates' pool
flags once each — a fixed number of queries whatever the number of teams — and composes the team
report's own pieces (cadres.teams: the gaps, check_rule, team_structure, the member rows) for the
teams before and after. "After" means: departing members leave, each candidate leaves the team they
are in and joins the proposed team at the proposed level. Ages and 到龄 are counted on the plan's
date for both columns, so the difference is the plan's alone. Rejected proposals are left out.
"""

import datetime
from collections import defaultdict

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Exists, OuterRef, Q, Subquery, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from orgportal import codes
from orgportal.models import Unit
from orgportal.reports import code_ref
from orgportal.validators import age_on

from . import appointments, teams
from .models import (
    AGE_BANDS,
    AppointmentCase,
    AppointmentKind,
    Cadre,
    CadreWarning,
    DepartureReason,
    PoolMembership,
    PostQuota,
    ProposalStatus,
    Sanction,
    SuccessionPlan,
    SuccessionPlanStatus,
    SuccessionProposal,
    SuccessionProposalKind,
    TeamRule,
    retirement_month,
)
from .rules import review_pool
from .teams import MEMBER_FIELDS, SERVING, _gaps, _member_row, _retirement_policy, check_rule, team_structure

GAPS = ("approved", "serving", "vacant", "over")


def _team_state(approved: dict[str, int], members: list[dict], rules: list[TeamRule]) -> dict:
    """核定 / 实配 / 缺 / 超 per level, the rules met or missed and the structure of a team's members."""
    members = sorted(members, key=lambda m: (-codes.level_order(m["level"]), m["birth_date"], m["pk"]))
    serving: dict[str, int] = defaultdict(int)
    for member in members:
        serving[member["level"]] += 1
    levels = sorted(set(approved) | set(serving), key=lambda code: -codes.level_order(code))
    posts = [
        {"level": code_ref(codes.LeadershipLevel, code), **_gaps(approved.get(code, 0), serving[code])}
        for code in levels
    ]
    rule_rows = [check_rule(rule, members) for rule in rules]
    return {
        "posts": posts,
        **{key: sum(post[key] for post in posts) for key in GAPS},
        "rules": rule_rows,
        "rules_missed": sum(not row["met"] for row in rule_rows),
        "structure": team_structure(members, AGE_BANDS),
        "members": [_member_row(m) for m in members],
    }


def _candidate_flags(proposal: SuccessionProposal) -> list[str]:
    """What the cadre records say against appointing the candidate (the rules completing a case applies)."""
    flags = []
    if proposal.cadre.status != SERVING:
        flags.append(str(_("干部状态为「%s」") % proposal.cadre.get_status_display()))
    if proposal.under_sanction:
        flags.append(str(_("受到处分或组织处理，尚在影响期内")))
    if proposal.red_warning:
        flags.append(str(_("有未解除的红色预警")))
    return flags


def _proposals(plan: SuccessionPlan, on: datetime.date) -> list[SuccessionProposal]:
    red = CadreWarning.objects.filter(
        cadre=OuterRef("cadre"), level=codes.WarningLevel.RED, raised_on__lte=on
    ).filter(Q(closed_on__isnull=True) | Q(closed_on__gt=on))
    tier = PoolMembership.objects.filter(cadre=OuterRef("cadre"), status=codes.PoolStatus.IN).values("tier")[
        :1
    ]
    return list(
        plan.proposals.exclude(status=ProposalStatus.REJECTED)
        .select_related("cadre", "cadre__unit", "team")
        .annotate(
            under_sanction=Exists(Sanction.objects.in_force(on).filter(cadre=OuterRef("cadre"))),
            red_warning=Exists(red),
            pool_tier=Subquery(tier),
        )
        .order_by("kind", "id")
    )


def _as_member(cadre: Cadre, on: datetime.date, policy: dict, **changes) -> dict:
    row = {name: getattr(cadre, name) for name in MEMBER_FIELDS}
    row.update(changes)
    row["age"] = age_on(row["birth_date"], on)
    row["retirement"] = retirement_month(row["birth_date"], row["gender"], policy)
    return row


def preview(
    plan: SuccessionPlan,
    *,
    cadres: models.QuerySet | None = None,
    quotas: models.QuerySet | None = None,
) -> dict:
    """The plan's teams today and after its proposals (not rejected), side by side, and each proposal
    with the candidate's pool and record flags. `cadres` and `quotas` are scoped by the caller (every
    row by default). Writes nothing; eight queries whatever the number of teams and proposals."""
    cadres = Cadre.objects.all() if cadres is None else cadres
    quotas = PostQuota.objects.all() if quotas is None else quotas
    on = plan.on_date or timezone.localdate()
    team_units = list(
        Unit.objects.filter(Q(pk__in=plan.teams.values("pk")) | Q(pk__in=plan.proposals.values("team_id")))
        .order_by("path")
        .values("id", "name", "kind")
    )
    team_ids = [team["id"] for team in team_units]
    proposals = _proposals(plan, on)
    approved: dict[int, dict[str, int]] = defaultdict(dict)
    for row in (
        quotas.filter(unit_id__in=team_ids).order_by().values("unit_id", "level").annotate(n=Sum("approved"))
    ):
        approved[row["unit_id"]][row["level"]] = row["n"]
    policy = _retirement_policy()
    members_of: dict[int, list[dict]] = defaultdict(list)
    for member in (
        cadres.filter(status=SERVING, unit_id__in=team_ids)
        .exclude(level="")
        .order_by()
        .values(*MEMBER_FIELDS)
    ):
        member["age"] = age_on(member["birth_date"], on)
        member["retirement"] = retirement_month(member["birth_date"], member["gender"], policy)
        members_of[member["unit_id"]].append(member)
    rules_of: dict[str, list[TeamRule]] = defaultdict(list)
    for rule in TeamRule.objects.filter(active=True).order_by("sort_order", "id"):
        rules_of[rule.unit_kind].append(rule)
    candidates = [p for p in proposals if p.kind == SuccessionProposalKind.APPOINTMENT]
    pool_flags = {
        membership.cadre_id: reasons
        for membership, reasons in review_pool(
            on, queryset=PoolMembership.objects.filter(cadre_id__in=[p.cadre_id for p in candidates])
        )
    }

    leaving = {p.cadre_id for p in proposals}  # departures, and candidates leaving their present team
    joining: dict[int, list[dict]] = defaultdict(list)
    for proposal in candidates:
        joining[proposal.team_id].append(
            _as_member(
                proposal.cadre, on, policy, unit_id=proposal.team_id, level=proposal.level, post=proposal.post
            )
        )
    rows, totals = [], {"before": dict.fromkeys((*GAPS, "rules_missed"), 0)}
    totals["after"] = dict(totals["before"])
    for team in team_units:
        rules = rules_of[team["kind"]]
        members = members_of[team["id"]]
        after_members = [m for m in members if m["pk"] not in leaving] + joining[team["id"]]
        before = _team_state(approved[team["id"]], members, rules)
        after = _team_state(approved[team["id"]], after_members, rules)
        for column, state in (("before", before), ("after", after)):
            for key in totals[column]:
                totals[column][key] += state[key]
        rows.append(
            {
                "unit": {
                    "id": team["id"],
                    "name": team["name"],
                    "kind": code_ref(codes.UnitKind, team["kind"]),
                },
                "before": before,
                "after": after,
                "leaving": [_member_row(m) for m in members if m["pk"] in leaving],
                "joining": [_member_row(m) for m in joining[team["id"]]],
            }
        )
    return {
        "plan": {
            "id": plan.pk,
            "name": plan.name,
            "status": code_ref(SuccessionPlanStatus, plan.status),
            "on": on.isoformat(),
        },
        "teams": rows,
        "proposals": [_proposal_row(p, pool_flags.get(p.cadre_id, [])) for p in proposals],
        "totals": {"teams": len(rows), **totals},
    }


def _proposal_row(proposal: SuccessionProposal, pool_flags: list[str]) -> dict:
    cadre = proposal.cadre
    appointment = proposal.kind == SuccessionProposalKind.APPOINTMENT
    return {
        "id": proposal.pk,
        "kind": code_ref(SuccessionProposalKind, proposal.kind),
        "status": code_ref(ProposalStatus, proposal.status),
        "cadre": {
            "id": cadre.pk,
            "name": cadre.name,
            "unit": cadre.unit.name if cadre.unit_id else "",
            "post": cadre.post,
            "level": code_ref(codes.LeadershipLevel, cadre.level),
        },
        "team": {"id": proposal.team_id, "name": proposal.team.name},
        "level": code_ref(codes.LeadershipLevel, proposal.level),
        "post": proposal.post,
        "reason": code_ref(DepartureReason, proposal.reason),
        "pool_tier": code_ref(codes.LeadershipLevel, proposal.pool_tier),
        "pool_flags": pool_flags if appointment else [],
        "record_flags": _candidate_flags(proposal) if appointment else [],
        "case": proposal.case_id,
    }


# --- 启动任免事项 ---------------------------------------------------------------------------------
def case_fields(proposal: SuccessionProposal) -> dict:
    """The appointment case a proposal becomes: 到龄 → 退休, another departure → 免职 (the present
    post), an appointment → 提拔 when the level is higher than the cadre's (or the cadre has none),
    平级交流 otherwise."""
    cadre = proposal.cadre
    if proposal.kind == SuccessionProposalKind.DEPARTURE:
        if proposal.reason == DepartureReason.AGE:
            return {"kind": AppointmentKind.RETIREMENT, "removed_post": cadre.post}
        return {"kind": AppointmentKind.REMOVAL, "removed_post": cadre.post or proposal.team.name}
    higher = not cadre.level or codes.level_order(proposal.level) > codes.level_order(cadre.level)
    return {
        "kind": AppointmentKind.PROMOTION if higher else AppointmentKind.LATERAL,
        "proposed_unit": proposal.team,
        "proposed_post": proposal.post,
        "proposed_level": proposal.level,
    }


@transaction.atomic
def open_case(proposal: SuccessionProposal, *, by, opened_on: datetime.date | None = None) -> AppointmentCase:
    """Turn an accepted proposal into an appointment case (cadres.appointments.open_case), once."""
    proposal = proposal.locked(_("该换届方案建议不存在"))
    if proposal.status != ProposalStatus.ACCEPTED:
        raise ValidationError(
            _("该建议当前状态为「%s」，只有已采纳的建议可以启动任免事项") % proposal.get_status_display()
        )
    plan = proposal.plan
    case = appointments.open_case(
        proposal.cadre,
        by=by,
        opened_on=opened_on,
        reason=f"{plan.name}：{proposal.note}" if proposal.note else str(_("根据%s") % plan.name),
        submitting_unit=plan.unit,
        **case_fields(proposal),
    )
    proposal.case = case
    proposal.status = ProposalStatus.CASE_OPENED
    proposal.save_as(by)
    return case


# --- API: GET /api/v1/succession-plans/<id>/preview/ ----------------------------------------------
class TeamStatePostSerializer(teams.GapsSerializer):
    level = teams.CodeSerializer()


class TeamStateSerializer(teams.GapsSerializer):
    posts = TeamStatePostSerializer(many=True, help_text=_("各职务层次核定、实配、缺配、超配"))
    rules = teams.RuleResultSerializer(many=True, help_text=_("班子结构要求（按单位类别）"))
    rules_missed = serializers.IntegerField(help_text=_("未达到的结构要求数"))
    structure = teams.TeamStructureSerializer()
    members = teams.MemberSerializer(many=True)


class PreviewTeamSerializer(serializers.Serializer):
    unit = teams.TeamUnitSerializer()
    before = TeamStateSerializer(help_text=_("现状"))
    after = TeamStateSerializer(help_text=_("按方案调整后"))
    leaving = teams.MemberSerializer(many=True, help_text=_("离开该班子的成员"))
    joining = teams.MemberSerializer(many=True, help_text=_("进入该班子的人选"))


class ProposalCadreSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    unit = serializers.CharField()
    post = serializers.CharField()
    level = teams.CodeSerializer(allow_null=True)


class PreviewProposalSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = teams.CodeSerializer()
    status = teams.CodeSerializer()
    cadre = ProposalCadreSerializer()
    team = teams.UnitRefSerializer()
    level = teams.CodeSerializer(allow_null=True)
    post = serializers.CharField()
    reason = teams.CodeSerializer(allow_null=True)
    pool_tier = teams.CodeSerializer(allow_null=True, help_text=_("在年轻干部库中的培养层级"))
    pool_flags = serializers.ListField(child=serializers.CharField(), help_text=_("年轻干部库调整提示"))
    record_flags = serializers.ListField(
        child=serializers.CharField(), help_text=_("干部记录：处分影响期、红色预警、非在职")
    )
    case = serializers.IntegerField(allow_null=True, help_text=_("已启动的任免事项"))


class PreviewTotalsColumnSerializer(teams.GapsSerializer):
    rules_missed = serializers.IntegerField()


class PreviewTotalsSerializer(serializers.Serializer):
    teams = serializers.IntegerField()
    before = PreviewTotalsColumnSerializer()
    after = PreviewTotalsColumnSerializer()


class PreviewPlanSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    status = teams.CodeSerializer()
    on = serializers.DateField()


class PreviewSerializer(serializers.Serializer):
    plan = PreviewPlanSerializer()
    teams = PreviewTeamSerializer(many=True)
    proposals = PreviewProposalSerializer(many=True)
    totals = PreviewTotalsSerializer()


class OpenCaseSerializer(serializers.Serializer):
    opened_on = serializers.DateField(required=False, label=_("动议日期（默认今天）"))
