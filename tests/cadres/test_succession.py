"""换届 planning: the models through the shared contract, the preview (before and after, side by side,
writing nothing, in a constant number of queries), the candidates' flags, and turning an accepted
proposal into an appointment case (service, API, admin)."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cadres import succession
from cadres.models import AppointmentCase, AppointmentKind, ProposalStatus
from orgportal import access, codes
from tests import factories as f
from tests.contract import ModelContract

pytestmark = pytest.mark.django_db
D = datetime.date
L = codes.LeadershipLevel
TODAY = datetime.date.today()
VIEW_PERMS = ["cadres.view_successionplan", "cadres.view_cadre", "cadres.view_postquota"]


# --- the contract ------------------------------------------------------------------------------
class TestSuccessionPlan(ModelContract):
    factory = f.SuccessionPlanFactory
    basename = "successionplan"

    def create_payload(self, unit):
        return {"name": "2026年县乡换届", "unit": unit.pk, "teams": [unit.pk], "on_date": "2026-09-30"}

    def update_payload(self, obj):
        return {"status": "final"}

    def filter_cases(self, unit):
        yield {"status": "final"}, self.make(unit, status="final"), self.make(unit, status="draft")


class TestSuccessionProposal(ModelContract):
    factory = f.SuccessionProposalFactory
    basename = "successionproposal"

    def make(self, unit, **kwargs):
        kwargs.setdefault("plan", f.SuccessionPlanFactory(unit=unit))
        return self.factory(**kwargs)

    def create_payload(self, unit):
        plan = f.SuccessionPlanFactory(unit=unit)
        cadre = f.CadreFactory(unit=unit)
        return {
            "plan": plan.pk,
            "kind": "appointment",
            "cadre": cadre.pk,
            "team": unit.pk,
            "level": L.COUNTY_DEPUTY,
            "post": "副县长",
        }

    def update_payload(self, obj):
        return {"status": "accepted"}

    def filter_cases(self, unit):
        yield (
            {"kind": "departure"},
            self.make(unit, kind="departure", reason="age", level="", post=""),
            self.make(unit),
        )


# --- model rules -------------------------------------------------------------------------------
def test_departure_needs_a_reason_and_a_member_of_the_team(county_a, county_b):
    plan = f.SuccessionPlanFactory(unit=county_a)
    with pytest.raises(ValidationError, match="离任原因"):
        f.SuccessionProposalFactory.build(plan=plan, kind="departure", reason="").full_clean()
    outsider = f.CadreFactory(unit=county_b)
    with pytest.raises(ValidationError, match="不是这个班子"):
        f.SuccessionProposalFactory.build(
            plan=plan, kind="departure", reason="age", cadre=outsider
        ).full_clean()


def test_appointment_needs_a_level_and_a_post_in_the_plans_scope(county_a, county_b):
    plan = f.SuccessionPlanFactory(unit=county_a)
    with pytest.raises(ValidationError, match="拟任职务层次"):
        f.SuccessionProposalFactory.build(plan=plan, level="").full_clean()
    with pytest.raises(ValidationError, match="换届范围"):
        f.SuccessionProposalFactory.build(plan=plan, team=county_b).full_clean()


def test_case_opened_status_is_set_by_the_service_only(county_a):
    proposal = f.SuccessionProposalFactory(plan__unit=county_a)
    proposal.status = ProposalStatus.CASE_OPENED
    with pytest.raises(ValidationError, match="启动任免事项"):
        proposal.full_clean()


# --- the preview -------------------------------------------------------------------------------
def born(age: int) -> D:
    return D(TODAY.year - age, 1, 1)


def member(unit, level=L.COUNTY_DEPUTY, **kwargs):
    for field in ("expertise", "professional_title", "ft_school", "pt_school"):
        kwargs.setdefault(field, "")
    kwargs.setdefault("political_status", "01")
    return f.CadreFactory(unit=unit, level=level, **kwargs)


def county_team(county):
    """核定 正职1 副职3; a man of 52, a woman of 45, a man of 44: the woman is the only 女干部."""
    f.PostQuotaFactory(unit=county, level=L.COUNTY_CHIEF, post_kind="", approved=1)
    f.PostQuotaFactory(unit=county, level=L.COUNTY_DEPUTY, post_kind="", approved=3)
    return (
        member(county, L.COUNTY_CHIEF, name="王书记", gender="1", birth_date=born(52)),
        member(county, name="李副县长", gender="2", birth_date=born(45)),
        member(county, name="赵副县长", gender="1", birth_date=born(44)),
    )


def plan_for(unit, *teams, **kwargs):
    plan = f.SuccessionPlanFactory(unit=unit, on_date=TODAY, **kwargs)
    plan.teams.set(teams)
    return plan


def depart(plan, cadre, reason="term", **kwargs):
    return f.SuccessionProposalFactory(
        plan=plan, kind="departure", cadre=cadre, team=cadre.unit, reason=reason, level="", post="", **kwargs
    )


def appoint(plan, cadre, team, level=L.COUNTY_DEPUTY, **kwargs):
    return f.SuccessionProposalFactory(
        plan=plan, cadre=cadre, team=team, level=level, post="副县长", **kwargs
    )


def by_name(preview) -> dict:
    return {team["unit"]["name"]: team for team in preview["teams"]}


def rule_met(state, kind) -> bool:
    return next(rule["met"] for rule in state["rules"] if rule["kind"]["code"] == kind)


def gaps(state) -> tuple:
    return state["approved"], state["serving"], state["vacant"], state["over"]


def test_preview_shows_quotas_and_rules_before_and_after(city, county_a, county_b):
    _chief, woman, _man = county_team(county_a)
    plan = plan_for(city, county_a, county_b)
    depart(plan, woman)
    candidate = member(county_b, L.TOWNSHIP_CHIEF, name="陈镇长", gender="2", birth_date=born(36))
    appoint(plan, candidate, county_a)
    appoint(
        plan, member(county_b, L.TOWNSHIP_CHIEF, name="周局长", gender="1", birth_date=born(39)), county_a
    )
    team = by_name(succession.preview(plan))[county_a.name]
    assert gaps(team["before"]) == (4, 3, 1, 0)
    assert gaps(team["after"]) == (4, 4, 0, 0)
    assert not rule_met(team["before"], "young") and rule_met(team["after"], "young")
    assert rule_met(team["after"], "woman")  # 李 leaves, 陈 joins
    assert [m["name"] for m in team["leaving"]] == ["李副县长"]
    assert {m["name"] for m in team["joining"]} == {"陈镇长", "周局长"}
    assert "不符合" in next(r["reason"] for r in team["before"]["rules"] if r["kind"]["code"] == "young")


def test_preview_shows_a_missed_rule_and_over_quota_after(county_a):
    _chief, woman, man = county_team(county_a)
    plan = plan_for(county_a, county_a)
    depart(plan, woman, reason="exchange")
    for n in range(2):
        appoint(plan, f.CadreFactory(unit=county_a, level="", gender="1", name=f"候选{n}"), county_a)
    team = by_name(succession.preview(plan))[county_a.name]
    assert rule_met(team["before"], "woman") and not rule_met(team["after"], "woman")
    deputy = next(p for p in team["after"]["posts"] if p["level"]["code"] == L.COUNTY_DEPUTY)
    assert (deputy["approved"], deputy["serving"], deputy["over"]) == (3, 3, 0)
    appoint(plan, f.CadreFactory(unit=county_a, level="", gender="1"), county_a)
    deputy = next(
        p
        for p in by_name(succession.preview(plan))[county_a.name]["after"]["posts"]
        if p["level"]["code"] == L.COUNTY_DEPUTY
    )
    assert (deputy["serving"], deputy["over"]) == (4, 1)


def test_a_candidate_leaves_their_present_team(city, county_a, county_b):
    county_team(county_a)
    _chief, _woman, deputy_b = county_team(county_b)
    plan = plan_for(city, county_a, county_b)
    appoint(plan, deputy_b, county_a, level=L.COUNTY_CHIEF)
    teams = by_name(succession.preview(plan))
    assert gaps(teams[county_b.name]["after"])[1] == 2
    chief = teams[county_a.name]["after"]["posts"][0]
    assert (chief["level"]["code"], chief["serving"], chief["over"]) == (L.COUNTY_CHIEF, 2, 1)


def test_rejected_proposals_are_left_out(county_a):
    _chief, woman, _man = county_team(county_a)
    plan = plan_for(county_a, county_a)
    depart(plan, woman, status=ProposalStatus.REJECTED)
    preview = succession.preview(plan)
    assert preview["proposals"] == []
    assert gaps(by_name(preview)[county_a.name]["after"]) == (4, 3, 1, 0)


def test_preview_shows_the_candidates_pool_and_record_flags(county_a):
    plan = plan_for(county_a, county_a)
    over_age = f.PoolMembershipFactory(
        cadre=f.CadreFactory(unit=county_a, birth_date=born(50)), tier=L.COUNTY_DEPUTY
    ).cadre
    sanctioned = f.SanctionFactory(cadre=f.CadreFactory(unit=county_a)).cadre
    red = f.WarningFactory(cadre=f.CadreFactory(unit=county_a), level=codes.WarningLevel.RED).cadre
    retired = f.CadreFactory(unit=county_a, status=codes.CadreStatus.RETIRED)
    clean = f.CadreFactory(unit=county_a)
    for cadre in (over_age, sanctioned, red, retired, clean):
        appoint(plan, cadre, county_a)
    rows = {row["cadre"]["id"]: row for row in succession.preview(plan)["proposals"]}
    assert rows[over_age.pk]["pool_tier"]["code"] == L.COUNTY_DEPUTY
    assert any("超龄" in flag for flag in rows[over_age.pk]["pool_flags"])
    assert any("影响期" in flag for flag in rows[sanctioned.pk]["record_flags"])
    assert rows[red.pk]["record_flags"] == ["有未解除的红色预警"]
    assert any("退休" in flag for flag in rows[retired.pk]["record_flags"])
    assert rows[clean.pk]["pool_flags"] == rows[clean.pk]["record_flags"] == []
    assert rows[clean.pk]["pool_tier"] is None


def _snapshot() -> dict:
    state = {}
    for model in access.domain_models():
        rows = model._default_manager.all()
        latest = (
            rows.order_by("-updated_at").values_list("updated_at", flat=True).first()
            if hasattr(model, "updated_at")
            else None
        )
        state[model._meta.label] = (rows.count(), latest)
        if hasattr(model, "history"):
            state[f"{model._meta.label}.history"] = model.history.count()
    return state


def test_preview_writes_nothing(city, county_a, county_b, api, client):
    _chief, woman, _man = county_team(county_a)
    plan = plan_for(city, county_a, county_b)
    depart(plan, woman, reason="age")
    appoint(plan, f.PoolMembershipFactory(cadre=f.CadreFactory(unit=county_b)).cadre, county_a)
    user = f.UserFactory(is_superuser=True)
    client.force_login(user)  # before the snapshot: a login writes an audit row
    before = _snapshot()
    succession.preview(plan)
    assert api.as_user(user).get(f"/api/v1/succession-plans/{plan.pk}/preview/").status_code == 200
    assert client.get(reverse("admin:cadres_successionplan_preview", args=[plan.pk])).status_code == 200
    assert _snapshot() == before


def _queries(fetch) -> int:
    with CaptureQueriesContext(connection) as ctx:
        fetch()
    return len(ctx.captured_queries)


def test_preview_query_count_is_the_same_for_one_and_many_teams(city, county_a):
    plan = plan_for(city, county_a)
    _chief, woman, _man = county_team(county_a)
    depart(plan, woman)
    appoint(plan, f.PoolMembershipFactory(cadre=f.CadreFactory(unit=county_a)).cadre, county_a)
    one = _queries(lambda: succession.preview(plan))
    for n in range(5):
        county = f.UnitFactory(parent=city, kind=codes.UnitKind.COUNTY, name=f"丙县{n}")
        _c, deputy, _m = county_team(county)
        plan.teams.add(county)
        depart(plan, deputy)
        appoint(plan, f.PoolMembershipFactory(cadre=f.CadreFactory(unit=county)).cadre, county)
    preview = succession.preview(plan)
    assert len(preview["teams"]) == 6
    assert _queries(lambda: succession.preview(plan)) == one == 8


# --- API and admin -----------------------------------------------------------------------------
def test_api_preview_needs_the_cadre_and_quota_view_permissions(county_a, api):
    county_team(county_a)
    plan = plan_for(county_a, county_a)
    url = f"/api/v1/succession-plans/{plan.pk}/preview/"
    only_plans = f.UserFactory(perms=["cadres.view_successionplan"], units=[county_a])
    assert api.as_user(only_plans).get(url).status_code == 403
    response = api.as_user(f.UserFactory(perms=VIEW_PERMS, units=[county_a])).get(url)
    assert response.status_code == 200, response.data
    assert response.data["teams"][0]["before"]["approved"] == 4


def test_api_preview_is_404_outside_the_jurisdiction(county_a, county_b, api):
    plan = plan_for(county_b, county_b)
    user = f.UserFactory(perms=VIEW_PERMS, units=[county_a])
    assert api.as_user(user).get(f"/api/v1/succession-plans/{plan.pk}/preview/").status_code == 404


def test_admin_plan_page_links_the_preview_which_shows_both_columns(county_a, client):
    _chief, woman, _man = county_team(county_a)
    plan = plan_for(county_a, county_a)
    depart(plan, woman)
    client.force_login(f.UserFactory(is_superuser=True))
    page = client.get(reverse("admin:cadres_successionplan_change", args=[plan.pk])).content.decode()
    preview_url = reverse("admin:cadres_successionplan_preview", args=[plan.pk])
    assert preview_url in page
    assert "李副县长" in page  # the proposals inline
    preview = client.get(preview_url).content.decode()
    assert "现状" in preview and "调整后" in preview and county_a.name in preview


# --- 启动任免事项 -------------------------------------------------------------------------------
def test_open_case_needs_an_accepted_proposal(county_a):
    proposal = appoint(plan_for(county_a, county_a), f.CadreFactory(unit=county_a, level=""), county_a)
    with pytest.raises(ValidationError, match="只有已采纳"):
        succession.open_case(proposal, by=None)
    assert not AppointmentCase.objects.exists()


def test_open_case_turns_an_appointment_into_a_promotion_case_once(county_a):
    cadre = f.CadreFactory(unit=county_a, level=L.TOWNSHIP_CHIEF)
    proposal = appoint(plan_for(county_a, county_a), cadre, county_a, status=ProposalStatus.ACCEPTED)
    case = succession.open_case(proposal, by=None)
    assert (case.cadre, case.kind, case.proposed_unit, case.proposed_level, case.proposed_post) == (
        cadre,
        AppointmentKind.PROMOTION,
        county_a,
        L.COUNTY_DEPUTY,
        "副县长",
    )
    proposal.refresh_from_db()
    assert (proposal.status, proposal.case) == (ProposalStatus.CASE_OPENED, case)
    with pytest.raises(ValidationError, match="已启动任免事项"):
        succession.open_case(proposal, by=None)


def test_departures_become_retirement_or_removal_cases(county_a):
    _chief, woman, man = county_team(county_a)
    plan = plan_for(county_a, county_a)
    retiring = succession.open_case(depart(plan, woman, reason="age", status="accepted"), by=None)
    removed = succession.open_case(depart(plan, man, reason="term", status="accepted"), by=None)
    assert (retiring.kind, removed.kind, removed.removed_post) == (
        AppointmentKind.RETIREMENT,
        AppointmentKind.REMOVAL,
        man.post,
    )


def test_api_open_case(county_a, api):
    cadre = f.CadreFactory(unit=county_a, level=L.COUNTY_DEPUTY)
    proposal = appoint(plan_for(county_a, county_a), cadre, county_a, status="accepted")
    url = f"/api/v1/succession-proposals/{proposal.pk}/open-case/"
    perms = ["cadres.view_successionproposal", "cadres.change_successionproposal"]
    without = f.UserFactory(perms=perms, units=[county_a])
    assert api.as_user(without).post(url, {}, format="json").status_code == 403
    user = f.UserFactory(perms=[*perms, "cadres.add_appointmentcase"], units=[county_a])
    response = api.as_user(user).post(url, {"opened_on": TODAY.isoformat()}, format="json")
    assert response.status_code == 201, response.data
    assert response.data["kind"] == AppointmentKind.LATERAL
    again = api.as_user(user).post(url, {}, format="json")
    assert again.status_code == 400


def test_admin_action_opens_one_case_per_proposal(county_a, client):
    plan = plan_for(county_a, county_a)
    accepted = appoint(plan, f.CadreFactory(unit=county_a, level=""), county_a, status="accepted")
    pending = appoint(plan, f.CadreFactory(unit=county_a, level=""), county_a)
    client.force_login(f.UserFactory(is_superuser=True))
    response = client.post(
        reverse("admin:cadres_successionproposal_changelist"),
        {
            "action": "open_case_selected",
            "_selected_action": [accepted.pk, pending.pk],
            "opened_on": TODAY.isoformat(),
            "confirm": "1",
        },
    )
    # all or nothing: the pending proposal is refused, so no case is opened and the form says why
    assert response.status_code == 200 and "全部未执行" in response.content.decode()
    assert not AppointmentCase.objects.exists()
    response = client.post(
        reverse("admin:cadres_successionproposal_changelist"),
        {
            "action": "open_case_selected",
            "_selected_action": [accepted.pk],
            "opened_on": TODAY.isoformat(),
            "confirm": "1",
        },
    )
    assert response.status_code == 302
    assert list(AppointmentCase.objects.values_list("cadre_id", flat=True)) == [accepted.cadre_id]
    pending.refresh_from_db()
    assert pending.status == ProposalStatus.PROPOSED
