"""Training on a cadre's growth dossier timeline (cadres.timeline): classes completed, left (退训) or
missed (缺训), in one query, within the user's jurisdiction."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cadres import timeline as tl
from orgportal import access
from tests import factories as f
from tests.contract import ModelContract
from training.timeline import training_events

pytestmark = pytest.mark.django_db
D = datetime.date
START, END = D(2024, 3, 4), D(2024, 3, 8)


def staff(unit):
    return ModelContract.fresh(f.UserFactory(perms=["cadres.view_cadre"], units=[unit]))


def a_class(name="县处级领导干部进修班", start=START, **kwargs):
    return f.TrainingClassFactory(
        name=name,
        cohort=2,
        kind="main",
        start_date=start,
        end_date=start + datetime.timedelta(days=4),
        **kwargs,
    )


def completed(cadre, training_class, on=END, number="2024-1-001"):
    return f.EnrolmentFactory(
        cadre=cadre,
        training_class=training_class,
        status="completed",
        ended_on=on,
        hours_credited=Decimal("36.0"),
        certificate_number=number,
        result="优秀学员",
    )


def test_the_training_source_is_registered_when_the_app_is_ready():
    assert "training" in tl.sources()


def test_completed_class_shows_kind_dates_hours_and_certificate(county_a, superuser):
    cadre = f.CadreFactory(unit=county_a)
    completed(cadre, a_class())
    [event] = [e for e in tl.timeline(cadre, superuser) if e.kind == "教育培训"]
    assert (event.date, event.title, event.source) == (
        D(2024, 3, 8),
        "结业：县处级领导干部进修班（第2期）",
        "training.Enrolment",
    )
    assert event.detail == (
        "班次类别：主体班；培训日期：2024.03.04—2024.03.08；认定学时：36学时；"
        "结业证书编号：2024-1-001；结业鉴定：优秀学员"
    )


def test_withdrawal_and_absence_show_the_reason_and_open_enrolments_nothing(county_a, superuser):
    cadre = f.CadreFactory(unit=county_a)
    f.EnrolmentFactory(
        cadre=cadre,
        training_class=a_class("专题班甲"),
        status="withdrawn",
        ended_on=D(2024, 3, 5),
        end_reason="工作调动",
    )
    f.EnrolmentFactory(
        cadre=cadre,
        training_class=a_class("专题班乙", start=D(2025, 4, 7)),
        status="absent",
        ended_on=D(2025, 4, 7),
        end_reason="因病",
    )
    f.EnrolmentFactory(cadre=cadre, training_class=a_class("专题班丙"), status="in_training")
    events = [(e.date, e.title, e.detail.rsplit("；", 1)[-1]) for e in training_events(cadre, superuser)]
    assert events == [
        (D(2024, 3, 5), "退训：专题班甲（第2期）", "原因：工作调动"),
        (D(2025, 4, 7), "缺训：专题班乙（第2期）", "原因：因病"),
    ]


def test_enrolments_outside_the_jurisdiction_are_left_out(county_a, county_b):
    cadre = f.CadreFactory(unit=county_a)
    completed(cadre, a_class())
    assert list(training_events(cadre, staff(county_b))) == []
    assert len(list(training_events(cadre, staff(county_a)))) == 1


def count_queries(cadre, user) -> int:
    access.user_unit_paths(user)  # loaded by the scoped lookup that fetched the cadre
    with CaptureQueriesContext(connection) as ctx:
        list(training_events(cadre, user))
    return len(ctx.captured_queries)


def test_one_query_whatever_the_number_of_classes(county_a):
    one, many = f.CadreFactory(unit=county_a), f.CadreFactory(unit=county_a)
    completed(one, a_class())
    for i in range(10):
        completed(many, a_class(start=D(2014 + i, 5, 5)), on=D(2014 + i, 5, 9), number=f"N-{i}")
    user = staff(county_a)
    assert count_queries(one, user) == count_queries(many, user) == 1
    assert len(list(training_events(many, user))) == 10


def test_api_cadre_timeline_includes_training(county_a, api):
    cadre = f.CadreFactory(unit=county_a)
    completed(cadre, a_class())
    response = api.as_user(staff(county_a)).get(reverse("cadre-timeline", args=[cadre.pk]))
    assert response.status_code == 200
    assert [row["title"] for row in response.data if row["kind"] == "教育培训"] == [
        "结业：县处级领导干部进修班（第2期）"
    ]
