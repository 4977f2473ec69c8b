"""The training services and the rules they rest on, at their boundaries: enrolment, confirmation
against capacity and quotas, withdrawal and absence, attendance, class completion and its hours
rule; the model rules on classes and courses; the API actions and the section permissions."""

import datetime
import re
import threading
import time
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.urls import reverse

from orgportal import codes
from orgportal.codes import ClassStatus, EnrolmentStatus
from tests import factories as f
from training import services
from training.models import Enrolment, TrainingClass

pytestmark = pytest.mark.django_db
D = datetime.date
DAY = datetime.timedelta(days=1)
Status = EnrolmentStatus


def errors_of(call) -> dict:
    with pytest.raises(ValidationError) as error:
        call()
    return error.value.message_dict


@pytest.fixture
def staff(city):
    return f.UserFactory(units=[city])


def a_class(**kwargs):
    values = {"start_date": D(2026, 5, 11), "end_date": D(2026, 5, 15), "hours": Decimal(40)}
    return f.TrainingClassFactory(**{**values, **kwargs})


def enrolled(unit, training_class, status=Status.APPLIED):
    return f.EnrolmentFactory(cadre__unit=unit, training_class=training_class, status=status)


# --- enrol ---------------------------------------------------------------------------------------
def test_enrol_records_application_with_history_author(county_a, staff):
    cadre = f.CadreFactory(unit=county_a)
    enrolment = services.enrol(cadre, a_class(), by=staff)
    assert enrolment.status == Status.APPLIED
    assert enrolment.history.latest().history_user == staff


def test_enrol_refuses_retired_cadre(county_a, staff):
    cadre = f.CadreFactory(unit=county_a, status=codes.CadreStatus.RETIRED)
    assert "退休" in errors_of(lambda: services.enrol(cadre, a_class(), by=staff))["cadre"][0]


def test_enrol_refuses_second_enrolment_in_same_class(county_a, staff):
    cadre, training_class = f.CadreFactory(unit=county_a), a_class()
    services.enrol(cadre, training_class, by=staff)
    assert "已报名" in errors_of(lambda: services.enrol(cadre, training_class, by=staff))["cadre"][0]
    assert Enrolment.objects.filter(cadre=cadre).count() == 1


def test_database_refuses_second_enrolment_too(county_a):
    first = enrolled(county_a, a_class())
    with pytest.raises(IntegrityError), transaction.atomic():
        f.EnrolmentFactory(cadre=first.cadre, training_class=first.training_class)


def test_enrol_refuses_finished_class(county_a, staff):
    training_class = a_class(status=ClassStatus.FINISHED)
    cadre = f.CadreFactory(unit=county_a)
    assert "已结业" in errors_of(lambda: services.enrol(cadre, training_class, by=staff))["training_class"][0]


def test_enrol_keeps_to_the_class_target_levels(county_a, staff):
    training_class = a_class(target_levels="county_chief,county_deputy")
    deputy = f.CadreFactory(unit=county_a, level="county_deputy")
    assert services.enrol(deputy, training_class, by=staff).status == Status.APPLIED
    township = f.CadreFactory(unit=county_a, level="township_chief")
    message = errors_of(lambda: services.enrol(township, training_class, by=staff))["cadre"][0]
    assert "乡科级正职" in message and "县处级正职、县处级副职" in message
    no_level = f.CadreFactory(unit=county_a, level="")
    assert "「无」" in errors_of(lambda: services.enrol(no_level, training_class, by=staff))["cadre"][0]
    assert not Enrolment.objects.filter(cadre__in=[township, no_level]).exists()
    # a class without target levels is open to every level
    assert services.enrol(township, a_class(target_levels=""), by=staff).status == Status.APPLIED


def test_an_enrolment_stays_valid_when_its_cadre_changes_level_later(county_a, staff):
    cadre = f.CadreFactory(unit=county_a, level="county_deputy")
    enrolment = services.enrol(cadre, a_class(target_levels="county_deputy"), by=staff)
    cadre.level = "county_chief"
    cadre.save()
    enrolment.refresh_from_db()
    enrolment.full_clean()  # checked when enrolling, not afterwards


def test_enrol_refuses_cadre_outside_jurisdiction(county_a, county_b):
    user = f.UserFactory(units=[county_a])
    cadre = f.CadreFactory(unit=county_b)
    assert "cadre" in errors_of(lambda: services.enrol(cadre, a_class(), by=user))


# --- confirm: capacity and quotas --------------------------------------------------------------------
def test_confirm_fills_the_last_place(county_a, staff):
    training_class = a_class(capacity=2)
    enrolled(county_a, training_class, Status.CONFIRMED)
    last = services.confirm_enrolment(enrolled(county_a, training_class), by=staff)
    assert last.status == Status.CONFIRMED


def test_confirm_refuses_when_capacity_exactly_full(county_a, staff):
    training_class = a_class(capacity=2)
    enrolled(county_a, training_class, Status.CONFIRMED)
    enrolled(county_a, training_class, Status.IN_TRAINING)
    waiting = enrolled(county_a, training_class)
    errors = errors_of(lambda: services.confirm_enrolment(waiting, by=staff))
    assert "已满" in errors["training_class"][0]
    waiting.refresh_from_db()
    assert waiting.status == Status.APPLIED


def test_withdrawn_enrolment_does_not_take_a_place(county_a, staff):
    training_class = a_class(capacity=1)
    f.EnrolmentFactory(
        cadre__unit=county_a, training_class=training_class, status=Status.WITHDRAWN, end_reason="因公出差"
    )
    assert services.confirm_enrolment(enrolled(county_a, training_class), by=staff).status == Status.CONFIRMED


def test_quota_of_the_unit_above_counts_its_whole_subtree(city, county_a, staff):
    township = f.UnitFactory(parent=county_a)
    training_class = a_class(plan=f.TrainingPlanFactory())
    f.PlanQuotaFactory(plan=training_class.plan, training_class=training_class, unit=county_a, count=2)
    enrolled(county_a, training_class, Status.CONFIRMED)
    second = services.confirm_enrolment(enrolled(township, training_class), by=staff)  # quota reached now
    assert second.status == Status.CONFIRMED
    third = enrolled(township, training_class)
    assert (
        "调训名额（2人）已满"
        in errors_of(lambda: services.confirm_enrolment(third, by=staff))["training_class"][0]
    )


def test_quota_of_another_unit_does_not_limit(county_a, county_b, staff):
    training_class = a_class(plan=f.TrainingPlanFactory())
    f.PlanQuotaFactory(plan=training_class.plan, training_class=training_class, unit=county_b, count=1)
    enrolled(county_b, training_class, Status.CONFIRMED)
    assert services.confirm_enrolment(enrolled(county_a, training_class), by=staff).status == Status.CONFIRMED


def test_confirm_only_from_applied(county_a, staff):
    enrolment = enrolled(county_a, a_class(), Status.CONFIRMED)
    assert "调训确认" in errors_of(lambda: services.confirm_enrolment(enrolment, by=staff))["status"][0]


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks need PostgreSQL (SQLite locks the file)"
)
def test_two_confirmations_for_the_last_place_at_once_one_wins(county_a, superuser):
    training_class = a_class(capacity=1)
    first_enrolment, second_enrolment = enrolled(county_a, training_class), enrolled(county_a, training_class)
    outcome = {}

    def first():
        with transaction.atomic():
            TrainingClass.objects.select_for_update().get(pk=training_class.pk)
            time.sleep(0.5)  # the second confirmation starts while this transaction holds the class
            services.confirm_enrolment(first_enrolment, by=superuser)
        outcome["first"] = "ok"
        connection.close()

    def second():
        time.sleep(0.1)
        try:
            services.confirm_enrolment(second_enrolment, by=superuser)
            outcome["second"] = "ok"
        except ValidationError as error:
            outcome["second"] = " ".join(error.messages)
        connection.close()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcome["first"] == "ok"
    assert "已满" in outcome["second"]
    assert training_class.enrolments.filter(status=Status.CONFIRMED).count() == 1


# --- withdraw, absent ----------------------------------------------------------------------------
def test_withdraw_needs_a_reason(county_a, staff):
    enrolment = enrolled(county_a, a_class())
    assert "end_reason" in errors_of(lambda: services.withdraw(enrolment, reason=" ", by=staff))


def test_withdraw_records_reason_and_date(county_a, staff):
    enrolment = services.withdraw(
        enrolled(county_a, a_class()), reason="因公出差", on=D(2026, 5, 1), by=staff
    )
    assert (enrolment.status, enrolment.end_reason, enrolment.ended_on) == (
        Status.WITHDRAWN,
        "因公出差",
        D(2026, 5, 1),
    )


def test_absent_refuses_an_application_never_confirmed(county_a, staff):
    enrolment = enrolled(county_a, a_class())
    errors = errors_of(lambda: services.mark_absent(enrolment, reason="未报到", by=staff))
    assert "报名" in errors["status"][0]


def test_absent_from_confirmed(county_a, staff):
    enrolment = enrolled(county_a, a_class(), Status.CONFIRMED)
    assert services.mark_absent(enrolment, reason="未报到", by=staff).status == Status.ABSENT


# --- attendance ----------------------------------------------------------------------------------
def test_record_attendance_twice_corrects_the_record(county_a, staff):
    enrolment = enrolled(county_a, a_class(), Status.CONFIRMED)
    course = f.CourseFactory(training_class=enrolment.training_class)
    services.record_attendance(enrolment, course, status="absent", by=staff)
    attendance = services.record_attendance(enrolment, course, status="leave", by=staff)
    assert enrolment.attendances.get().status == attendance.status == "leave"


def test_record_attendance_refuses_course_of_another_class(county_a, staff):
    enrolment = enrolled(county_a, a_class(), Status.CONFIRMED)
    course = f.CourseFactory(training_class=a_class())
    errors = errors_of(lambda: services.record_attendance(enrolment, course, status="present", by=staff))
    assert "course" in errors


def test_record_attendance_refuses_an_unconfirmed_enrolment(county_a, staff):
    enrolment = enrolled(county_a, a_class())
    course = f.CourseFactory(training_class=enrolment.training_class)
    errors = errors_of(lambda: services.record_attendance(enrolment, course, status="present", by=staff))
    assert "status" in errors


# --- start and complete a class -----------------------------------------------------------------------
def test_start_class_moves_confirmed_trainees_into_training(county_a, staff):
    training_class = a_class()
    confirmed, applied = (
        enrolled(county_a, training_class, Status.CONFIRMED),
        enrolled(county_a, training_class),
    )
    services.start_class(training_class, by=staff)
    confirmed.refresh_from_db()
    applied.refresh_from_db()
    assert (confirmed.status, applied.status) == (Status.IN_TRAINING, Status.APPLIED)


def test_complete_class_refuses_the_day_before_the_end_date(county_a, staff):
    training_class = a_class()
    errors = errors_of(lambda: services.complete_class(training_class, on=D(2026, 5, 14), by=staff))
    assert "2026-05-15" in errors["on"][0]


def test_complete_class_on_the_end_date_credits_hours_less_missed_courses(county_a, staff):
    training_class = a_class()
    first, second = (enrolled(county_a, training_class, Status.IN_TRAINING) for _ in range(2))
    applied = enrolled(county_a, training_class)
    missed = f.CourseFactory(training_class=training_class, hours=Decimal("3.5"))
    excused = f.CourseFactory(training_class=training_class, hours=Decimal(4))
    attended = f.CourseFactory(training_class=training_class, hours=Decimal(8))
    services.record_attendance(first, missed, status="absent", by=staff)
    services.record_attendance(first, excused, status="leave", by=staff)
    services.record_attendance(first, attended, status="present", by=staff)

    services.complete_class(training_class, on=D(2026, 5, 15), by=staff)

    for enrolment in (first, second, applied):
        enrolment.refresh_from_db()
    assert first.hours_credited == Decimal("32.5")  # 40 − 3.5 (缺勤) − 4 (请假)
    assert second.hours_credited == Decimal(40)
    assert (first.status, first.ended_on) == (Status.COMPLETED, D(2026, 5, 15))
    assert first.certificate_number == f"2026-{training_class.pk}-001"
    assert second.certificate_number == f"2026-{training_class.pk}-002"
    assert (applied.status, applied.certificate_number, applied.hours_credited) == (Status.APPLIED, "", None)
    training_class.refresh_from_db()
    assert training_class.status == ClassStatus.FINISHED
    assert first.history.latest().history_user == staff


def test_a_finished_class_attendance_still_validates_but_takes_no_new_record(county_a, staff):
    training_class = a_class()
    enrolment = enrolled(county_a, training_class, Status.IN_TRAINING)
    course, later = (f.CourseFactory(training_class=training_class, hours=Decimal(4)) for _ in range(2))
    attendance = services.record_attendance(enrolment, course, status="present", by=staff)
    services.complete_class(training_class, on=D(2026, 5, 15), by=staff)
    attendance.refresh_from_db()
    attendance.full_clean()
    errors = errors_of(lambda: services.record_attendance(enrolment, later, status="present", by=staff))
    assert "结业" in errors["status"][0]


def test_complete_class_refuses_a_finished_class(county_a, staff):
    training_class = a_class()
    services.complete_class(training_class, on=D(2026, 5, 15), by=staff)
    assert (
        "已结业"
        in errors_of(lambda: services.complete_class(training_class, on=D(2026, 5, 16), by=staff))["status"][
            0
        ]
    )


# --- model rules ---------------------------------------------------------------------------------
def test_class_end_date_may_not_precede_start_date():
    training_class = f.TrainingClassFactory.build(
        organiser=f.UnitFactory(), venue=None, start_date=D(2026, 5, 11), end_date=D(2026, 5, 10)
    )
    assert "end_date" in errors_of(training_class.full_clean)


def test_class_target_levels_are_validated_and_ordered():
    training_class = f.TrainingClassFactory.build(
        organiser=f.UnitFactory(), venue=None, target_levels="county_deputy, county_chief"
    )
    training_class.full_clean()
    assert training_class.target_levels == "county_chief,county_deputy"
    training_class.target_levels = "county_chief,mayor"
    assert "mayor" in errors_of(training_class.full_clean)["target_levels"][0]


def test_class_is_not_finished_by_editing_its_status():
    training_class = a_class()
    training_class.status = ClassStatus.FINISHED
    assert "status" in errors_of(training_class.full_clean)


def test_course_date_must_lie_within_the_class():
    training_class = a_class()
    course = f.CourseFactory.build(training_class=training_class, teacher=None, date=D(2026, 5, 16))
    assert "date" in errors_of(course.full_clean)
    course.date = D(2026, 5, 15)
    course.full_clean()


def test_courses_hours_may_reach_but_not_exceed_the_class_hours():
    training_class = a_class(hours=Decimal(8))
    f.CourseFactory(training_class=training_class, hours=Decimal(4))
    fits = f.CourseFactory.build(training_class=training_class, teacher=None, hours=Decimal(4))
    fits.full_clean()
    fits.save()
    over = f.CourseFactory.build(training_class=training_class, teacher=None, hours=Decimal("0.5"))
    assert "最多0" in errors_of(over.full_clean)["hours"][0]


def test_enrolment_cadre_cannot_be_changed(county_a):
    enrolment = enrolled(county_a, a_class())
    enrolment.cadre = f.CadreFactory(unit=county_a)
    assert "cadre" in errors_of(enrolment.full_clean)


def test_quota_class_must_belong_to_the_plan(county_a):
    quota = f.PlanQuotaFactory.build(
        plan=f.TrainingPlanFactory(), training_class=a_class(plan=f.TrainingPlanFactory()), unit=county_a
    )
    assert "training_class" in errors_of(quota.full_clean)


# --- the API actions ---------------------------------------------------------------------------
def test_api_enrol_confirm_withdraw(county_a, api):
    user = f.UserFactory(
        units=[county_a],
        perms=["training.view_enrolment", "training.add_enrolment", "training.change_enrolment"],
    )
    client = api.as_user(user)
    training_class = a_class(capacity=1)
    cadre = f.CadreFactory(unit=county_a)
    created = client.post(
        reverse("enrolment-list"), {"cadre": cadre.pk, "training_class": training_class.pk}, format="json"
    )
    assert created.status_code == 201, created.data
    url = reverse("enrolment-confirm", args=[created.data["id"]])
    assert client.post(url).data["status"] == Status.CONFIRMED
    other = enrolled(county_a, training_class)
    refused = client.post(reverse("enrolment-confirm", args=[other.pk]))
    assert refused.status_code == 400 and "已满" in refused.data["training_class"][0]
    withdrawn = client.post(reverse("enrolment-withdraw", args=[other.pk]), {"reason": "因病"}, format="json")
    assert withdrawn.data["status"] == Status.WITHDRAWN
    assert client.post(reverse("enrolment-absent", args=[other.pk]), {}, format="json").status_code == 400


def test_api_complete_class(api, superuser, county_a):
    training_class = a_class()
    enrolled(county_a, training_class, Status.CONFIRMED)
    client = api.as_user(superuser)
    early = client.post(reverse("trainingclass-complete", args=[training_class.pk]), {"on": "2026-05-14"})
    assert early.status_code == 400 and "on" in early.data
    done = client.post(reverse("trainingclass-complete", args=[training_class.pk]), {"on": "2026-05-15"})
    assert done.status_code == 200 and done.data["status"] == ClassStatus.FINISHED
    assert TrainingClass.objects.get(pk=training_class.pk).enrolments.get().status == Status.COMPLETED


def test_api_attendance_for_a_course_of_another_class_is_a_400(county_a, superuser, api):
    enrolment = enrolled(county_a, a_class(), Status.CONFIRMED)
    course = f.CourseFactory(training_class=a_class())
    response = api.as_user(superuser).post(
        reverse("attendance-list"), {"enrolment": enrolment.pk, "course": course.pk, "status": "absent"}
    )
    assert response.status_code == 400 and "course" in response.data


# --- permissions ----------------------------------------------------------------------------------
def test_sections_permissions():
    def codenames(name):
        return {
            p.codename
            for p in Group.objects.get(name=name).permissions.filter(content_type__app_label="training")
        }

    assert {"view_trainingclass", "view_enrolment"} <= codenames("只读")
    assert "add_trainingclass" not in codenames("只读")
    assert {"add_trainingclass", "delete_enrolment", "change_course"} <= codenames("培训办")
    county = codenames("县区组织部")
    assert {"add_enrolment", "change_enrolment", "add_attendance", "view_trainingclass"} <= county
    assert not {"add_trainingclass", "delete_enrolment", "change_planquota"} & county


# --- the admin -------------------------------------------------------------------------------------
def test_admin_class_page_shows_courses_and_enrolments(client, superuser, county_a):
    enrolment = enrolled(county_a, a_class())
    f.CourseFactory(training_class=enrolment.training_class, title="遵义会议精神专题")
    client.force_login(superuser)
    page = client.get(reverse("admin:training_trainingclass_change", args=[enrolment.training_class_id]))
    assert page.status_code == 200
    assert "遵义会议精神专题" in page.content.decode() and enrolment.cadre.name in page.content.decode()


def test_admin_class_target_levels_are_checkboxes(client, superuser, county_a):
    training_class = a_class(target_levels="county_chief")
    client.force_login(superuser)
    url = reverse("admin:training_trainingclass_change", args=[training_class.pk])
    page = client.get(url).content.decode()
    assert 'type="checkbox" name="target_levels" value="county_chief"' in page
    form = client.get(url).context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and k != "target_levels"}
    data.update(
        {
            "target_levels": ["township_chief", "county_deputy"],
            "organiser": training_class.organiser_id,
            "venue": training_class.venue_id,
            "start_date": "2026-05-11",
            "end_date": "2026-05-15",
            "courses-TOTAL_FORMS": 0,
            "courses-INITIAL_FORMS": 0,
            "enrolments-TOTAL_FORMS": 0,
            "enrolments-INITIAL_FORMS": 0,
        }
    )
    data.pop("plan", None)
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    training_class.refresh_from_db()
    assert training_class.target_levels == "county_deputy,township_chief"


def test_admin_add_enrolment_refuses_retired_cadre_on_the_form(client, superuser, county_a):
    cadre = f.CadreFactory(unit=county_a, status=codes.CadreStatus.RETIRED)
    client.force_login(superuser)
    response = client.post(
        reverse("admin:training_enrolment_add"), {"cadre": cadre.pk, "training_class": a_class().pk}
    )
    assert response.status_code == 200
    assert "不能报名调训" in response.content.decode()
    assert not Enrolment.objects.exists()


def test_admin_add_enrolment_calls_enrol(client, superuser, county_a):
    cadre = f.CadreFactory(unit=county_a)
    client.force_login(superuser)
    response = client.post(
        reverse("admin:training_enrolment_add"), {"cadre": cadre.pk, "training_class": a_class().pk}
    )
    assert response.status_code == 302
    assert Enrolment.objects.get(cadre=cadre).history.latest().history_user == superuser


def test_admin_confirm_action_reports_a_full_class(client, superuser, county_a):
    training_class = a_class(capacity=1)
    first, second = enrolled(county_a, training_class), enrolled(county_a, training_class)
    client.force_login(superuser)
    response = client.post(
        reverse("admin:training_enrolment_changelist"),
        {"action": "confirm_selected", "_selected_action": [first.pk, second.pk], "confirm": "1"},
        follow=True,
    )
    # all or nothing: the class has room for one, so neither is confirmed and the form says why
    statuses = set(Enrolment.objects.values_list("status", flat=True))
    assert statuses == {Status.APPLIED}
    assert "已满" in response.content.decode() and "全部未执行" in response.content.decode()


def test_admin_withdraw_action_asks_for_a_reason(client, superuser, county_a):
    enrolment = enrolled(county_a, a_class())
    client.force_login(superuser)
    url = reverse("admin:training_enrolment_changelist")
    asked = client.post(url, {"action": "withdraw_selected", "_selected_action": [enrolment.pk]})
    assert "原因" in asked.content.decode()
    client.post(
        url,
        {
            "action": "withdraw_selected",
            "_selected_action": [enrolment.pk],
            "confirm": "1",
            "reason": "因公出差",
            "on": "2026-05-01",
        },
    )
    enrolment.refresh_from_db()
    assert (enrolment.status, enrolment.end_reason) == (Status.WITHDRAWN, "因公出差")


def test_the_class_page_shows_each_trainees_attendance_hours_and_evaluation(
    county_a, staff, client, superuser
):
    training_class = a_class()
    evaluated, silent = (enrolled(county_a, training_class, Status.IN_TRAINING) for _ in range(2))
    present, missed = (f.CourseFactory(training_class=training_class, hours=Decimal(4)) for _ in range(2))
    services.record_attendance(evaluated, present, status="present", by=staff)
    services.record_attendance(evaluated, missed, status="leave", by=staff)
    services.record_attendance(silent, missed, status="absent", by=staff)
    f.ClassEvaluationFactory(enrolment=evaluated, score=4)
    client.force_login(superuser)
    url = reverse("admin:training_trainingclass_change", args=[training_class.pk])
    page = client.get(url).content.decode()
    assert "考勤（出勤/请假/缺勤）" in page and "1/1/0" in page and "0/0/1" in page
    cells = re.findall(r'field-(?:attendance|evaluation)">\s*<p>([^<]*)</p>', page)
    assert cells == ["1/1/0", "4", "0/0/1", "—"]
