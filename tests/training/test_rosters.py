"""The training rosters (学员花名册, 结业名单: export only) and the 调训名单 import into a class: every
row through the enrol service in one transaction, all or nothing, a report by row and column, the
importer's jurisdiction, a dry run that writes nothing; in the API and the admin."""

import datetime
import io
from decimal import Decimal

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from orgportal import codes, rosters
from tests import factories as f
from tests.contract import ModelContract
from tests.sheets import workbook
from training.enrolment_lists import import_enrolment_list
from training.models import Enrolment

pytestmark = pytest.mark.django_db
D = datetime.date
TRAINEES, GRADUATES = "training.trainees", "training.graduates"
PERMS = ["training.view_enrolment", "training.add_enrolment"]


def export_rows(roster, user):
    buffer = io.BytesIO()
    rosters.export(rosters.get(roster), Enrolment.objects.all(), user, buffer)
    buffer.seek(0)
    sheet = openpyxl.load_workbook(buffer).worksheets[0]
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def staff(unit):
    return ModelContract.fresh(f.UserFactory(perms=PERMS, units=[unit]))


def graduate(unit, training_class, **kwargs):
    return f.EnrolmentFactory(
        cadre__unit=unit,
        training_class=training_class,
        status="completed",
        ended_on=D(2026, 5, 15),
        hours_credited=Decimal(40),
        **kwargs,
    )


# --- export -----------------------------------------------------------------------------------------
def test_trainee_roster_has_the_cadre_the_class_and_the_outcome(county_a):
    cadre = f.CadreFactory(
        unit=county_a, name="张明", gender="1", birth_date=D(1980, 3, 1), post="副局长", level="county_deputy"
    )
    training_class = f.TrainingClassFactory(name="县处级领导干部进修班", cohort=3)
    graduate(county_a, training_class, cadre=cadre, certificate_number="2026-1-001")
    header, row = export_rows(TRAINEES, staff(county_a))[1:3]
    assert header[:13] == [
        "序号",
        "姓名",
        "性别",
        "出生年月",
        "工作单位",
        "现任职务",
        "职务层次",
        "班次",
        "期数",
        "调训状态",
        "认定学时",
        "结业证书编号",
        "退训（缺训、结业）日期",
    ]
    assert row[1:13] == [
        "张明",
        "男",
        "1980.03",
        county_a.name,
        "副局长",
        "县处级副职",
        "县处级领导干部进修班",
        3,
        "结业",
        "40.0",
        "2026-1-001",
        "2026.05.15",
    ]


def test_graduate_list_has_only_completed_enrolments_in_the_jurisdiction(county_a, county_b):
    training_class = f.TrainingClassFactory()
    done = graduate(county_a, training_class)
    graduate(county_b, training_class)
    f.EnrolmentFactory(cadre__unit=county_a, training_class=training_class, status="in_training")
    rows = export_rows(GRADUATES, staff(county_a))[2:]
    assert [row[1] for row in rows] == [done.cadre.name]


def test_export_query_count_is_constant(county_a):
    user = staff(county_a)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            export_rows(TRAINEES, ModelContract.fresh(user))
        return len(ctx.captured_queries)

    graduate(county_a, f.TrainingClassFactory())
    one = count()
    for _ in range(10):
        graduate(county_a, f.TrainingClassFactory())
    assert count() == one


def test_training_rosters_do_not_import(county_a):
    assert not rosters.get(TRAINEES).importable and not rosters.get(GRADUATES).importable
    report = rosters.import_file(rosters.get(TRAINEES), io.BytesIO(b"x"), staff(county_a))
    assert not report.ok


def test_trainee_roster_from_the_admin_changelist(county_a, client):
    graduate(county_a, f.TrainingClassFactory())
    client.force_login(staff(county_a))
    url = reverse("admin:training_enrolment_roster_export", args=[TRAINEES])
    assert url in client.get(reverse("admin:training_enrolment_changelist")).content.decode()
    assert client.get(url).status_code == 200


# --- 调训名单 import --------------------------------------------------------------------------------
def sending_list(*cadres, extra=()):
    """A county's list as it comes: a title row, then 序号, 姓名, 单位, 公民身份号码."""
    rows = [["2026年县处级领导干部进修班调训名单"], ["序号", "姓　名", "单位", "身份证号码"]]
    rows += [[i, c.name, c.unit.name, c.id_number] for i, c in enumerate(cadres, 1)]
    return workbook([*rows, *extra])


def test_a_good_list_enrols_every_cadre_with_history(county_a):
    user = staff(county_a)
    training_class = f.TrainingClassFactory()
    cadres = [f.CadreFactory(unit=county_a) for _ in range(3)]
    report = import_enrolment_list(training_class, sending_list(*cadres), user, dry_run=False)
    assert report.ok and report.written, report.as_text()
    assert report.counts()["new"] == 3
    assert report.ignored_columns == ["单位"]
    enrolments = Enrolment.objects.filter(training_class=training_class)
    assert {e.cadre_id for e in enrolments} == {c.pk for c in cadres}
    assert {e.status for e in enrolments} == {"applied"}
    assert all(e.history.latest().history_user == user for e in enrolments)


def test_dry_run_writes_nothing(county_a):
    training_class = f.TrainingClassFactory()
    cadre = f.CadreFactory(unit=county_a)
    report = import_enrolment_list(training_class, sending_list(cadre), staff(county_a))
    assert report.ok and not report.written
    assert report.rows[0].label == f"{cadre.name}（{county_a.name}）"
    assert not Enrolment.objects.exists()
    assert not Enrolment.history.exists()


def test_one_bad_row_writes_nothing_and_every_problem_is_reported(county_a, county_b):
    training_class = f.TrainingClassFactory()
    good = f.CadreFactory(unit=county_a)
    retired = f.CadreFactory(unit=county_a, status=codes.CadreStatus.RETIRED)
    enrolled = f.EnrolmentFactory(cadre__unit=county_a, training_class=training_class).cadre
    elsewhere = f.CadreFactory(unit=county_b)
    misnamed = f.CadreFactory(unit=county_a, name="王强")
    extra = [
        [6, good.name, "", f" {good.id_number.lower()} "],  # twice (spaces, a lower-case x: the same)
        [7, "李四", "", ""],
        [8, "王刚", "", misnamed.id_number],
    ]
    file = sending_list(good, retired, enrolled, elsewhere, extra=extra)
    report = import_enrolment_list(training_class, file, staff(county_a), dry_run=False)
    assert not report.ok and not report.written
    problems = {(e.row, e.column): e.message for e in report.errors}
    assert (3, "公民身份号码") not in problems  # the good row itself is fine
    assert "退休" in problems[(4, "公民身份号码")]
    assert "已报名" in problems[(5, "公民身份号码")]
    assert problems[(6, "公民身份号码")] == "找不到该公民身份号码的干部，或不在您的管辖范围内"
    assert problems[(7, "公民身份号码")] == "与第3行重复"
    assert problems[(8, "公民身份号码")] == "必须填写"
    assert problems[(9, "姓名")] == "与该公民身份号码的干部姓名（王强）不符"
    assert Enrolment.objects.filter(training_class=training_class).count() == 1  # the one there before


def test_duplicate_rows_are_reported(county_a):
    cadre = f.CadreFactory(unit=county_a)
    report = import_enrolment_list(f.TrainingClassFactory(), sending_list(cadre, cadre), staff(county_a))
    assert [(e.row, e.message) for e in report.errors] == [(4, "与第3行重复")]


def test_unknown_number_and_number_outside_jurisdiction_read_alike(county_a, county_b):
    outside = f.CadreFactory(unit=county_b)
    unknown = f.CadreFactory.build(unit=county_a)
    report = import_enrolment_list(f.TrainingClassFactory(), sending_list(outside, unknown), staff(county_a))
    first, second = (e.message for e in report.errors)
    assert first == second


def test_a_file_without_id_column_or_not_xlsx_is_a_file_error(county_a):
    user, training_class = staff(county_a), f.TrainingClassFactory()
    report = import_enrolment_list(training_class, workbook([["姓名"], ["张三"]]), user)
    assert "公民身份号码" in report.file_errors[0]
    assert import_enrolment_list(training_class, io.BytesIO(b"not a workbook"), user).file_errors


# --- API and admin ------------------------------------------------------------------------------------
def import_url(training_class):
    return reverse("training-class-import-enrolments-list", kwargs={"class_pk": training_class.pk})


def test_api_import_dry_run_by_default_then_written(county_a, api):
    training_class, cadre = f.TrainingClassFactory(), f.CadreFactory(unit=county_a)
    client = api.as_user(staff(county_a))
    url = import_url(training_class)
    assert url == f"/api/v1/training-classes/{training_class.pk}/import-enrolments/"
    dry = client.post(url, {"file": sending_list(cadre)}, format="multipart")
    assert dry.status_code == 200 and dry.data["written"] is False
    assert not Enrolment.objects.exists()
    done = client.post(url, {"file": sending_list(cadre), "dry_run": "false"}, format="multipart")
    assert done.status_code == 200 and done.data["written"] is True
    assert Enrolment.objects.get().cadre == cadre


def test_api_import_answers_400_with_the_report(county_a, api):
    client = api.as_user(staff(county_a))
    bad = workbook([["姓名", "公民身份号码"], ["张三", "110105199001011234"]])
    response = client.post(import_url(f.TrainingClassFactory()), {"file": bad}, format="multipart")
    assert response.status_code == 400
    assert response.data["rows"][0]["errors"][0]["column"] == "公民身份号码"


def test_api_error_workbook_marks_the_bad_id_number(county_a, api):
    client = api.as_user(staff(county_a))
    bad = workbook([["姓名", "公民身份号码"], ["张三", "110105199001011234"]])
    url = reverse("training-class-import-enrolments-errors", kwargs={"class_pk": f.TrainingClassFactory().pk})
    response = client.post(url, {"file": bad}, format="multipart")
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).worksheets[0]
    assert sheet.cell(1, 3).value == "错误说明" and "公民身份号码" in sheet.cell(2, 3).value
    assert sheet.cell(2, 2).fill.fgColor.rgb.endswith("FFC7CE")


def test_api_import_needs_add_enrolment_and_a_class(county_a, api):
    cadre = f.CadreFactory(unit=county_a)
    viewer = f.UserFactory(perms=["training.view_enrolment"], units=[county_a])
    url = import_url(f.TrainingClassFactory())
    assert api.as_user(viewer).post(url, {"file": sending_list(cadre)}, format="multipart").status_code == 403
    missing = reverse("training-class-import-enrolments-list", kwargs={"class_pk": 999999})
    response = api.as_user(staff(county_a)).post(missing, {"file": sending_list(cadre)}, format="multipart")
    assert response.status_code == 404


def test_admin_upload_preview_then_confirm(county_a, client):
    training_class, cadre = f.TrainingClassFactory(), f.CadreFactory(unit=county_a)
    user = f.UserFactory(perms=[*PERMS, "training.view_trainingclass"], units=[county_a])
    client.force_login(user)
    url = reverse("admin:training_trainingclass_import_enrolments", args=[training_class.pk])
    change = client.get(reverse("admin:training_trainingclass_change", args=[training_class.pk]))
    assert url in change.content.decode()
    preview = client.post(url, {"file": sending_list(cadre)})
    assert preview.status_code == 200 and "确认导入" in preview.content.decode()
    assert not Enrolment.objects.exists()
    token = preview.context["token"]
    confirmed = client.post(url, {"confirm": "1", "token": token})
    assert "已全部写入" in confirmed.content.decode()
    assert Enrolment.objects.get().cadre == cadre


def test_admin_list_previewed_on_one_class_is_not_confirmed_on_another(county_a, client):
    training_class, other, cadre = (
        f.TrainingClassFactory(),
        f.TrainingClassFactory(),
        f.CadreFactory(unit=county_a),
    )
    client.force_login(f.UserFactory(perms=[*PERMS, "training.view_trainingclass"], units=[county_a]))
    url = reverse("admin:training_trainingclass_import_enrolments", args=[training_class.pk])
    token = client.post(url, {"file": sending_list(cadre)}).context["token"]
    elsewhere = reverse("admin:training_trainingclass_import_enrolments", args=[other.pk])
    response = client.post(elsewhere, {"confirm": "1", "token": token})
    assert response.status_code == 302 and not Enrolment.objects.exists()
    assert "已全部写入" in client.post(url, {"confirm": "1", "token": token}).content.decode()


def test_api_exports_the_trainee_roster_and_the_graduates_of_what_the_list_shows(county_a, county_b, api):
    training_class = f.TrainingClassFactory()
    mine = graduate(county_a, training_class)
    graduate(county_b, training_class)
    applied = f.EnrolmentFactory(cadre__unit=county_a, training_class=training_class)
    client = api.as_user(staff(county_a))
    url = reverse("enrolment-list")

    def names(response):
        assert response.status_code == 200, response.content[:300]
        assert response["Content-Type"].startswith("application/vnd.openxmlformats")
        sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).worksheets[0]
        return {row[1] for row in sheet.iter_rows(min_row=3, values_only=True)}

    assert names(client.get(url, {"format": "xlsx"})) == {mine.cadre.name, applied.cadre.name}
    graduates = client.get(url, {"format": "xlsx", "roster": GRADUATES})
    assert names(graduates) == {mine.cadre.name}


def test_the_class_page_links_the_list_import_and_the_selection_assistant(client, superuser):
    training_class = f.TrainingClassFactory()
    client.force_login(superuser)
    page = client.get(
        reverse("admin:training_trainingclass_change", args=[training_class.pk])
    ).content.decode()
    assert "导入调训名单…" in page
    assert reverse("admin:training_candidates", args=[training_class.pk]) in page
