"""任免事项: the models through the shared contract, the procedure as configurable data, each step
rule and refusal at its boundary, completion recording the movement, and withdrawal."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.urls import reverse

from cadres import appointments
from cadres.models import (
    AppointmentCase,
    AppointmentStatus,
    AppointmentStepKind,
    AppointmentStepOutcome,
    StepRequirement,
    publicity_earliest_end,
    working_days,
)
from orgportal import codes
from tests import factories as f
from tests.cadres.contract import CadreChildContract
from tests.contract import MaskingContract, ModelContract

pytestmark = pytest.mark.django_db
D = datetime.date
L = codes.LeadershipLevel
TODAY = datetime.date.today()
DAY = datetime.timedelta(days=1)
# A Monday about three months ago: every step of a full procedure fits before today.
BASE = TODAY - datetime.timedelta(days=90 + TODAY.weekday())


# --- the contract ------------------------------------------------------------------------------
class TestStepRequirement(ModelContract):
    factory = f.StepRequirementFactory
    basename = "steprequirement"

    def create_payload(self, unit):
        return {"case_kind": "lateral", "step": "publicity", "order": 65}  # not shipped for 平级交流

    def update_payload(self, obj):
        return {"order": obj.order + 1}

    def filter_cases(self, unit):
        yield (
            {"case_kind": "removal"},
            self.factory(case_kind="removal", step="decision"),
            self.factory(case_kind="promotion", step="decision"),
        )


class TestAppointmentCase(CadreChildContract):
    factory = f.AppointmentCaseFactory
    basename = "appointmentcase"
    updatable = False

    def create_payload(self, unit):
        return {
            "cadre": self.cadre_in(unit),
            "kind": "lateral",
            "opened_on": str(TODAY),
            "proposed_post": "某局副局长",
        }

    def update_payload(self, obj):
        return {"reason": "改"}

    def filter_cases(self, unit):
        yield from super().filter_cases(unit)
        yield {"kind": "removal"}, self.make(unit, kind="removal"), self.make(unit)
        yield {"status": "withdrawn"}, self.make(unit, status="withdrawn"), self.make(unit)
        inspected, proposed = self.make(unit), self.make(unit)
        f.AppointmentStepFactory(case=inspected, step="inspection")
        f.AppointmentStepFactory(case=proposed)
        yield {"step": "inspection"}, inspected, proposed
        running, ended = self.make(unit), self.make(unit)
        f.AppointmentStepFactory(case=running, step="publicity", started_on=TODAY - 2 * DAY, ended_on=TODAY)
        f.AppointmentStepFactory(
            case=ended, step="publicity", started_on=TODAY - 9 * DAY, ended_on=TODAY - DAY
        )
        yield {"in_publicity": "1"}, running, ended
        yield {"in_publicity": "0"}, ended, running


class TestAppointmentStep(ModelContract):
    factory = f.AppointmentStepFactory
    basename = "appointmentstep"
    updatable = False

    def create_payload(self, unit):
        case = f.AppointmentCaseFactory(cadre__unit=unit)
        return {"case": case.pk, "step": "proposal", "started_on": str(case.opened_on)}

    def update_payload(self, obj):
        return {"notes": "改"}

    def filter_cases(self, unit):
        mine = self.make(unit)
        yield {"case": mine.case_id}, mine, self.make(unit)
        yield {"step": "talk"}, self.make(unit, step="talk"), mine


class TestPublicityObjection(ModelContract, MaskingContract):
    factory = f.PublicityObjectionFactory
    basename = "publicityobjection"

    def create_payload(self, unit):
        step = f.AppointmentStepFactory(
            case__cadre__unit=unit, step="publicity", started_on=TODAY, ended_on=TODAY + 7 * DAY
        )
        return {"step": step.pk, "received_on": str(TODAY), "content": "反映其亲属经商问题"}

    def update_payload(self, obj):
        return {"handling": "经核查不属实", "resolved": True, "resolved_on": str(obj.received_on + DAY)}

    def filter_cases(self, unit):
        yield (
            {"resolved": "true"},
            self.make(unit, resolved=True, handling="不属实", resolved_on=TODAY),
            self.make(unit),
        )


# --- helpers -------------------------------------------------------------------------------------
def serving_cadre(unit=None, **kwargs):
    kwargs.setdefault("level", L.TOWNSHIP_CHIEF)
    kwargs.setdefault("post", "某镇党委书记")
    return f.CadreFactory(**({"unit": unit} if unit else {}), **kwargs)


def open_case(cadre, kind="promotion", **kwargs):
    values = {
        "proposed_unit": cadre.unit,
        "proposed_post": "某局副局长",
        "proposed_level": L.COUNTY_DEPUTY,
        "removed_post": cadre.post,
        "opened_on": BASE,
    }
    values.update(kwargs)
    return appointments.open_case(cadre, kind=kind, by=None, **values)


def passed_check(cadre):
    R = codes.CheckResult.PASSED
    return f.PromotionCheckFactory(
        cadre=cadre, archive=R, personal_matters=R, discipline=R, petition=R, checked_on=BASE
    )


def step_data(case, step: str, on: datetime.date) -> dict:
    """What a step that passes records."""
    if step == AppointmentStepKind.RECOMMENDATION:
        return {"votes_for": 30, "votes_against": 5, "votes_abstain": 5, "participants": "全体干部职工"}
    if step == AppointmentStepKind.INSPECTION:
        return {"team": "市委组织部考察组", "findings": "政治过硬，实绩突出", "outcome": "passed"}
    if step == AppointmentStepKind.CHECK:
        return {"promotion_check": passed_check(case.cadre)}
    if step == AppointmentStepKind.DECISION:
        return {
            "votes_for": 9,
            "votes_against": 0,
            "votes_abstain": 0,
            "members_expected": 11,
            "meeting": "市委常委会",
        }
    if step == AppointmentStepKind.PUBLICITY:
        return {"ended_on": publicity_earliest_end(on)}
    if step == AppointmentStepKind.APPOINTMENT:
        return {"doc_number": "遵组任〔2026〕1号"}
    return {}


def walk(case, until: str | None = None, skip=()) -> datetime.date:
    """Record the case's configured steps in order, each passing (stopping before `until`); returns
    the day after the last one."""
    on = BASE
    for requirement in appointments.required_steps(case.kind):
        if requirement.step == until:
            break
        if requirement.step in skip:
            continue
        data = step_data(case, requirement.step, on)
        appointments.record_step(case, step=requirement.step, started_on=on, by=None, **data)
        on = (data.get("ended_on") or on) + DAY
    return on


def refusal(case, on=TODAY) -> list[str]:
    with pytest.raises(ValidationError) as error:
        appointments.complete_case(case, by=None, on=on)
    return error.value.messages


# --- the procedure as data -----------------------------------------------------------------------
def test_default_procedures_are_shipped_in_order():
    def steps(kind):
        return [r.step for r in appointments.required_steps(kind)]

    assert steps("promotion") == list(AppointmentStepKind.values)
    assert "recommendation" not in steps("lateral") and "publicity" not in steps("lateral")
    assert steps("removal") == steps("retirement") == ["proposal", "decision", "appointment"]
    assert StepRequirement.objects.get(case_kind="promotion", step="recommendation").min_share == Decimal(
        "0.5"
    )


def test_a_kind_configured_without_publicity_completes_without_one():
    StepRequirement.objects.filter(case_kind="promotion", step="publicity").delete()
    case = open_case(serving_cadre())
    walk(case)
    assert not case.steps.filter(step="publicity").exists()
    assert appointments.complete_case(case, by=None).status == AppointmentStatus.COMPLETED


def test_open_case_refuses_a_kind_without_procedure():
    StepRequirement.objects.filter(case_kind="lateral").delete()
    with pytest.raises(ValidationError, match="尚未配置任免程序"):
        open_case(serving_cadre(), kind="lateral")


def test_open_case_allows_one_open_case_per_cadre():
    cadre = serving_cadre()
    open_case(cadre)
    with pytest.raises(ValidationError, match="已有办理中的任免事项"):
        open_case(cadre)


# --- recording steps -----------------------------------------------------------------------------
def test_step_cannot_be_recorded_before_the_previous_required_ones():
    case = open_case(serving_cadre())
    appointments.record_step(case, step="proposal", started_on=BASE, by=None)
    with pytest.raises(ValidationError) as error:
        appointments.record_step(case, step="inspection", started_on=BASE, by=None, outcome="passed")
    assert "请先完成「谈话调研」、「民主推荐」" in error.value.messages[0]


def test_step_outside_the_kinds_procedure_is_refused():
    case = open_case(serving_cadre(), kind="lateral", proposed_level="")
    on = walk(case, until="talk")
    with pytest.raises(ValidationError, match="程序不含「民主推荐」"):
        appointments.record_step(case, step="recommendation", started_on=on, by=None, votes_for=1)


def test_step_dated_before_the_previous_step_is_refused():
    case = open_case(serving_cadre())
    appointments.record_step(case, step="proposal", started_on=BASE + 3 * DAY, by=None)
    with pytest.raises(ValidationError, match="不能早于上一步骤"):
        appointments.record_step(case, step="talk", started_on=BASE + 2 * DAY, by=None)


def test_recommendation_at_the_configured_share_passes():
    case = open_case(serving_cadre())
    on = walk(case, until="recommendation")
    step = appointments.record_step(
        case, step="recommendation", started_on=on, by=None, votes_for=15, votes_against=10, votes_abstain=5
    )
    assert step.outcome == AppointmentStepOutcome.PASSED  # 15 of 30 = 50 %, the shipped threshold


def test_recommendation_below_the_configured_share_fails_and_stops_the_procedure():
    case = open_case(serving_cadre())
    on = walk(case, until="recommendation")
    step = appointments.record_step(
        case, step="recommendation", started_on=on, by=None, votes_for=14, votes_against=11, votes_abstain=5
    )
    assert step.outcome == AppointmentStepOutcome.FAILED
    assert "低于 50.0%" in step.notes
    with pytest.raises(ValidationError, match="「民主推荐」未通过，不能继续"):
        appointments.record_step(case, step="inspection", started_on=on, by=None)
    assert "「民主推荐」未通过" in refusal(case)


def test_failed_inspection_refuses_completion():
    case = open_case(serving_cadre())
    on = walk(case, until="inspection")
    appointments.record_step(case, step="inspection", started_on=on, by=None, outcome="failed")
    reasons = refusal(case)
    assert "「考察」未通过" in reasons
    assert any("缺少必经程序：「凡提必核」、「讨论决定」、「任前公示」、「任职」" in r for r in reasons)


@pytest.mark.parametrize(
    ("votes_for", "against", "outcome"),
    [(5, 1, AppointmentStepOutcome.PASSED), (4, 2, AppointmentStepOutcome.FAILED)],
)
def test_decision_needs_more_than_half_of_the_members_who_should_attend(votes_for, against, outcome):
    # 9 members should attend, 6 present (two thirds): 5 in favour is a majority of the 9, 4 is not,
    # though 4 of the 6 votes cast would be
    case = open_case(serving_cadre())
    on = walk(case, until="decision")
    step = appointments.record_step(
        case,
        step="decision",
        started_on=on,
        by=None,
        votes_for=votes_for,
        votes_against=against,
        votes_abstain=0,
        members_expected=9,
    )
    assert step.outcome == outcome


def test_decision_needs_two_thirds_present_and_the_number_expected():
    case = open_case(serving_cadre())
    on = walk(case, until="decision")

    def record(**votes):
        return appointments.record_step(case, step="decision", started_on=on, by=None, **votes)

    with pytest.raises(ValidationError, match="不足应到会成员（9人）的三分之二"):
        record(votes_for=5, votes_against=0, votes_abstain=0, members_expected=9)
    with pytest.raises(ValidationError, match="请填写应到会成员人数"):
        record(votes_for=5, votes_against=1, votes_abstain=0)
    with pytest.raises(ValidationError, match="票数多于应到会成员人数"):
        record(votes_for=8, votes_against=2, votes_abstain=0, members_expected=9)


def test_check_needs_a_finished_promotion_check():
    cadre = serving_cadre()
    case = open_case(cadre)
    on = walk(case, until="check")
    f.PromotionCheckFactory(cadre=cadre)  # every item 待核查
    with pytest.raises(ValidationError, match="待核查"):
        appointments.record_step(case, step="check", started_on=on, by=None)


def test_failed_promotion_check_fails_the_step():
    cadre = serving_cadre()
    case = open_case(cadre)
    on = walk(case, until="check")
    R = codes.CheckResult
    check = f.PromotionCheckFactory(
        cadre=cadre, archive=R.PASSED, personal_matters=R.FAILED, discipline=R.PASSED, petition=R.PASSED
    )
    step = appointments.record_step(case, step="check", started_on=on, by=None)
    assert step.promotion_check == check and step.outcome == AppointmentStepOutcome.FAILED


def test_working_days_count_monday_to_friday():
    friday = D(2026, 11, 27)
    assert working_days(friday, D(2026, 12, 3)) == 5  # Fri, Mon, Tue, Wed, Thu
    assert working_days(friday, D(2026, 12, 2)) == 4
    assert publicity_earliest_end(friday) == D(2026, 12, 3)
    assert publicity_earliest_end(D(2026, 11, 30)) == D(2026, 12, 4)  # Monday → Friday


def test_publicity_starting_friday_must_end_no_earlier_than_next_thursday():
    case = open_case(serving_cadre())
    walk(case, until="publicity")
    friday = TODAY - datetime.timedelta(days=(TODAY.weekday() - 4) % 7 + 14)
    with pytest.raises(ValidationError, match="不少于5个工作日"):
        appointments.record_step(
            case, step="publicity", started_on=friday, ended_on=friday + 5 * DAY, by=None
        )
    step = appointments.record_step(
        case, step="publicity", started_on=friday, ended_on=friday + 6 * DAY, by=None
    )
    assert step.ended_on.weekday() == 3


# --- completing: every refusal, and what completion records -------------------------------------
def test_publicity_running_on_its_last_day_refuses_and_the_day_after_completes():
    StepRequirement.objects.filter(case_kind="promotion", step="appointment").delete()  # 公示 comes last
    case = open_case(serving_cadre())
    walk(case, until="publicity")
    start = TODAY - datetime.timedelta(days=10)
    end = publicity_earliest_end(start)
    appointments.record_step(case, step="publicity", started_on=start, ended_on=end, by=None)
    assert refusal(case, on=end) == [f"任前公示尚未期满（{end}截止）"]
    assert appointments.complete_case(case, by=None, on=end + DAY).movement.date == end + DAY


def test_steps_after_publicity_wait_until_it_has_ended():
    case = open_case(serving_cadre())
    walk(case, until="publicity")
    start = TODAY - datetime.timedelta(days=10)
    end = publicity_earliest_end(start)
    appointments.record_step(case, step="publicity", started_on=start, ended_on=end, by=None)
    with pytest.raises(ValidationError, match="期满，此后才能"):
        appointments.record_step(case, step="appointment", started_on=end, by=None, doc_number="遵组任1号")
    appointments.record_step(case, step="appointment", started_on=end + DAY, by=None, doc_number="遵组任1号")
    assert refusal(case, on=end) == [
        f"任前公示尚未期满（{end}截止）",
        f"办结日期不能早于任职日期（{end + DAY}）",
    ]


def test_unresolved_objection_refuses_completion_until_handled():
    case = open_case(serving_cadre())
    walk(case)
    objection = f.PublicityObjectionFactory(step=case.steps.get(step="publicity"))
    assert refusal(case) == ["任前公示期间有1条反映尚未核查办结"]
    objection.handling, objection.resolved, objection.resolved_on = (
        "经核查不属实",
        True,
        objection.received_on,
    )
    objection.save_as(None)
    assert appointments.complete_case(case, by=None).status == AppointmentStatus.COMPLETED


def test_no_objection_is_added_to_a_closed_case():
    case = open_case(serving_cadre())
    walk(case)
    publicity = case.steps.get(step="publicity")
    appointments.complete_case(case, by=None)
    publicity.refresh_from_db()
    publicity.case.refresh_from_db()
    late = f.PublicityObjectionFactory.build(step=publicity)
    with pytest.raises(ValidationError, match="已办结，不能再登记反映"):
        late.full_clean()


def test_sanction_and_red_warning_refuse_with_every_reason_listed():
    cadre = serving_cadre()
    case = open_case(cadre)
    walk(case, until="decision")
    f.SanctionFactory(cadre=cadre)
    f.WarningFactory(cadre=cadre, level=codes.WarningLevel.RED)
    reasons = refusal(case)
    assert reasons == [
        "缺少必经程序：「讨论决定」、「任前公示」、「任职」",
        "该干部处于处分或组织处理影响期内",
        "该干部有未解除的红色预警",
    ]


def test_sanction_does_not_stop_retirement():
    cadre = serving_cadre()
    f.SanctionFactory(cadre=cadre)
    case = open_case(cadre, kind="retirement", proposed_post="", proposed_level="")
    walk(case)
    assert appointments.complete_case(case, by=None).status == AppointmentStatus.COMPLETED
    cadre.refresh_from_db()
    assert cadre.status == codes.CadreStatus.RETIRED


def test_completion_records_the_movement_and_the_cadres_post_follows(county_a):
    cadre = serving_cadre(county_a, rank=codes.Rank.PRINCIPAL_STAFF_2)
    target = f.UnitFactory(parent=county_a)
    user = f.UserFactory(is_superuser=True)
    case = open_case(
        cadre, proposed_unit=target, proposed_post="某局副局长", proposed_rank=codes.Rank.PRINCIPAL_STAFF_1
    )
    walk(case)
    appointed = case.steps.get(step="appointment")
    case = appointments.complete_case(case, by=user)
    cadre.refresh_from_db()
    movement = case.movement
    assert (movement.kind, movement.date, movement.doc_number) == (
        codes.MovementKind.PROMOTION,
        appointed.started_on,
        "遵组任〔2026〕1号",
    )
    assert (cadre.unit, cadre.post, cadre.level, cadre.rank) == (
        target,
        "某局副局长",
        L.COUNTY_DEPUTY,
        codes.Rank.PRINCIPAL_STAFF_1,
    )
    assert cadre.post_since == appointed.started_on
    # 试用期一年: through the day before the anniversary
    assert cadre.probation_until == appointed.started_on.replace(year=appointed.started_on.year + 1) - DAY
    assert case.status == AppointmentStatus.COMPLETED and case.completed_on == TODAY
    assert case.history.latest().history_user == user
    assert movement.history.latest().history_user == user


def test_lateral_exchange_has_no_probation():
    cadre = serving_cadre(probation_until=None)
    case = open_case(cadre, kind="lateral", proposed_level="", proposed_post="某镇镇长")
    walk(case)
    appointments.complete_case(case, by=None)
    cadre.refresh_from_db()
    assert cadre.post == "某镇镇长" and cadre.probation_until is None


def test_completed_case_cannot_be_completed_or_withdrawn_again():
    case = open_case(serving_cadre())
    walk(case)
    appointments.complete_case(case, by=None)
    with pytest.raises(ValidationError, match="已办结"):
        appointments.withdraw_case(case, reason="重复", by=None)


def test_withdrawal_keeps_the_case_with_its_reason():
    user = f.UserFactory(is_superuser=True)
    case = open_case(serving_cadre())
    walk(case, until="inspection")
    with pytest.raises(ValidationError, match="请填写撤销原因"):
        appointments.withdraw_case(case, reason=" ", by=user)
    appointments.withdraw_case(case, reason="考察前发现问题线索", by=user, on=TODAY)
    case = AppointmentCase.objects.get(pk=case.pk)
    assert (case.status, case.withdrawn_on, case.withdraw_reason) == (
        "withdrawn",
        TODAY,
        "考察前发现问题线索",
    )
    assert case.steps.count() == 3
    assert case.history.latest().history_user == user
    with pytest.raises(ValidationError, match="已撤销"):
        appointments.record_step(case, step="inspection", started_on=TODAY, by=user)
    open_case(case.cadre)  # the cadre may have a new case


# --- API and admin ---------------------------------------------------------------------------------
def test_api_steps_complete_and_withdraw(county_a, api):
    cadre = serving_cadre(county_a)
    case = open_case(cadre)
    perms = ["cadres.view_appointmentcase", "cadres.change_appointmentcase"]
    client = api.as_user(f.UserFactory(perms=perms, units=[county_a]))
    url = reverse("appointmentcase-detail", args=[case.pk])
    response = client.post(f"{url}steps/", {"step": "talk", "started_on": str(BASE)}, format="json")
    assert response.status_code == 400 and "请先完成「分析研判和动议」" in response.data["step"][0]
    response = client.post(f"{url}steps/", {"step": "proposal", "started_on": str(BASE)}, format="json")
    assert response.status_code == 201, response.data
    assert response.data["outcome"] == "passed"
    response = client.post(f"{url}complete/", {}, format="json")
    assert response.status_code == 400
    assert response.data["non_field_errors"][0].startswith("缺少必经程序：「谈话调研」")
    response = client.post(f"{url}withdraw/", {"reason": "动议撤回"}, format="json")
    assert response.status_code == 200, response.data
    assert response.data["status"] == "withdrawn" and len(response.data["steps"]) == 1


def test_api_actions_need_change_permission(county_a, api):
    case = open_case(serving_cadre(county_a))
    client = api.as_user(f.UserFactory(perms=["cadres.view_appointmentcase"], units=[county_a]))
    url = reverse("appointmentcase-detail", args=[case.pk])
    assert client.post(f"{url}withdraw/", {"reason": "x"}, format="json").status_code == 403


def test_admin_complete_action_lists_every_reason(client, superuser):
    cadre = serving_cadre()
    case = open_case(cadre)
    f.WarningFactory(cadre=cadre, level=codes.WarningLevel.RED)
    client.force_login(superuser)
    url = reverse("admin:cadres_appointmentcase_changelist")
    data = {"action": "complete_selected", "_selected_action": [case.pk], "confirm": "1", "on": str(TODAY)}
    page = client.post(url, data, follow=True).content.decode()
    assert "该干部有未解除的红色预警" in page and "缺少必经程序" in page
    case.refresh_from_db()
    assert case.status == AppointmentStatus.OPEN


def test_admin_record_step_action(client, superuser):
    case = open_case(serving_cadre())
    client.force_login(superuser)
    url = reverse("admin:cadres_appointmentcase_changelist")
    data = {"action": "record_step_selected", "_selected_action": [case.pk], "confirm": "1"}
    client.post(url, {**data, "step": "proposal", "started_on": str(BASE)})
    assert list(case.steps.values_list("step", flat=True)) == ["proposal"]
    assert client.get(reverse("admin:cadres_appointmentcase_change", args=[case.pk])).status_code == 200


def test_sections_permissions():
    def perms(name):
        return set(Group.objects.get(name=name).permissions.values_list("codename", flat=True))

    assert {"add_appointmentcase", "change_appointmentcase", "change_steprequirement"} <= perms("干部科")
    assert "view_appointmentcase" in perms("干监科") and "change_appointmentcase" not in perms("干监科")
    assert "change_appointmentcase" in perms("县区组织部") and "change_steprequirement" not in perms(
        "县区组织部"
    )


def test_admin_pages_and_filters(client, superuser):
    case = open_case(serving_cadre())
    walk(case, until="talk")
    step = case.steps.get()
    client.force_login(superuser)
    for name, args, params in [
        (
            "cadres_appointmentcase_changelist",
            [],
            {"step": "proposal", "in_publicity": "0", "kind": "promotion"},
        ),
        ("cadres_appointmentcase_add", [], {}),
        ("cadres_appointmentstep_add", [], {}),
        ("cadres_appointmentstep_change", [step.pk], {}),
        ("cadres_publicityobjection_add", [], {}),
        ("cadres_steprequirement_changelist", [], {"case_kind": "removal"}),
    ]:
        response = client.get(reverse(f"admin:{name}", args=args), params)
        assert response.status_code == 200, name
    page = client.get(
        reverse("admin:cadres_appointmentcase_changelist"), {"step": "proposal"}
    ).content.decode()
    assert reverse("admin:cadres_appointmentcase_change", args=[case.pk]) in page
