"""The training part of `seed_demo`: every seeded row is valid, statuses and hours follow the
services' rules (training.services), evaluations come from trainees who attended, the ledger shows
cadres both met and short, and running it again adds nothing."""

import datetime
import io
import re
from collections import Counter
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db.models import Count, F, Q, Sum

from cadres.models import Cadre
from orgportal import codes
from orgportal.models import Unit
from training import demo
from training.ledger import with_hours
from training.models import (
    LEAVE_LIMIT,
    MISSED_ATTENDANCE,
    PLACED_STATUSES,
    Attendance,
    ClassEvaluation,
    Course,
    CourseEvaluation,
    Enrolment,
    EvaluationSetting,
    ExternalHours,
    HoursRequirement,
    PlanQuota,
    Teacher,
    TrainingClass,
    TrainingPlan,
    Venue,
)

pytestmark = pytest.mark.django_db

ES, AS = codes.EnrolmentStatus, codes.AttendanceStatus
TRAINING_MODELS = [
    model
    for model in TrainingClass._meta.apps.get_app_config("training").get_models()
    if not model.__name__.startswith("Historical")
]
SEEDED_MODELS = [model for model in TRAINING_MODELS if model is not HoursRequirement]  # migration 0004


def seed(classes: int = demo.DEFAULT_CLASSES, cadres: int = 200) -> str:
    out = io.StringIO()
    call_command(
        "seed_demo", "--cadres", str(cadres), "--talents", "0", "--classes", str(classes), stdout=out
    )
    return out.getvalue()


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in TRAINING_MODELS}


@pytest.fixture
def seeded():
    return seed()


def test_seed_demo_creates_classes_and_every_kind_of_record(seeded):
    assert TrainingClass.objects.count() == demo.DEFAULT_CLASSES
    assert f"培训班次 {demo.DEFAULT_CLASSES} 个新建" in seeded
    assert re.search(r"培训班次 \d+ 个新建.*用时 \d+\.\d 秒", seeded)
    assert all(counts()[model.__name__] > 0 for model in SEEDED_MODELS), counts()
    assert set(TrainingClass.objects.values_list("kind", flat=True)) == set(codes.ClassKind.values)
    assert set(Venue.objects.values_list("kind", flat=True)) == set(codes.VenueKind.values)
    assert set(Teacher.objects.values_list("kind", flat=True)) == set(codes.TeacherKind.values)
    assert Venue.objects.count() == len(demo.VENUES) and Teacher.objects.count() == len(demo.TEACHERS)
    this_year = datetime.date.today().year
    assert sorted(TrainingPlan.objects.values_list("year", flat=True)) == list(
        range(this_year - demo.PLAN_YEARS + 1, this_year + 1)
    )
    statuses = Counter(TrainingClass.objects.values_list("status", flat=True))
    assert statuses[codes.ClassStatus.FINISHED] > demo.DEFAULT_CLASSES * 0.7
    assert statuses[codes.ClassStatus.IN_SESSION] and statuses[codes.ClassStatus.ENROLLING]
    assert (
        not TrainingClass.objects.exclude(status=codes.ClassStatus.FINISHED)
        .exclude(plan__year=this_year)
        .exists()
    )
    counties = Unit.objects.filter(kind=codes.UnitKind.COUNTY)
    assert set(PlanQuota.objects.values_list("unit", flat=True)) == set(counties.values_list("pk", flat=True))
    # hours requirements are the migration's, not duplicated
    assert HoursRequirement.objects.count() == 3


def test_every_seeded_row_passes_full_clean(seeded):
    checked = 0
    for model in SEEDED_MODELS:
        for obj in model.objects.all():
            obj.full_clean()
            checked += 1
    assert checked == sum(counts()[model.__name__] for model in SEEDED_MODELS)


def test_courses_lie_within_their_class(seeded):
    for training_class in TrainingClass.objects.annotate(n=Count("courses"), total=Sum("courses__hours")):
        assert 4 <= training_class.n <= 10
        assert training_class.total <= training_class.hours
    assert not Course.objects.exclude(
        date__gte=F("training_class__start_date"), date__lte=F("training_class__end_date")
    ).exists()


def test_enrolments_follow_the_services_rules(seeded):
    for training_class in TrainingClass.objects.all():
        enrolments = training_class.enrolments.select_related("cadre")
        placed = enrolments.filter(status__in=PLACED_STATUSES)
        assert placed.count() <= training_class.capacity
        levels = training_class.level_codes
        if levels:
            assert set(enrolments.values_list("cadre__level", flat=True)) <= set(levels)
        for quota in training_class.quotas.select_related("unit"):
            assert quota.plan_id == training_class.plan_id
            assert placed.filter(cadre__unit__path__startswith=quota.unit.path).count() <= quota.count
        if training_class.status == codes.ClassStatus.FINISHED:
            # complete_class leaves nobody confirmed or in training
            assert not enrolments.filter(status__in=(ES.CONFIRMED, ES.IN_TRAINING)).exists()
        else:
            assert not enrolments.filter(status=ES.COMPLETED).exists()
    assert not Enrolment.objects.exclude(cadre__status=codes.CadreStatus.SERVING).exists()


def test_completion_credits_hours_and_issues_unique_certificates(seeded):
    completed = Enrolment.objects.filter(status=ES.COMPLETED).select_related("training_class")
    assert completed.count() > 0.7 * Enrolment.objects.count()
    missed_some = 0
    for enrolment in completed:
        cls = enrolment.training_class
        missed = (
            Attendance.objects.filter(enrolment=enrolment, status__in=MISSED_ATTENDANCE).aggregate(
                total=Sum("course__hours")
            )["total"]
            or 0
        )
        missed_some += bool(missed)
        assert enrolment.hours_credited == max(cls.hours - missed, Decimal(0))
        assert enrolment.ended_on == cls.end_date
        assert re.fullmatch(rf"{cls.end_date.year}-{cls.pk}-\d{{3}}", enrolment.certificate_number)
        leave = (
            Attendance.objects.filter(enrolment=enrolment, status=AS.LEAVE).aggregate(
                total=Sum("course__hours")
            )["total"]
            or 0
        )
        if cls.full_time:
            assert leave * LEAVE_LIMIT.denominator <= cls.hours * LEAVE_LIMIT.numerator
    assert missed_some
    numbers = list(completed.values_list("certificate_number", flat=True))
    assert len(numbers) == len(set(numbers))
    for training_class in TrainingClass.objects.filter(status=codes.ClassStatus.FINISHED):
        ordered = training_class.enrolments.filter(status=ES.COMPLETED).order_by("id")
        sequence = [int(n.rsplit("-", 1)[1]) for n in ordered.values_list("certificate_number", flat=True)]
        assert sequence == list(range(1, len(sequence) + 1))
    others = Enrolment.objects.exclude(status=ES.COMPLETED)
    assert not others.filter(Q(hours_credited__isnull=False) | ~Q(certificate_number="")).exists()
    ended = Enrolment.objects.filter(status__in=(ES.WITHDRAWN, ES.ABSENT))
    assert ended.filter(status=ES.WITHDRAWN).exists() and ended.filter(status=ES.ABSENT).exists()
    assert not ended.filter(Q(end_reason="") | Q(ended_on__isnull=True)).exists()
    assert set(Attendance.objects.values_list("status", flat=True)) == set(AS.values)


def test_attendance_only_of_trainees_who_took_part(seeded):
    assert not Attendance.objects.exclude(
        enrolment__status__in=(ES.IN_TRAINING, ES.COMPLETED, ES.WITHDRAWN)
    ).exists()
    # 退训 with attendance: only the leave rule at completion, which leaves the attendance behind
    leave_outs = Enrolment.objects.filter(status=ES.WITHDRAWN, attendances__isnull=False).distinct()
    for enrolment in leave_outs:
        assert "按规定退训" in enrolment.end_reason
    assert not Attendance.objects.filter(course__date__gt=datetime.date.today()).exists()


def test_evaluations_only_by_trainees_who_attended(seeded):
    assert not ClassEvaluation.objects.exclude(enrolment__status__in=(ES.IN_TRAINING, ES.COMPLETED)).exists()
    for evaluation in CourseEvaluation.objects.select_related("enrolment", "course"):
        assert Attendance.objects.filter(
            enrolment=evaluation.enrolment, course=evaluation.course, status=AS.PRESENT
        ).exists()
    hundred = EvaluationSetting.objects.filter(scale="hundred").values_list("training_class", flat=True)
    assert hundred.exists()
    scored = CourseEvaluation.objects.filter(course__training_class__in=hundred)
    assert scored.filter(score__gt=5).exists()
    five = CourseEvaluation.objects.exclude(course__training_class__in=hundred)
    assert five.exists() and not five.filter(Q(score__lt=1) | Q(score__gt=5)).exists()
    today = datetime.date.today()
    assert not ClassEvaluation.objects.filter(submitted_on__gt=today).exists()
    assert not CourseEvaluation.objects.filter(submitted_on__gt=today).exists()


def test_external_hours_and_the_ledger_show_met_and_short(seeded):
    assert set(ExternalHours.objects.values_list("status", flat=True)) == set(codes.ReviewResult.values)
    assert set(ExternalHours.objects.values_list("kind", flat=True)) == set(codes.ExternalHoursKind.values)
    assert not ExternalHours.objects.filter(status="rejected", review_note="").exists()
    assert not ExternalHours.objects.filter(reviewed_on__gt=datetime.date.today()).exists()
    last_year = datetime.date.today().year - 1
    ledger = with_hours(Cadre.objects.filter(status=codes.CadreStatus.SERVING), year=last_year)
    met = Counter(ledger.values_list("met", flat=True))
    assert met[True] > 0 and met[False] > 0, met
    assert ledger.filter(class_hours__gt=0).exists() and ledger.filter(external_hours__gt=0).exists()


def test_seed_demo_again_adds_nothing(seeded):
    before = counts()
    output = seed()
    assert counts() == before
    assert f"培训班次已有 {demo.DEFAULT_CLASSES} 个，未新建" in output


def test_a_larger_n_tops_up_without_repeating_what_is_created_once():
    seed(classes=8, cadres=60)
    once = {model: model.objects.count() for model in (TrainingPlan, Venue, Teacher)}
    seed(classes=14, cadres=60)
    assert TrainingClass.objects.count() == 14
    assert {model: model.objects.count() for model in once} == once
    numbers = list(
        Enrolment.objects.exclude(certificate_number="").values_list("certificate_number", flat=True)
    )
    assert len(numbers) == len(set(numbers))
    names = TrainingClass.objects.values("name").annotate(
        n=Count("id"), cohorts=Count("cohort", distinct=True)
    )
    assert all(row["n"] == row["cohorts"] for row in names)


def test_classes_zero_seeds_nothing_of_the_training_office():
    output = seed(classes=0, cadres=0)
    assert "培训班次已有 0 个，未新建" in output
    assert {name: n for name, n in counts().items() if n} == {"HoursRequirement": 3}
