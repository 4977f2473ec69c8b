"""质效评估: the evaluation models through the shared contract; who may evaluate what, the scale and
its boundaries, one evaluation per enrolment (and course); the results per class, course and teacher
(aggregates only, constant queries, within the jurisdiction); the section permissions."""

import datetime

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from orgportal.codes import EnrolmentStatus
from tests import factories as f
from tests.contract import ModelContract
from training import evaluation_results, services
from training.models import ClassEvaluation, CourseEvaluation

pytestmark = pytest.mark.django_db
Status = EnrolmentStatus


def errors_of(call) -> dict:
    with pytest.raises(ValidationError) as error:
        call()
    return error.value.message_dict


@pytest.fixture
def staff(city):
    return f.UserFactory(units=[city])


def attended(enrolment, course=None, status="present"):
    course = course or f.CourseFactory(training_class=enrolment.training_class)
    f.AttendanceFactory(enrolment=enrolment, course=course, status=status)
    return course


# --- the contract ----------------------------------------------------------------------------------
class TestEvaluationSetting(ModelContract):
    factory = f.EvaluationSettingFactory
    basename = "evaluationsetting"

    def create_payload(self, unit):
        return {"training_class": f.TrainingClassFactory().pk, "scale": "hundred"}

    def update_payload(self, obj):
        return {"scale": "five"}

    def filter_cases(self, unit):
        hundred = self.make(unit)
        yield {"scale": "five"}, self.make(unit, scale="five"), hundred
        yield {"training_class": hundred.training_class_id}, hundred, self.make(unit)


class TestClassEvaluation(ModelContract):
    factory = f.ClassEvaluationFactory
    basename = "classevaluation"
    updatable = False

    def create_payload(self, unit):
        enrolment = f.EnrolmentFactory(cadre__unit=unit, status="in_training")
        return {"enrolment": enrolment.pk, "score": 5, "comment": "很有收获"}

    def update_payload(self, obj):
        return {"score": 3}

    def filter_cases(self, unit):
        four = self.make(unit)
        yield {"score": 2}, self.make(unit, score=2), four
        yield {"score__gte": 4}, four, self.make(unit, score=1)
        yield {"training_class": four.enrolment.training_class_id}, four, self.make(unit)


class TestCourseEvaluation(ModelContract):
    factory = f.CourseEvaluationFactory
    basename = "courseevaluation"
    updatable = False

    def create_payload(self, unit):
        enrolment = f.EnrolmentFactory(cadre__unit=unit, status="in_training")
        course = attended(enrolment)
        return {"enrolment": enrolment.pk, "course": course.pk, "score": 4, "comment": ""}

    def update_payload(self, obj):
        return {"score": 1}

    def filter_cases(self, unit):
        five = self.make(unit)
        yield {"score": 3}, self.make(unit, score=3), five
        yield {"teacher": five.course.teacher_id}, five, self.make(unit)
        yield {"training_class": five.course.training_class_id}, five, self.make(unit)


# --- who evaluates ---------------------------------------------------------------------------------
@pytest.mark.parametrize("status", [Status.IN_TRAINING, Status.COMPLETED])
def test_trainee_in_training_or_completed_evaluates_class(county_a, staff, status):
    enrolment = f.EnrolmentFactory(
        cadre__unit=county_a,
        status=status,
        hours_credited=40 if status == Status.COMPLETED else None,
    )
    evaluation = services.evaluate_class(enrolment, score=5, comment=" 很好 ", by=staff)
    assert (evaluation.score, evaluation.comment) == (5, "很好")
    assert evaluation.history.latest().history_user == staff


@pytest.mark.parametrize("status", [Status.APPLIED, Status.CONFIRMED, Status.WITHDRAWN, Status.ABSENT])
def test_trainee_who_did_not_attend_cannot_evaluate(county_a, staff, status):
    enrolment = f.EnrolmentFactory(
        cadre__unit=county_a, status=status, end_reason="因公" if status in ("withdrawn", "absent") else ""
    )
    message = errors_of(lambda: services.evaluate_class(enrolment, score=4, by=staff))["enrolment"][0]
    assert "只有在训或结业的学员可以评估" in message


def test_class_evaluated_once_per_enrolment(county_a, staff):
    enrolment = f.EnrolmentFactory(cadre__unit=county_a, status="in_training")
    services.evaluate_class(enrolment, score=4, by=staff)
    assert (
        "已提交班次评估"
        in errors_of(lambda: services.evaluate_class(enrolment, score=5, by=staff))["enrolment"][0]
    )


def test_submitted_on_not_in_future(county_a, staff):
    enrolment = f.EnrolmentFactory(cadre__unit=county_a, status="in_training")
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    errors = errors_of(lambda: services.evaluate_class(enrolment, score=4, submitted_on=tomorrow, by=staff))
    assert "submitted_on" in errors


def test_course_evaluation_needs_present_attendance(county_a, staff):
    enrolment = f.EnrolmentFactory(cadre__unit=county_a, status="in_training")
    never = f.CourseFactory(training_class=enrolment.training_class)
    on_leave = attended(enrolment, status="leave")
    present = attended(enrolment)
    for course in (never, on_leave):
        message = errors_of(lambda c=course: services.evaluate_course(enrolment, c, score=5, by=staff))
        assert "出勤记录" in message["course"][0]
    assert services.evaluate_course(enrolment, present, score=5, by=staff).course == present


def test_course_of_another_class_is_refused(county_a, staff):
    enrolment = f.EnrolmentFactory(cadre__unit=county_a, status="in_training")
    other = f.CourseFactory()
    message = errors_of(lambda: services.evaluate_course(enrolment, other, score=5, by=staff))["course"][0]
    assert "不属于学员所在班次" in message


def test_course_evaluated_once_per_enrolment(county_a, staff):
    enrolment = f.EnrolmentFactory(cadre__unit=county_a, status="in_training")
    course = attended(enrolment)
    services.evaluate_course(enrolment, course, score=5, by=staff)
    message = errors_of(lambda: services.evaluate_course(enrolment, course, score=3, by=staff))["course"][0]
    assert "已评估课程" in message


# --- the scale -------------------------------------------------------------------------------------
@pytest.mark.parametrize(("score", "ok"), [(0, False), (1, True), (5, True), (6, False)])
def test_five_point_scale_by_default(county_a, staff, score, ok):
    enrolment = f.EnrolmentFactory(cadre__unit=county_a, status="in_training")
    if ok:
        assert services.evaluate_class(enrolment, score=score, by=staff).score == score
    else:
        assert (
            "1至5分"
            in errors_of(lambda: services.evaluate_class(enrolment, score=score, by=staff))["score"][0]
        )


@pytest.mark.parametrize(("score", "ok"), [(0, True), (100, True), (101, False)])
def test_hundred_point_scale_set_per_class(county_a, staff, score, ok):
    setting = f.EvaluationSettingFactory(scale="hundred")
    enrolment = f.EnrolmentFactory(
        cadre__unit=county_a, status="in_training", training_class=setting.training_class
    )
    course = attended(enrolment)
    if ok:
        assert services.evaluate_course(enrolment, course, score=score, by=staff).score == score
    else:
        message = errors_of(lambda: services.evaluate_course(enrolment, course, score=score, by=staff))
        assert "0至100分" in message["score"][0]


def test_scale_fixed_once_class_has_evaluations(county_a, staff):
    setting = f.EvaluationSettingFactory(scale="hundred")
    enrolment = f.EnrolmentFactory(
        cadre__unit=county_a, status="in_training", training_class=setting.training_class
    )
    setting.scale = "five"
    setting.full_clean()  # no evaluation yet: free to change
    services.evaluate_class(enrolment, score=80, by=staff)
    assert "scale" in errors_of(setting.full_clean)


def test_first_setting_of_evaluated_class_must_keep_five_points(county_a, staff):
    enrolment = f.EnrolmentFactory(cadre__unit=county_a, status="in_training")
    services.evaluate_class(enrolment, score=4, by=staff)
    setting = f.EvaluationSettingFactory.build(training_class=enrolment.training_class, scale="hundred")
    assert "scale" in errors_of(setting.full_clean)


# --- results ---------------------------------------------------------------------------------------
def evaluations(unit, training_class, scores, teacher=None):
    course = f.CourseFactory(training_class=training_class, teacher=teacher or f.TeacherFactory())
    for score in scores:
        enrolment = f.EnrolmentFactory(cadre__unit=unit, training_class=training_class, status="in_training")
        f.ClassEvaluationFactory(enrolment=enrolment, score=score)
        f.CourseEvaluationFactory(enrolment=enrolment, course=course, score=score)
    return course


def results_client(api, unit):
    perms = ["training.view_classevaluation", "training.view_courseevaluation"]
    return api.as_user(f.UserFactory(perms=perms, units=[unit]))


def test_class_results_count_average_and_distribution(county_a, api):
    training_class = f.TrainingClassFactory()
    evaluations(county_a, training_class, [5, 5, 4, 2])
    response = results_client(api, county_a).get(reverse("training-evaluation-results-classes"))
    assert response.status_code == 200, response.data
    (row,) = response.data["classes"]
    assert (row["training_class"]["id"], row["count"], row["average"]) == (training_class.pk, 4, 4.0)
    assert [(b["label"], b["count"]) for b in row["distribution"]] == [
        ("5分", 2),
        ("4分", 1),
        ("3分", 0),
        ("2分", 1),
        ("1分", 0),
    ]
    assert "comment" not in str(response.data) and "cadre" not in str(response.data)


def test_hundred_point_results_in_bands(county_a):
    setting = f.EvaluationSettingFactory(scale="hundred")
    evaluations(county_a, setting.training_class, [100, 90, 89, 60, 59])
    (row,) = evaluation_results.class_results(ClassEvaluation.objects.all(), units=None)["classes"]
    assert row["scale"] == "hundred"
    assert [b["count"] for b in row["distribution"]] == [2, 1, 0, 1, 1]
    assert row["average"] == 79.6


def test_teacher_results_across_classes_by_scale(county_a):
    teacher = f.TeacherFactory(name="王立新")
    evaluations(county_a, f.TrainingClassFactory(), [5, 3], teacher=teacher)
    evaluations(county_a, f.TrainingClassFactory(), [4], teacher=teacher)
    hundred = f.EvaluationSettingFactory(scale="hundred")
    evaluations(county_a, hundred.training_class, [90], teacher=teacher)
    rows = evaluation_results.teacher_results(CourseEvaluation.objects.all(), units=None)["teachers"]
    by_scale = {row["scale"]: row for row in rows if row["teacher"]["id"] == teacher.pk}
    assert (by_scale["five"]["count"], by_scale["five"]["average"], by_scale["five"]["classes"]) == (
        3,
        4.0,
        2,
    )
    assert (by_scale["hundred"]["count"], by_scale["hundred"]["average"]) == (1, 90.0)


def test_course_results_name_course_class_and_teacher(county_a, api):
    course = evaluations(county_a, f.TrainingClassFactory(), [5, 4])
    response = results_client(api, county_a).get(
        reverse("training-evaluation-results-courses"), {"teacher": course.teacher_id}
    )
    (row,) = response.data["courses"]
    assert (row["course"]["id"], row["teacher"]["id"], row["average"]) == (course.pk, course.teacher_id, 4.5)


def test_results_count_only_the_jurisdiction(county_a, county_b, api):
    training_class = f.TrainingClassFactory()
    evaluations(county_a, training_class, [5])
    evaluations(county_b, training_class, [1, 1])
    (row,) = results_client(api, county_a).get(reverse("training-evaluation-results-classes")).data["classes"]
    assert (row["count"], row["average"]) == (1, 5.0)


@pytest.mark.parametrize("kind", ["classes", "courses", "teachers"])
def test_results_query_count_is_constant(county_a, api, kind):
    user = f.UserFactory(
        perms=["training.view_classevaluation", "training.view_courseevaluation"], units=[county_a]
    )
    url = reverse(f"training-evaluation-results-{kind}")

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert (
                api.as_user(ModelContract.fresh(user)).get(url, {"unit_subtree": county_a.pk}).status_code
                == 200
            )
        return len(ctx.captured_queries)

    evaluations(county_a, f.TrainingClassFactory(), [5])
    one = count()
    for _ in range(4):
        evaluations(county_a, f.TrainingClassFactory(), [5, 4, 3, 2, 1])
    assert count() == one


def test_results_need_view_permission(county_a, api):
    user = f.UserFactory(units=[county_a])
    assert api.as_user(user).get(reverse("training-evaluation-results-teachers")).status_code == 403


def test_results_admin_page(county_a, client):
    training_class = f.TrainingClassFactory(name="中青年干部培训班")
    evaluations(county_a, training_class, [5, 4])
    user = f.UserFactory(
        perms=["training.view_classevaluation", "training.view_courseevaluation"], units=[county_a]
    )
    client.force_login(user)
    page = client.get(reverse("admin:training_evaluation_results")).content.decode()
    assert "中青年干部培训班" in page and "4.5" in page
    changelist = client.get(reverse("admin:training_classevaluation_changelist")).content.decode()
    assert reverse("admin:training_evaluation_results") in changelist


def test_admin_add_form_goes_through_the_service(county_a, client):
    enrolment = f.EnrolmentFactory(cadre__unit=county_a, status="in_training")
    applied = f.EnrolmentFactory(cadre__unit=county_a)
    user = f.UserFactory(
        perms=["training.view_classevaluation", "training.add_classevaluation"], units=[county_a]
    )
    client.force_login(user)
    url = reverse("admin:training_classevaluation_add")
    today = timezone.localdate().isoformat()
    refused = client.post(url, {"enrolment": applied.pk, "score": 5, "submitted_on": today})
    assert refused.status_code == 200 and "只有在训或结业的学员可以评估" in refused.content.decode()
    client.post(url, {"enrolment": enrolment.pk, "score": 5, "comment": "好", "submitted_on": today})
    evaluation = ClassEvaluation.objects.get()
    assert (evaluation.enrolment, evaluation.history.latest().history_user) == (enrolment, user)


# --- API submission and permissions ------------------------------------------------------------------
def test_api_course_evaluation_refused_without_attendance(county_a, api):
    enrolment = f.EnrolmentFactory(cadre__unit=county_a, status="in_training")
    course = f.CourseFactory(training_class=enrolment.training_class)
    user = f.UserFactory(
        perms=["training.view_courseevaluation", "training.add_courseevaluation"], units=[county_a]
    )
    response = api.as_user(user).post(
        reverse("courseevaluation-list"),
        {"enrolment": enrolment.pk, "course": course.pk, "score": 5},
        format="json",
    )
    assert response.status_code == 400
    assert "出勤记录" in response.data["course"][0]


def test_section_permissions():
    training_office = {p.codename for p in Group.objects.get(name="培训办").permissions.all()}
    county = {p.codename for p in Group.objects.get(name="县区组织部").permissions.all()}
    assert {"add_classevaluation", "add_courseevaluation", "change_evaluationsetting"} <= training_office
    assert "view_classevaluation" in county and "add_classevaluation" not in county
