"""The talent office's other lines of work, at their boundaries: the 乡土人才积分 ledger, its review,
the level table and certification by points; studios; targeted trainees and their services; signing
events; plan indicators — through the models, the services, the API actions and the admin."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from orgportal import codes
from orgportal.review import review
from talent import services
from talent.models import PointEntry, PointsLevel, SigningEvent, Talent, TalentPlanIndicator, TargetedTrainee
from talent.models.development import add_years
from tests import factories as f

pytestmark = pytest.mark.django_db
D = datetime.date
DAY = datetime.timedelta(days=1)
TODAY = timezone.localdate()
Trainee = codes.TraineeStatus


def errors_of(call) -> dict:
    with pytest.raises(ValidationError) as error:
        call()
    return error.value.message_dict


def rural(unit, level=""):
    return f.TalentFactory(unit=unit, category=codes.TalentCategory.RURAL_PRACTICAL, level=level)


def approved(talent, points, **kwargs):
    return f.PointEntryFactory(talent=talent, points=Decimal(points), approved=True, **kwargs)


def standing(talent):
    return Talent.objects.with_points().values_list("points_total", "points_level").get(pk=talent.pk)


# --- the points ledger -----------------------------------------------------------------------------
def test_only_approved_points_count(county_a):
    talent = rural(county_a)
    approved(talent, 60)
    approved(talent, -5)  # a deduction
    f.PointEntryFactory(talent=talent, points=Decimal(80))  # pending
    f.PointEntryFactory(
        talent=talent, points=Decimal(90), status=codes.ReviewResult.REJECTED, reviewed_on=TODAY
    )
    assert standing(talent) == (Decimal(55), "")


@pytest.mark.parametrize(
    ("points", "level"),
    [("99.5", ""), ("100", "E"), ("199.5", "E"), ("200", "D"), ("300", "C"), ("999", "C")],
)
def test_points_reach_the_level_of_the_default_table_at_its_threshold(county_a, points, level):
    talent, left = rural(county_a), Decimal(points)
    while left > 0:  # entries of at most 100 points each, as the ledger takes them
        approved(talent, min(left, Decimal(100)))
        left -= 100
    assert standing(talent) == (Decimal(points), level)
    assert services.points_standing(talent)[:2] == (Decimal(points), level)


def test_the_level_table_is_data(county_a):
    talent = rural(county_a)
    approved(talent, 90)
    PointsLevel.objects.filter(level="E").update(min_points=80)
    assert standing(talent)[1] == "E"


def test_a_higher_level_needs_a_higher_threshold():
    errors = errors_of(PointsLevel(level="B", min_points=250).full_clean)  # C needs 300
    assert "冲突" in errors["min_points"][0]
    PointsLevel(level="B", min_points=400).full_clean()


def test_points_propose_a_certification_above_the_current_level(county_a):
    none_yet, at_e, at_c = rural(county_a), rural(county_a, level="E"), rural(county_a, level="C")
    for talent in (none_yet, at_e, at_c):
        approved(talent, 210)  # D
    below = rural(county_a)
    approved(below, 40)
    departed = f.TalentFactory(unit=county_a, level="", departed=True)
    approved(departed, 250, earned_on=departed.left_on - 10 * DAY)
    proposed = set(Talent.objects.points_proposed().values_list("pk", flat=True))
    assert proposed == {none_yet.pk, at_e.pk}
    assert services.points_standing(at_c) == (Decimal(210), "D", False)


def test_certify_by_points_certifies_at_the_points_level_with_the_points_as_basis(county_a, superuser):
    talent = rural(county_a, level="E")
    approved(talent, 120)
    approved(talent, 85)
    certification = services.certify_by_points(
        talent, on=TODAY, number="遵乡土认〔2026〕001号", valid_until=None, by=superuser
    )
    talent.refresh_from_db()
    assert (certification.level, talent.level) == ("D", "D")
    assert certification.basis == "乡土人才积分205分，达到D类认定标准"
    assert certification.history.latest().history_user == superuser
    assert not Talent.objects.points_proposed().filter(pk=talent.pk).exists()
    again = errors_of(
        lambda: services.certify_by_points(talent, on=TODAY, number="X-2", valid_until=None, by=superuser)
    )
    assert "不高于现有层次" in again["level"][0]


def test_certify_by_points_refuses_below_every_threshold(county_a, superuser):
    talent = rural(county_a)
    approved(talent, 99)
    errors = errors_of(
        lambda: services.certify_by_points(talent, on=TODAY, number="X-1", valid_until=None, by=superuser)
    )
    assert "99分" in errors["level"][0] and "未达到" in errors["level"][0]


def test_review_approves_once(county_a, superuser):
    entry = f.PointEntryFactory(talent=rural(county_a))
    review(entry, approve=True, by=superuser)
    entry.refresh_from_db()
    assert (entry.status, entry.reviewed_by, entry.reviewed_on) == ("approved", superuser, TODAY)
    twice = errors_of(lambda: review(entry, approve=False, note="重复", by=superuser))
    assert "不能重复审核" in twice["status"][0]


def test_rejecting_points_needs_a_note(county_a, superuser):
    entry = f.PointEntryFactory(talent=rural(county_a))
    assert "review_note" in errors_of(lambda: review(entry, approve=False, by=superuser))
    review(entry, approve=False, note="证书无法核实", by=superuser)
    assert PointEntry.objects.get(pk=entry.pk).status == codes.ReviewResult.REJECTED


def test_review_cannot_predate_the_entry(county_a, superuser):
    entry = f.PointEntryFactory(talent=rural(county_a), earned_on=TODAY - 3 * DAY)
    errors = errors_of(lambda: review(entry, approve=True, on=TODAY - 4 * DAY, by=superuser))
    assert "reviewed_on" in errors
    review(entry, approve=True, on=TODAY - 3 * DAY, by=superuser)


def test_a_reviewed_entry_is_not_edited(county_a):
    entry = approved(rural(county_a), 30)
    entry.points = Decimal(60)
    assert "不能修改" in errors_of(entry.full_clean)["__all__"][0]
    pending = f.PointEntryFactory(talent=entry.talent)
    pending.points = Decimal(60)
    pending.full_clean()


@pytest.mark.parametrize(("points", "field"), [("0", "points"), ("101", "points")])
def test_points_out_of_range_are_refused(county_a, points, field):
    entry = f.PointEntryFactory.build(talent=rural(county_a), points=Decimal(points))
    assert field in errors_of(entry.full_clean)


def test_no_points_for_a_departed_talent(county_a):
    entry = f.PointEntryFactory.build(talent=f.TalentFactory(unit=county_a, departed=True))
    assert "流失" in errors_of(entry.full_clean)["talent"][0]


def test_api_review_and_certify_by_points(county_a, api):
    talent = rural(county_a)
    entry = f.PointEntryFactory(talent=talent, points=Decimal(100))
    user = f.UserFactory(
        units=[county_a],
        perms=[
            "talent.view_pointentry",
            "talent.change_pointentry",
            "talent.view_talent",
            "talent.change_talent",
            "talent.add_certification",
        ],
    )
    client = api.as_user(user)
    reviewed = client.post(reverse("pointentry-review", args=[entry.pk]), {"approve": True}, format="json")
    assert reviewed.status_code == 200, reviewed.data
    assert reviewed.data["status"] == "approved" and reviewed.data["reviewed_by"] == user.pk
    listed = client.get(reverse("talent-list"), {"points_proposed": "1"}).data["results"]
    assert [(row["id"], row["points_total"], row["points_level"]) for row in listed] == [
        (talent.pk, "100.0", "E")
    ]
    url = reverse("talent-certify-by-points", args=[talent.pk])
    certified = client.post(url, {"on": str(TODAY), "number": "遵乡土认〔2026〕9号"}, format="json")
    assert certified.status_code == 200, certified.data
    assert certified.data["level"] == "E" and "100分" in certified.data["basis"]
    again = client.post(url, {"on": str(TODAY), "number": "遵乡土认〔2026〕10号"}, format="json")
    assert again.status_code == 400 and "level" in again.data


def test_api_certify_by_points_needs_the_certification_permission(county_a, api):
    talent = rural(county_a)
    approved(talent, 100)
    user = f.UserFactory(units=[county_a], perms=["talent.view_talent", "talent.change_talent"])
    url = reverse("talent-certify-by-points", args=[talent.pk])
    response = api.as_user(user).post(url, {"on": str(TODAY), "number": "N-1"}, format="json")
    assert response.status_code == 403
    assert not talent.certifications.exists()


def test_admin_approves_points_with_an_action(county_a, client, superuser):
    entries = [f.PointEntryFactory(talent=rural(county_a)) for _ in range(2)]
    client.force_login(superuser)
    url = reverse("admin:talent_pointentry_changelist")
    data = {
        "action": "approve_selected",
        "_selected_action": [e.pk for e in entries],
        "confirm": "1",
        "on": str(TODAY),
        "note": "",
    }
    assert client.post(url, data).status_code == 302
    assert set(PointEntry.objects.values_list("status", flat=True)) == {"approved"}


# --- studios ---------------------------------------------------------------------------------------
def test_a_departed_talent_cannot_lead_a_studio(county_a):
    studio = f.StudioFactory.build(unit=county_a, leader=f.TalentFactory(unit=county_a, departed=True))
    assert "流失" in errors_of(studio.full_clean)["leader"][0]


def test_a_studio_whose_leader_left_can_still_be_edited(county_a, superuser):
    studio = f.StudioFactory(unit=county_a)
    services.record_departure(studio.leader, on=TODAY, reason="other", destination="", by=superuser)
    studio.refresh_from_db()
    studio.note = "领衔人已调离，拟更换"
    studio.full_clean()


def test_a_closed_studio_needs_its_closing_date(county_a):
    studio = f.StudioFactory(unit=county_a)
    studio.status = codes.StudioStatus.CLOSED
    assert "closed_on" in errors_of(studio.full_clean)
    studio.closed_on = studio.founded_on - DAY
    assert "closed_on" in errors_of(studio.full_clean)
    studio.closed_on = studio.founded_on
    studio.full_clean()


def test_studio_member_rules(county_a):
    studio = f.StudioFactory(unit=county_a)
    leader = f.StudioMemberFactory.build(studio=studio, talent=studio.leader)
    assert "领衔人" in errors_of(leader.full_clean)["talent"][0]
    early = f.StudioMemberFactory.build(
        studio=studio, talent=f.TalentFactory(unit=county_a), joined_on=studio.founded_on - DAY
    )
    assert "joined_on" in errors_of(early.full_clean)
    member = f.StudioMemberFactory(studio=studio)
    again = f.StudioMemberFactory.build(studio=studio, talent=member.talent)
    assert "已是这个工作室的成员" in str(errors_of(again.full_clean))
    member.left_on = TODAY
    member.save()
    again.full_clean()  # re-joining after leaving


def test_studio_evaluation_years(county_a):
    studio = f.StudioFactory(unit=county_a, founded_on=D(TODAY.year - 2, 6, 1))
    before = f.StudioEvaluationFactory.build(studio=studio, year=TODAY.year - 3)
    assert "命名" in errors_of(before.full_clean)["year"][0]
    future = f.StudioEvaluationFactory.build(studio=studio, year=TODAY.year + 1)
    assert "未来" in errors_of(future.full_clean)["year"][0]
    f.StudioEvaluationFactory(studio=studio, year=TODAY.year - 2)
    twice = f.StudioEvaluationFactory.build(studio=studio, year=TODAY.year - 2)
    assert "已有评估" in str(errors_of(twice.full_clean))


# --- targeted trainees ------------------------------------------------------------------------------
def placed(unit, years_ago=2, service_years=6, **kwargs):
    trainee = f.TargetedTraineeFactory(
        unit=unit, enrolled_on=D(TODAY.year - years_ago - 5, 9, 1), service_years=service_years, **kwargs
    )
    return services.place_trainee(
        trainee, unit=unit, on=D(TODAY.year - years_ago, 8, 1), by=f.UserFactory(is_superuser=True)
    )


def test_placing_a_trainee_starts_the_service_owed(county_a, superuser):
    trainee = f.TargetedTraineeFactory(unit=county_a, service_years=6)
    services.place_trainee(trainee, unit=county_a, on=D(2026, 8, 1), by=superuser)
    trainee.refresh_from_db()
    assert (trainee.status, trainee.placement_unit, trainee.placed_on) == (
        Trainee.PLACED,
        county_a,
        D(2026, 8, 1),
    )
    assert trainee.service_until == D(2032, 7, 31)
    assert trainee.history.latest().history_user == superuser
    twice = errors_of(lambda: services.place_trainee(trainee, unit=county_a, on=D(2026, 8, 1), by=superuser))
    assert "不能登记就业" in twice["status"][0]


def test_placement_dates(county_a, superuser):
    trainee = f.TargetedTraineeFactory(unit=county_a)
    early = errors_of(
        lambda: services.place_trainee(trainee, unit=county_a, on=trainee.enrolled_on - DAY, by=superuser)
    )
    assert "placed_on" in early
    future = errors_of(lambda: services.place_trainee(trainee, unit=county_a, on=TODAY + DAY, by=superuser))
    assert "placed_on" in future


def test_service_completes_on_its_anniversary_not_before(county_a, superuser):
    trainee = placed(county_a, years_ago=7, service_years=6)
    due = D(trainee.placed_on.year + 6, 8, 1)
    early = errors_of(lambda: services.complete_service(trainee, on=due - DAY, by=superuser))
    assert str(due) in early["ended_on"][0]
    services.complete_service(trainee, on=due, by=superuser)
    trainee.refresh_from_db()
    assert (trainee.status, trainee.ended_on) == (Trainee.COMPLETED, due)


def test_service_due_lists_placed_trainees_whose_years_have_run(county_a):
    due, serving = placed(county_a, years_ago=7), placed(county_a, years_ago=2)
    listed = set(TargetedTrainee.objects.service_due().values_list("pk", flat=True))
    assert due.pk in listed and serving.pk not in listed


@pytest.mark.parametrize(
    ("placed_on", "years", "due"),
    [
        (D(2019, 8, 1), 6, D(2025, 8, 1)),
        (D(2020, 2, 29), 5, D(2025, 2, 28)),  # 29 February → 28th in a common year
        (D(2020, 2, 29), 4, D(2024, 2, 29)),  # … and itself in a leap year
        (D(2096, 2, 29), 4, D(2100, 2, 28)),  # 2100 is not a leap year
        (D(2019, 12, 31), 3, D(2022, 12, 31)),
    ],
)
def test_service_due_turns_on_the_anniversary_that_add_years_gives(county_a, placed_on, years, due):
    trainee = placed(county_a, years_ago=7, service_years=years)
    TargetedTrainee.objects.filter(pk=trainee.pk).update(placed_on=placed_on)
    assert add_years(placed_on, years) == due

    def listed(on):
        return trainee.pk in set(TargetedTrainee.objects.service_due(on).values_list("pk", flat=True))

    assert not listed(due - DAY) and listed(due) and listed(due + DAY)


def test_a_breach_needs_a_reason_and_ends_the_agreement(county_a, superuser):
    trainee = placed(county_a)
    assert "end_reason" in errors_of(
        lambda: services.record_breach(trainee, on=TODAY, reason=" ", by=superuser)
    )
    services.record_breach(trainee, on=TODAY, reason="未满服务期考取外地公务员", by=superuser)
    trainee.refresh_from_db()
    assert (trainee.status, trainee.ended_on) == (Trainee.BREACHED, TODAY)
    again = errors_of(lambda: services.record_breach(trainee, on=TODAY, reason="再次", by=superuser))
    assert "违约" in again["status"][0]


def test_only_a_trainee_at_school_withdraws(county_a, superuser):
    trainee = placed(county_a)
    refused = errors_of(lambda: services.withdraw_trainee(trainee, on=TODAY, reason="退学", by=superuser))
    assert "不能登记退学" in refused["status"][0]
    studying = f.TargetedTraineeFactory(unit=county_a)
    services.withdraw_trainee(studying, on=TODAY, reason="因病退学", by=superuser)
    assert TargetedTrainee.objects.get(pk=studying.pk).status == Trainee.WITHDRAWN


def test_trainee_dates_in_order_and_id_agreeing(county_a):
    trainee = f.TargetedTraineeFactory.build(unit=county_a)
    trainee.expected_graduation = trainee.enrolled_on - DAY
    assert "expected_graduation" in errors_of(trainee.full_clean)
    other = f.TargetedTraineeFactory.build(unit=county_a)
    other.birth_date = other.birth_date.replace(year=other.birth_date.year - 1)
    assert "birth_date" in errors_of(other.full_clean)


def test_tracking_only_in_school_years_and_while_studying(county_a, superuser):
    trainee = f.TargetedTraineeFactory(unit=county_a)
    first, last = trainee.enrolled_on.year, trainee.expected_graduation.year
    assert "year" in errors_of(f.TraineeTrackingFactory.build(trainee=trainee, year=first - 1).full_clean)
    assert "year" in errors_of(f.TraineeTrackingFactory.build(trainee=trainee, year=last + 1).full_clean)
    f.TraineeTrackingFactory.build(trainee=trainee, year=last).full_clean()
    services.place_trainee(trainee, unit=county_a, on=TODAY, by=superuser)
    trainee.refresh_from_db()
    assert (
        "在读期间"
        in errors_of(f.TraineeTrackingFactory.build(trainee=trainee, year=first).full_clean)["trainee"][0]
    )


def test_api_place_in_a_unit_outside_the_jurisdiction_is_refused(county_a, county_b, api):
    trainee = f.TargetedTraineeFactory(unit=county_a)
    user = f.UserFactory(
        units=[county_a], perms=["talent.view_targetedtrainee", "talent.change_targetedtrainee"]
    )
    url = reverse("targetedtrainee-place", args=[trainee.pk])
    outside = api.as_user(user).post(url, {"unit": county_b.pk, "on": str(TODAY)}, format="json")
    assert outside.status_code == 400 and "unit" in outside.data
    inside = api.as_user(user).post(url, {"unit": county_a.pk, "on": str(TODAY)}, format="json")
    assert inside.status_code == 200, inside.data
    assert inside.data["status"] == "placed" and inside.data["service_until"]


def test_api_breach_without_reason_is_a_400(county_a, api, superuser):
    trainee = placed(county_a)
    url = reverse("targetedtrainee-breach", args=[trainee.pk])
    response = api.as_user(superuser).post(url, {"on": str(TODAY), "reason": ""}, format="json")
    assert response.status_code == 400 and "reason" in response.data


# --- signing events -----------------------------------------------------------------------------------
def test_an_agreement_names_who_signed(county_a):
    agreement = f.SigningAgreementFactory.build(event=f.SigningEventFactory(unit=county_a), party="")
    assert "party" in errors_of(agreement.full_clean)
    agreement.talent = f.TalentFactory(unit=county_a)
    agreement.full_clean()
    assert agreement.signatory == agreement.talent.name


def test_a_project_agreement_names_its_project(county_a):
    agreement = f.SigningAgreementFactory.build(
        event=f.SigningEventFactory(unit=county_a), kind=codes.AgreementKind.PROJECT, project=""
    )
    assert "project" in errors_of(agreement.full_clean)


def test_an_event_reports_what_it_signed(county_a, api, superuser):
    event, empty = f.SigningEventFactory(unit=county_a), f.SigningEventFactory(unit=county_a)
    f.SigningAgreementFactory(event=event, amount=Decimal("80.50"), headcount=1)
    f.SigningAgreementFactory(event=event, amount=None, headcount=5, kind=codes.AgreementKind.TEAM)
    totals = SigningEvent.objects.with_totals().get(pk=event.pk)
    assert (totals.agreement_count, totals.headcount_total, totals.amount_total) == (2, 6, Decimal("80.50"))
    response = api.as_user(superuser).get(reverse("signingevent-detail", args=[empty.pk]))
    assert (response.data["agreement_count"], response.data["headcount_total"]) == (0, 0)
    assert response.data["amount_total"] is None


# --- plan indicators --------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("target", "actual", "achieved", "completion"),
    [("50", "50", True, Decimal("100.0")), ("50", "49", False, Decimal("98.0")), ("50", None, False, None)],
)
def test_an_indicator_is_achieved_when_the_actual_reaches_the_target(
    county_a, target, actual, achieved, completion
):
    indicator = f.TalentPlanIndicatorFactory(
        unit=county_a, target=Decimal(target), actual=Decimal(actual) if actual else None
    )
    assert indicator.achieved is achieved and indicator.completion == completion
    assert TalentPlanIndicator.objects.achieved().filter(pk=indicator.pk).exists() is achieved


def test_a_huge_completion_rate_is_shown_not_an_error(county_a, api, superuser):
    indicator = f.TalentPlanIndicatorFactory(unit=county_a, target=Decimal(1), actual=Decimal(100_000))
    response = api.as_user(superuser).get(reverse("talentplanindicator-detail", args=[indicator.pk]))
    assert response.status_code == 200
    assert (response.data["completion"], response.data["achieved"]) == ("10000000.0", True)


def test_an_indicator_once_per_unit_and_year(county_a):
    indicator = f.TalentPlanIndicatorFactory(unit=county_a)
    again = f.TalentPlanIndicatorFactory.build(
        unit=county_a, year=indicator.year, indicator=indicator.indicator
    )
    assert "已有同名指标" in str(errors_of(again.full_clean))


# --- the admin pages of every new model ---------------------------------------------------------------
def test_admin_pages_open(county_a, client, superuser):
    studio_member = f.StudioMemberFactory(studio__unit=county_a)
    tracking = f.TraineeTrackingFactory(trainee__unit=county_a)
    agreement = f.SigningAgreementFactory(event__unit=county_a)
    records = {
        "pointslevel": PointsLevel.objects.first(),
        "pointentry": f.PointEntryFactory(talent=rural(county_a)),
        "studio": studio_member.studio,
        "studiomember": studio_member,
        "studioevaluation": f.StudioEvaluationFactory(studio=studio_member.studio),
        "targetedtrainee": tracking.trainee,
        "traineetracking": tracking,
        "signingevent": agreement.event,
        "signingagreement": agreement,
        "talentplanindicator": f.TalentPlanIndicatorFactory(unit=county_a),
    }
    client.force_login(superuser)
    for name, obj in records.items():
        for view, args in [("add", ()), ("change", (obj.pk,)), ("changelist", ()), ("history", (obj.pk,))]:
            url = reverse(f"admin:talent_{name}_{view}", args=args)
            assert client.get(url).status_code == 200, url
    for parameter in ("points_proposed=1", "points_proposed=0"):
        assert client.get(reverse("admin:talent_talent_changelist") + "?" + parameter).status_code == 200
    assert (
        client.get(reverse("admin:talent_targetedtrainee_changelist") + "?service_due=1").status_code == 200
    )


# --- review fixes -----------------------------------------------------------------------------------
def test_an_untouched_reviewed_entry_still_validates(county_a):
    entry = approved(rural(county_a), 30)
    entry.refresh_from_db()
    entry.full_clean()  # e.g. an admin save that changes nothing
    entry.evidence = "补充了证书编号"
    assert "不能修改" in errors_of(entry.full_clean)["__all__"][0]


def test_a_request_dated_before_the_card_was_lost_is_accepted(county_a, superuser):
    card = f.TalentCardFactory(talent__unit=county_a, issued_on=TODAY - 100 * DAY)
    services.report_card_lost(card, on=TODAY - 5 * DAY, by=superuser)
    card.refresh_from_db()
    before = services.open_request(
        card, kind=codes.ServiceKind.MEDICAL, on=TODAY - 6 * DAY, due_on=TODAY + 20 * DAY, by=superuser
    )
    assert before.pk
    after = errors_of(
        lambda: services.open_request(
            card, kind=codes.ServiceKind.MEDICAL, on=TODAY - 5 * DAY, due_on=TODAY + 20 * DAY, by=superuser
        )
    )
    assert "挂失" in after["card"][0]


@pytest.mark.parametrize("service", ["report_card_lost", "cancel_card"])
def test_a_card_is_not_lost_or_cancelled_in_the_future(county_a, superuser, service):
    card = f.TalentCardFactory(talent__unit=county_a)
    extra = {"reason": "人才流失"} if service == "cancel_card" else {}
    errors = errors_of(lambda: getattr(services, service)(card, on=TODAY + DAY, by=superuser, **extra))
    assert "至今天之间" in next(iter(errors.values()))[0]
    getattr(services, service)(card, on=TODAY, by=superuser, **extra)


def test_a_trainee_end_date_lies_between_placement_and_today(county_a):
    trainee = placed(county_a)
    trainee.status, trainee.end_reason = Trainee.BREACHED, "考取外地公务员"
    trainee.ended_on = trainee.placed_on - DAY
    assert "ended_on" in errors_of(trainee.full_clean)
    trainee.ended_on = TODAY + DAY
    assert "ended_on" in errors_of(trainee.full_clean)
    trainee.ended_on = trainee.placed_on
    trainee.full_clean()


def test_the_talent_list_shows_points_and_the_level_they_reach(county_a, client, superuser):
    talent = rural(county_a)
    approved(talent, 100)
    approved(talent, "5.5")
    client.force_login(superuser)
    page = client.get(reverse("admin:talent_talent_changelist")).content.decode()
    assert "105.5（达E类）" in page
    assert talent.birth_date.strftime("%Y.%m") in page
