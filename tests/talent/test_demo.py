"""The talent part of `seed_demo`: every seeded row is valid, the demo shows each state the office
works with, and running it again adds nothing (a larger N tops up)."""

import datetime
import io
import re

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db.models import Count, Max, Q
from stdnum.cn import ric

from cadres.models import Cadre
from orgportal import access, codes
from orgportal.demo import DEMO_USERS
from orgportal.models import Unit
from talent import demo
from talent.models import (
    Certification,
    PointEntry,
    PointsLevel,
    Selection,
    ServiceRequest,
    SigningAgreement,
    SigningEvent,
    Studio,
    StudioEvaluation,
    StudioMember,
    Talent,
    TalentCard,
    TalentPlanIndicator,
    TalentProgramme,
    TargetedTrainee,
    TraineeTracking,
)

pytestmark = pytest.mark.django_db

TALENT_MODELS = [
    model
    for model in Talent._meta.apps.get_app_config("talent").get_models()
    if not model.__name__.startswith("Historical")
]
SEEDED_MODELS = [model for model in TALENT_MODELS if model is not PointsLevel]  # levels: migration 0004


def seed(talents: int = demo.DEFAULT_TALENTS, cadres: int = 30) -> str:
    out = io.StringIO()
    call_command("seed_demo", "--cadres", str(cadres), "--talents", str(talents), stdout=out)
    return out.getvalue()


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in TALENT_MODELS}


def test_seed_demo_creates_talents_and_every_kind_of_record():
    output = seed()
    assert Talent.objects.count() == demo.DEFAULT_TALENTS
    assert f"人才 {demo.DEFAULT_TALENTS} 个新建" in output
    assert all(count > 0 for count in counts().values()), counts()


def test_every_seeded_row_passes_full_clean():
    seed()
    checked = 0
    for model in TALENT_MODELS:
        for obj in model.objects.all():
            obj.full_clean()
            checked += 1
    assert checked == sum(counts().values()) > 5 * demo.DEFAULT_TALENTS


def test_seeded_people_have_valid_unique_id_numbers_agreeing_with_their_records():
    seed()
    talents = list(Talent.objects.values_list("id_number", "cadre_id"))
    trainees = list(TargetedTrainee.objects.values_list("id_number", flat=True))
    numbers = [number for number, _cadre in talents] + trainees
    assert len(numbers) == len(set(numbers)) and all(ric.is_valid(n) for n in numbers)
    cadres = set(Cadre.objects.values_list("id_number", flat=True))
    assert {number for number, cadre in talents if cadre is None}.isdisjoint(cadres)
    linked = Talent.objects.filter(cadre__isnull=False).select_related("cadre")
    assert linked.exists()
    for talent in linked:
        cadre = talent.cadre
        assert (talent.name, talent.gender, talent.birth_date, talent.id_number) == (
            cadre.name,
            cadre.gender,
            cadre.birth_date,
            cadre.id_number,
        )


def test_seeded_talents_cover_categories_sources_and_departures():
    seed()
    assert set(Talent.objects.values_list("category", flat=True)) == set(codes.TalentCategory.values)
    assert set(Talent.objects.values_list("source", flat=True)) == set(codes.TalentSource.values)
    departed = Talent.objects.filter(status=codes.TalentStatus.DEPARTED)
    assert 0 < departed.count() < 0.15 * demo.DEFAULT_TALENTS
    for talent in departed:
        assert talent.leave_reason and talent.destination and talent.left_on <= datetime.date.today()
    local = Talent.objects.filter(source=codes.TalentSource.LOCAL)
    assert not Talent.objects.exclude(pk__in=local).filter(arrived_on__isnull=True).exists()


def test_seeded_talents_spread_over_the_counties_jurisdictions():
    seed()
    county_user = get_user_model().objects.get(username="county_hhg")
    seen = access.scope(Talent.objects.all(), county_user).count()
    assert 0 < seen < Talent.objects.count()
    county = Unit.objects.get(name="红花岗区")
    assert (
        not access.scope(Talent.objects.all(), county_user)
        .exclude(unit__path__startswith=county.path)
        .exists()
    )


def test_programmes_selections_and_certifications_agree():
    seed()
    assert TalentProgramme.objects.count() == len(demo.PROGRAMMES)
    for programme in TalentProgramme.objects.exclude(quota=None).annotate(
        taken=Count("selections", filter=~Q(selections__status=codes.SelectionStatus.REVOKED))
    ):
        assert programme.taken <= programme.quota
    assert set(Selection.objects.values_list("status", flat=True)) >= {"selected", "completed", "revoked"}
    latest = Certification.objects.values("talent").annotate(on=Max("certified_on"))
    for row in latest:
        talent = Talent.objects.get(pk=row["talent"])
        newest = talent.certifications.get(certified_on=row["on"])
        assert talent.level == newest.level
    assert Certification.objects.expiring_within(90).exists()
    assert Certification.objects.filter(basis__startswith="乡土人才积分").exists()


def test_cards_show_each_state_one_in_force_per_talent_with_demo_commissioners():
    seed()
    today = datetime.date.today()
    assert all(
        TalentCard.objects.in_state(state, today).exists()
        for state in ("valid", "expired", "lost", "cancelled")
    )
    current = TalentCard.objects.exclude(status=codes.TalentCardStatus.CANCELLED)
    assert current.count() == current.values("talent").distinct().count()
    demo_users = {username for username, *_rest in DEMO_USERS} - {"city_readonly"}
    assert set(TalentCard.objects.values_list("commissioner__username", flat=True)) <= demo_users
    assert not current.filter(talent__status=codes.TalentStatus.DEPARTED).exists()
    for card in TalentCard.objects.filter(status=codes.TalentCardStatus.CANCELLED):
        assert card.issued_on <= card.cancelled_on and card.cancel_reason


def test_service_requests_are_overdue_done_and_refused():
    seed()
    assert ServiceRequest.objects.overdue().exists()
    done = ServiceRequest.objects.filter(status=codes.ServiceRequestStatus.DONE)
    assert done.exists() and not done.filter(satisfaction="").exists()
    refused = ServiceRequest.objects.filter(status=codes.ServiceRequestStatus.REFUSED)
    assert refused.exists() and not refused.filter(reason="").exists()
    for request in ServiceRequest.objects.select_related("card"):
        assert request.card.issued_on <= request.opened_on <= (request.closed_on or request.opened_on)


def test_points_ledgers_propose_a_few_certifications():
    seed()
    assert set(PointEntry.objects.values_list("status", flat=True)) == set(codes.ReviewResult.values)
    assert not PointEntry.objects.exclude(talent__category=codes.TalentCategory.RURAL_PRACTICAL).exists()
    proposed = Talent.objects.points_proposed()
    rural = Talent.objects.filter(category=codes.TalentCategory.RURAL_PRACTICAL)
    assert 0 < proposed.count() < rural.count()
    # the others reached a level and were certified at it
    reached = rural.with_points().exclude(points_level="").exclude(pk__in=proposed)
    assert reached.exists() and all(t.level == t.points_level for t in reached)


def test_studios_trainees_signings_and_indicators():
    seed()
    for studio in Studio.objects.all():
        assert studio.members.exists()
        assert studio.leader.status == codes.TalentStatus.ACTIVE
    assert StudioEvaluation.objects.exists() and StudioMember.objects.filter(left_on__isnull=False).exists()
    statuses = set(TargetedTrainee.objects.values_list("status", flat=True))
    assert {"studying", "placed", "breached"} <= statuses
    studying = TargetedTrainee.objects.filter(status=codes.TraineeStatus.STUDYING)
    assert TraineeTracking.objects.filter(trainee__in=studying).exists()
    assert not TargetedTrainee.objects.filter(status="placed", placement_unit=None).exists()
    assert SigningAgreement.objects.filter(talent__isnull=False).exists()
    assert not SigningEvent.objects.annotate(n=Count("agreements")).filter(n=0).exists()
    counties = Unit.objects.filter(kind=codes.UnitKind.COUNTY).count()
    assert TalentPlanIndicator.objects.count() == counties * demo.INDICATOR_YEARS * len(demo.INDICATORS)
    assert (
        TalentPlanIndicator.objects.achieved().exists()
        and TalentPlanIndicator.objects.not_achieved().exists()
    )


PAST_DATES = {  # what has happened by today (expiry and due dates may lie ahead)
    Talent: ["arrived_on", "left_on"],
    Selection: ["selected_on"],
    Certification: ["certified_on"],
    TalentCard: ["issued_on", "lost_on", "cancelled_on"],
    ServiceRequest: ["opened_on", "closed_on"],
    PointEntry: ["earned_on", "reviewed_on"],
    Studio: ["founded_on", "closed_on"],
    StudioMember: ["joined_on", "left_on"],
    TargetedTrainee: ["agreement_signed_on", "enrolled_on", "placed_on", "ended_on"],
    TraineeTracking: ["contacted_on"],
    SigningEvent: ["held_on"],
}


@pytest.mark.parametrize("model", PAST_DATES, ids=lambda model: model.__name__)
def test_no_seeded_event_lies_in_the_future(model):
    seed()
    today = datetime.date.today()
    for field in PAST_DATES[model]:
        latest = model.objects.aggregate(latest=Max(field))["latest"]
        assert latest is not None and latest <= today, field


def test_seeded_trainees_dates_follow_their_course():
    seed()
    for trainee in TargetedTrainee.objects.all():
        assert trainee.agreement_signed_on <= trainee.enrolled_on < trainee.expected_graduation
        if trainee.placed_on:
            assert trainee.expected_graduation <= trainee.placed_on
            assert trainee.placement_unit_id is not None
        if trainee.ended_on:
            assert (trainee.placed_on or trainee.enrolled_on) <= trainee.ended_on
        if trainee.status in (codes.TraineeStatus.BREACHED, codes.TraineeStatus.WITHDRAWN):
            assert trainee.ended_on and trainee.end_reason
        if trainee.status == codes.TraineeStatus.COMPLETED:
            assert trainee.ended_on >= trainee.service_until


def test_seed_demo_again_adds_nothing():
    seed()
    before = counts()
    output = seed()
    assert counts() == before
    assert "人才已有 200 个，未新建" in output


def test_a_larger_n_tops_up_without_repeating_what_is_created_once():
    seed(talents=80)
    once = {model: model.objects.count() for model in (TalentProgramme, SigningEvent, TalentPlanIndicator)}
    trainees = TargetedTrainee.objects.count()
    seed(talents=160)
    assert Talent.objects.count() == 160
    assert {model: model.objects.count() for model in once} == once
    assert TargetedTrainee.objects.count() > trainees
    numbers = list(Talent.objects.values_list("id_number", flat=True))
    assert len(numbers) == len(set(numbers))
    current = TalentCard.objects.exclude(status=codes.TalentCardStatus.CANCELLED)
    assert current.count() == current.values("talent").distinct().count()


def test_talents_zero_seeds_nothing_of_the_talent_office():
    output = seed(talents=0, cadres=0)
    assert "人才已有 0 个，未新建" in output
    assert {name: n for name, n in counts().items() if n} == {"PointsLevel": 3}


def test_seed_output_reports_the_counts_and_time():
    output = seed(talents=50, cadres=0)
    line = next(line for line in output.splitlines() if "人才 50 个新建" in line)
    assert "英才卡" in line and re.search(r"用时 \d+\.\d 秒", line)
