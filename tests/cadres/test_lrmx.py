""".lrmx (干部任免审批表 exchange file): export of a cadre or case, import of files and zips with the
quirks of LRMX.md, all-or-nothing, jurisdiction, the round trip, the commands."""

import base64
import codecs
import datetime
import io
import zipfile

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from cadres import lrmx
from cadres.demo import id_number_for
from cadres.models import AnnualAssessment, Cadre, FamilyMember, ResumeEntry, Reward
from orgportal import access, codes
from orgportal.models import ExportLog
from tests import factories as f

pytestmark = pytest.mark.django_db
D = datetime.date
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 60 + b"\xff\xd9"
MALE_1972 = id_number_for(7, D(1972, 4, 1), "1")
RESUME = (
    "1991.07--1995.07  贵州大学法律系法学专业学习\r\n"
    "1995.07--2008.09  甲县司法局科员\r\n"
    "201207--201606  甲县司法局副局长\r\n"
    "      （其间：2008.09--2011.07在贵州大学在职研究生学习，获法学硕士学位）\r\n"
    "2016.06—         甲县司法局局长\r\n"
)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def lrmx_file(**values) -> bytes:
    """A .lrmx as the official editor writes one: BOM, whitespace-only empty fields, CRLF resume."""
    fields = {
        "XingMing": "张三",
        "XingBie": "男",
        "ChuShengNianYue": "197204",
        "MinZu": "汉族",
        "JiGuan": "贵州遵义",
        "ChuShengDi": "贵州遵义",
        "RuDangShiJian": "199406",
        "CanJiaGongZuoShiJian": "199507",
        "JianKangZhuangKuang": "健康",
        "ZhuanYeJiShuZhiWu": "\n    ",
        "ShuXiZhuanYeYouHeZhuanChang": "法律",
        "QuanRiZhiJiaoYu_XueLi": "大学",
        "QuanRiZhiJiaoYu_XueWei": "法学学士",
        "QuanRiZhiJiaoYu_XueLi_BiYeYuanXiaoXi": "贵州大学法律系法学专业",
        "QuanRiZhiJiaoYu_XueWei_BiYeYuanXiaoXi": "贵州大学法律系法学专业",
        "ZaiZhiJiaoYu_XueLi": "研究生",
        "ZaiZhiJiaoYu_XueWei": "法学硕士",
        "ZaiZhiJiaoYu_XueLi_BiYeYuanXiaoXi": "贵州大学法学院法律专业",
        "ZaiZhiJiaoYu_XueWei_BiYeYuanXiaoXi": "贵州大学法学院法律专业",
        "XianRenZhiWu": "甲县司法局局长",
        "NiRenZhiWu": "甲县人民政府副县长",
        "NiMianZhiWu": "甲县司法局局长",
        "JianLi": RESUME,
        "JiangChengQingKuang": "2018.12  被评为全省优秀公务员\n2020.06  荣立个人三等功",
        "NianDuKaoHeJieGuo": "2021年度、2022年度考核均为称职；2023年度考核为优秀。",
        "RenMianLiYou": "工作需要",
        "ChengBaoDanWei": "中共甲县委员会",
        "JiSuanNianLingShiJian": "20240301",
        "TianBiaoShiJian": "202403",
        "TianBiaoRen": "李四",
        "ShenFenZheng": MALE_1972,
        "ZhaoPian": base64.b64encode(JPEG).decode(),
        "DaoLingNianYue": "203204",  # an element newer tools add: ignored
        "Version": "3.2.1.16",
    }
    family = values.pop("family", None)
    fields.update(values)
    items = (
        family
        if family is not None
        else [
            ("妻子", "王芳", "197405", "中共党员", "甲县第一中学教师"),
            ("父亲", "张大山", "194503", "群众", "已去世"),
        ]
    )
    parts = [f"<{k}>{v}</{k}>" for k, v in fields.items() if v is not None]
    members = "".join(
        "<Item><ChengWei>{}</ChengWei><XingMing>{}</XingMing><ChuShengRiQi>{}</ChuShengRiQi>"
        "<ZhengZhiMianMao>{}</ZhengZhiMianMao><GongZuoDanWeiJiZhiWu>{}</GongZuoDanWeiJiZhiWu></Item>".format(
            *m
        )
        for m in items
    )
    parts.insert(23, f"<JiaTingChengYuan>{members}\n  </JiaTingChengYuan>")
    text = '<?xml version="1.0" encoding="UTF-8"?>\n<Person>\n' + "\n".join(parts) + "\n</Person>\n"
    return codecs.BOM_UTF8 + text.encode("utf-8")


def second_file() -> bytes:
    return lrmx_file(XingMing="李娜", XingBie="女", ShenFenZheng=id_number_for(3, D(1972, 4, 1), "2"))


def zipped(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def writer(*units, sensitive=True):
    perms = ["cadres.view_cadre", "cadres.add_cadre", "cadres.change_cadre", "cadres.view_appointmentcase"]
    return f.UserFactory(perms=perms + ([access.VIEW_SENSITIVE] if sensitive else []), units=list(units))


def run(files, user, unit=None, dry_run=False):
    return lrmx.import_files(list(files.items()), user, unit=unit, dry_run=dry_run)


def errors(report):
    return {(e.column.split("（")[0], e.message) for e in report.errors}


# --- import: a file as the editor writes it ------------------------------------------------------
def test_import_creates_the_cadre_with_every_part(county_a, city):
    report = run({"张三.lrmx": lrmx_file()}, writer(city), unit=county_a)
    assert report.ok and report.written, lrmx.report_text(report)
    cadre = Cadre.objects.get(id_number=MALE_1972)
    assert (cadre.name, cadre.gender, cadre.birth_date, cadre.ethnicity) == ("张三", "1", D(1972, 4, 1), "01")
    assert cadre.political_status == "01" and cadre.party_join_date == D(1994, 6, 1)
    assert (cadre.ft_education, cadre.ft_degree, cadre.pt_education, cadre.pt_degree) == (
        "21",
        "4",
        "14",
        "3",
    )
    assert cadre.ft_school == "贵州大学法律系法学专业" and cadre.professional_title == ""  # whitespace-only
    assert cadre.unit == county_a and cadre.post == "司法局局长"  # the unit's name is not repeated
    assert cadre.photo.read() == JPEG
    assert [(a.year, a.result) for a in cadre.assessments.order_by("year")] == [
        (2021, "competent"),
        (2022, "competent"),
        (2023, "excellent"),
    ]
    assert sorted(cadre.rewards.values_list("date", "name")) == [
        (D(2018, 12, 1), "被评为全省优秀公务员"),
        (D(2020, 6, 1), "荣立个人三等功"),
    ]
    assert cadre.note == ""  # everything became records


def test_resume_lines_six_digit_dates_dashes_and_continuations(county_a, city):
    run({"a.lrmx": lrmx_file()}, writer(city), unit=county_a)
    entries = list(ResumeEntry.objects.order_by("start"))
    assert [(e.start, e.end) for e in entries] == [
        (D(1991, 7, 1), D(1995, 7, 1)),
        (D(1995, 7, 1), D(2008, 9, 1)),
        (D(2012, 7, 1), D(2016, 6, 1)),  # 201207--201606
        (D(2016, 6, 1), None),  # `—` and the open entry
    ]
    assert (
        entries[2].text
        == "甲县司法局副局长\n（其间：2008.09--2011.07在贵州大学在职研究生学习，获法学硕士学位）"
    )
    assert entries[3].text == "甲县司法局局长"


def test_family_members_with_their_birth_months(county_a, city):
    run({"a.lrmx": lrmx_file()}, writer(city), unit=county_a)
    members = list(
        FamilyMember.objects.order_by("id").values_list("relation", "name", "birth_date", "political_status")
    )
    assert members == [("妻子", "王芳", D(1974, 5, 1), "01"), ("父亲", "张大山", D(1945, 3, 1), "13")]


def test_party_join_with_a_democratic_party(county_a, city):
    run({"a.lrmx": lrmx_file(RuDangShiJian="200108；民建")}, writer(city), unit=county_a)
    cadre = Cadre.objects.get()
    assert cadre.party_join_date == D(2001, 8, 1) and cadre.political_status == "01"
    assert "民主党派：民建" in cadre.note
    assert lrmx.document(cadre, user=writer(city))["RuDangShiJian"] == "200108；民建"


def test_democratic_party_alone_and_empty(county_a, city):
    report = run(
        {
            "a.lrmx": lrmx_file(RuDangShiJian="民盟"),
            "b.lrmx": lrmx_file(
                RuDangShiJian="  ", ShenFenZheng=id_number_for(8, D(1972, 4, 1), "1"), XingMing="李五"
            ),
        },
        writer(city),
        unit=county_a,
    )
    assert report.written, lrmx.report_text(report)
    assert dict(Cadre.objects.values_list("name", "political_status")) == {"张三": "05", "李五": "13"}


def test_file_without_id_number_matches_by_name_and_birth_month_in_the_unit(county_a, city):
    existing = f.CadreFactory(unit=county_a, name="张三", birth_date=D(1972, 4, 1), gender="1", id_number="")
    report = run({"old.lrmx": lrmx_file(ShenFenZheng=None, Version="3.2.1.6")}, writer(city), unit=county_a)
    assert report.written, lrmx.report_text(report)
    assert report.rows[0].outcome == "update" and "按姓名和出生年月" in report.rows[0].matched_by
    assert Cadre.objects.get().pk == existing.pk


def test_updates_the_cadre_matched_by_id_number(county_a, city):
    cadre = f.CadreFactory(unit=county_a, id_number=MALE_1972, birth_date=D(1972, 4, 1), gender="1")
    f.ResumeEntryFactory(cadre=cadre)
    report = run({"a.lrmx": lrmx_file()}, writer(city), unit=None)
    assert report.written and report.rows[0].outcome == "update", lrmx.report_text(report)
    assert Cadre.objects.count() == 1 and cadre.resume.count() == 4
    assert any(label == "姓名" for label, _old, _new in report.rows[0].changes)


def test_updating_a_cadre_on_record_needs_the_change_permission(county_a, city):
    cadre = f.CadreFactory(unit=county_a, id_number=MALE_1972, birth_date=D(1972, 4, 1), gender="1")
    adder = f.UserFactory(
        perms=["cadres.view_cadre", "cadres.add_cadre", access.VIEW_SENSITIVE], units=[city]
    )
    report = run({"a.lrmx": lrmx_file()}, adder)
    assert not report.written
    assert ("公民身份号码", "已有该记录，您没有修改已有记录的权限") in errors(report)
    cadre.refresh_from_db()
    assert cadre.resume.count() == 0


@pytest.mark.parametrize("damage", ["truncated", "crc"])
def test_a_damaged_zip_is_a_file_error_not_a_crash(county_a, city, damage):
    data = zipped({"a.lrmx": lrmx_file(), "b.lrmx": second_file()})
    if damage == "truncated":
        data = data[: len(data) // 2] + data[-22:]  # the central directory survives, a member does not
    else:
        start = data.index(b"<Person>")
        data = data[:start] + b"X" + data[start + 1 :]  # stored, not compressed: the CRC no longer matches
    report = run({"upload.zip": data}, writer(city), unit=county_a)
    assert not report.written and not Cadre.objects.exists()
    assert report.errors or report.file_errors


def test_text_that_does_not_parse_is_kept_and_exported_again(county_a, city):
    text = "2019年度考核为优秀，2020年度因病未参加考核。"
    run(
        {"a.lrmx": lrmx_file(NianDuKaoHeJieGuo=text, JiangChengQingKuang="2015年被评为优秀党员")},
        writer(city),
        unit=county_a,
    )
    cadre = Cadre.objects.get()
    assert not AnnualAssessment.objects.exists() and not Reward.objects.exists()
    values = lrmx.document(cadre, user=writer(city))
    assert values["NianDuKaoHeJieGuo"] == text and values["JiangChengQingKuang"] == "2015年被评为优秀党员"


def test_an_unmatched_discipline_line_is_kept_as_sensitive_text(county_a, city, api):
    run(
        {"a.lrmx": lrmx_file(JiangChengQingKuang="2021.05  受到党内严重警告处分")},
        writer(city),
        unit=county_a,
    )
    cadre = Cadre.objects.get()
    assert "严重警告" in cadre.form_text and "严重警告" not in cadre.note
    from cadres import approval_form

    assert "严重警告" in approval_form.compose(cadre, user=writer(city)).rewards
    reader = writer(city, sensitive=False)
    assert "严重警告" not in approval_form.compose(cadre, user=reader).rewards
    shown = api.as_user(reader).get(reverse("cadre-detail", args=[cadre.pk])).data
    assert "严重警告" not in str(shown)


def test_zip_of_several_files(county_a, city):
    second = second_file()
    data = zipped({"张三.lrmx": lrmx_file(), "李娜.lrmx": second, "说明.txt": b"ignored"})
    report = run({"batch.zip": data}, writer(city), unit=county_a)
    assert report.written, lrmx.report_text(report)
    assert [r.file for r in report.rows] == ["张三.lrmx", "李娜.lrmx"]
    assert Cadre.objects.count() == 2


@pytest.mark.parametrize(
    ("bad", "element", "message"),
    [
        (b"<Person><XingMing>x</Person>", "文件", "不是有效的 XML"),
        (
            lrmx_file(ShenFenZheng=MALE_1972[:-1] + ("0" if MALE_1972[-1] != "0" else "1")),
            "公民身份号码",
            "校验",
        ),
        (lrmx_file(MinZu="火星族"), "民族", ""),
        (lrmx_file(ChuShengNianYue="1972年4月"), "出生年月", "YYYYMM"),
    ],
)
def test_a_bad_file_refuses_the_whole_upload(county_a, city, bad, element, message):
    good = second_file()
    report = run({"batch.zip": zipped({"good.lrmx": good, "bad.lrmx": bad})}, writer(city), unit=county_a)
    assert not report.ok and not report.written
    assert report.rows[0].outcome == "new" and report.rows[1].outcome == "error"
    assert any(column == element and message in text for column, text in errors(report)), errors(report)
    assert not Cadre.objects.exists() and not ResumeEntry.objects.exists()


def test_dry_run_writes_nothing(county_a, city):
    report = run({"a.lrmx": lrmx_file()}, writer(city), unit=county_a, dry_run=True)
    assert report.ok and not report.written and report.rows[0].changes
    assert not Cadre.objects.exists()


def test_county_user_cannot_import_into_another_county(county_a, county_b):
    user = writer(county_a)
    report = run({"a.lrmx": lrmx_file()}, user, unit=county_b)
    assert report.file_errors == ["所选单位不在您的管辖范围内"] and not Cadre.objects.exists()
    other = f.CadreFactory(
        unit=county_b, name="王五", id_number=MALE_1972, birth_date=D(1972, 4, 1), gender="1"
    )
    report = run({"a.lrmx": lrmx_file()}, user, unit=county_a)
    assert ("公民身份号码", "该记录属于您管辖范围以外的单位") in errors(report)
    assert not report.written
    other.refresh_from_db()
    assert other.unit == county_b and other.name != "张三"


def test_model_rules_apply(county_a, city):
    report = run({"a.lrmx": lrmx_file(CanJiaGongZuoShiJian="197801")}, writer(city), unit=county_a)
    assert ("参加工作时间", "参加工作时间应在年满14周岁之后") in errors(report)
    report = run({"a.lrmx": lrmx_file(JianLi="2001.01--  甲\n2002.01--  乙")}, writer(city), unit=county_a)
    assert ("简历", "只能有一条“至今”的简历") in errors(report)


# --- export ---------------------------------------------------------------------------------------
def test_export_writes_the_official_layout(county_a, city):
    cadre = f.CadreFactory(unit=county_a, birth_date=D(1980, 5, 1), political_status="01", post="副局长")
    cadre.work_start_date, cadre.party_join_date = D(2002, 7, 1), D(2001, 6, 1)
    cadre.save()
    f.ResumeEntryFactory(cadre=cadre, start=D(2002, 7, 1), end=D(2010, 1, 1), text="甲县财政局科员")
    f.ResumeEntryFactory(cadre=cadre, start=D(2010, 1, 1), end=None, text="甲县财政局副局长\n（其间：进修）")
    f.AnnualAssessmentFactory(cadre=cadre, year=2021, result="competent")
    f.AnnualAssessmentFactory(cadre=cadre, year=2022, result="competent")
    f.AnnualAssessmentFactory(cadre=cadre, year=2023, result="excellent")
    f.FamilyMemberFactory(cadre=cadre, birth_date=D(1950, 2, 1))
    data = lrmx.export(cadre, user=writer(city), on=D(2024, 3, 1))
    assert data.startswith(codecs.BOM_UTF8)
    text = data.decode("utf-8-sig")
    assert (
        text.index("<XingMing>") < text.index("<XingBie>") < text.index("<JianLi>") < text.index("<Version>")
    )
    values = lrmx.parse(data)
    assert values["ChuShengNianYue"] == "198005" and values["CanJiaGongZuoShiJian"] == "200207"
    assert (
        values["JianLi"]
        == "2002.07--2010.01  甲县财政局科员\n2010.01--         甲县财政局副局长\n（其间：进修）"
    )
    assert values["NianDuKaoHeJieGuo"] == "2021年度、2022年度考核均为称职；2023年度考核为优秀。"
    assert values["JiangChengQingKuang"] == "无"
    assert values["JiaTingChengYuan"][0]["ChuShengRiQi"] == "195002"
    assert values["XianRenZhiWu"] == f"{county_a.name}副局长"
    assert values["ShenFenZheng"] == cadre.id_number and values["Version"] == "3.2.1.16"
    assert values["JiSuanNianLingShiJian"] == "20240301"
    log = ExportLog.objects.get()
    assert log.roster == "cadres.lrmx" and log.included_sensitive


def test_export_includes_sanctions_with_rewards(county_a, city):
    cadre = f.CadreFactory(unit=county_a)
    f.RewardFactory(cadre=cadre, date=D(2019, 12, 1), name="嘉奖")
    f.SanctionFactory(cadre=cadre, decided_on=D(2023, 5, 10), issuer="甲县监委")
    values = lrmx.document(cadre, user=writer(city))
    assert values["JiangChengQingKuang"] == "2019.12  嘉奖\n2023.05  受到政务记过（甲县监委）"


def test_case_export_fills_the_proposal(county_a, city, api):
    cadre = f.CadreFactory(unit=county_a)
    case = f.AppointmentCaseFactory(
        cadre=cadre,
        proposed_post="甲县人民政府副县长",
        removed_post="甲县财政局局长",
        reason="工作需要",
        submitting_unit=county_a,
    )
    response = api.as_user(writer(city)).get(f"/api/v1/appointment-cases/{case.pk}/lrmx/")
    assert response.status_code == 200 and response["Content-Disposition"].endswith(".lrmx")
    values = lrmx.parse(b"".join(response.streaming_content) if response.streaming else response.content)
    assert (
        values["NiRenZhiWu"],
        values["NiMianZhiWu"],
        values["RenMianLiYou"],
        values["ChengBaoDanWei"],
    ) == (
        "甲县人民政府副县长",
        "甲县财政局局长",
        "工作需要",
        county_a.name,
    )


def test_api_export_and_its_jurisdiction(county_a, county_b, api):
    mine, other = f.CadreFactory(unit=county_a), f.CadreFactory(unit=county_b)
    client = api.as_user(writer(county_a))
    assert client.get(f"/api/v1/cadres/{mine.pk}/lrmx/").status_code == 200
    assert client.get(f"/api/v1/cadres/{other.pk}/lrmx/").status_code == 404
    assert (
        api.as_user(writer(county_a, sensitive=False)).get(f"/api/v1/cadres/{mine.pk}/lrmx/").status_code
        == 403
    )


def test_admin_export_buttons_and_jurisdiction(client, county_a, county_b):
    mine, other = f.CadreFactory(unit=county_a), f.CadreFactory(unit=county_b)
    client.force_login(writer(county_a))
    page = client.get(reverse("admin:cadres_cadre_change", args=[mine.pk]))
    assert reverse("admin:cadres_cadre_lrmx", args=[mine.pk]) in page.content.decode()
    assert client.get(reverse("admin:cadres_cadre_lrmx", args=[mine.pk])).status_code == 200
    assert client.get(reverse("admin:cadres_cadre_lrmx", args=[other.pk])).status_code == 404


# --- round trip -------------------------------------------------------------------------------------
def test_round_trip_export_import_export(county_a, county_b, city):
    user = writer(city)
    run(
        {"a.lrmx": lrmx_file(RuDangShiJian="200108；民建", NianDuKaoHeJieGuo="2020年度因病未参加考核")},
        user,
        unit=county_a,
    )
    cadre = Cadre.objects.get()
    f.SanctionFactory(cadre=cadre, decided_on=D(2023, 5, 10))
    first = lrmx.export(cadre, user=user, on=D(2024, 3, 1))
    report = run({"again.lrmx": first}, user)
    assert report.written and report.rows[0].outcome == "unchanged", lrmx.report_text(report)
    cadre.refresh_from_db()
    assert lrmx.parse(lrmx.export(cadre, user=user, on=D(2024, 3, 1))) == lrmx.parse(first)
    # and into another database's worth: a fresh cadre elsewhere gives the same document
    Cadre.objects.all().delete()
    report = run({"again.lrmx": first}, user, unit=county_b)
    assert report.written, lrmx.report_text(report)
    fresh = Cadre.objects.get()
    assert lrmx.normalised(lrmx.parse(lrmx.export(fresh, user=user, on=D(2024, 3, 1)))) | {
        "XianRenZhiWu": ""
    } == lrmx.normalised(lrmx.parse(first)) | {"XianRenZhiWu": ""}


def test_round_trip_from_a_factory_cadre(county_a, city):
    user = writer(city)
    cadre = f.CadreFactory(unit=county_a)
    f.ResumeEntryFactory(cadre=cadre)
    f.FamilyMemberFactory(cadre=cadre)
    f.RewardFactory(cadre=cadre)
    first = lrmx.export(cadre, user=user, on=D(2024, 3, 1))
    Cadre.objects.all().delete()
    assert run({"a.lrmx": first}, user, unit=county_a).written
    again = lrmx.export(Cadre.objects.get(), user=user, on=D(2024, 3, 1))
    assert lrmx.normalised(lrmx.parse(again)) == lrmx.normalised(lrmx.parse(first))


# --- commands ---------------------------------------------------------------------------------------
def test_commands_and_exit_codes(county_a, city, tmp_path, superuser):
    source = tmp_path / "张三.lrmx"
    source.write_bytes(lrmx_file())
    call_command("import_lrmx", str(source), "--unit", str(county_a.pk), "--dry-run", stdout=io.StringIO())
    assert not Cadre.objects.exists()
    out = io.StringIO()
    call_command("import_lrmx", str(source), "--unit", str(county_a.pk), stdout=out)
    assert "新增 1" in out.getvalue() and Cadre.objects.count() == 1
    bad = tmp_path / "bad.lrmx"
    bad.write_bytes(lrmx_file(MinZu="火星族", ShenFenZheng=id_number_for(9, D(1972, 4, 1), "1")))
    with pytest.raises(CommandError):
        call_command("import_lrmx", str(bad), "--unit", str(county_a.pk), stdout=(report := io.StringIO()))
    assert "民族" in report.getvalue() and "未写入任何数据" in report.getvalue()
    target = tmp_path / "out.lrmx"
    cadre = Cadre.objects.get()
    call_command("export_lrmx", str(cadre.pk), str(target), stdout=io.StringIO())
    assert lrmx.parse(target.read_bytes())["ShenFenZheng"] == MALE_1972
    with pytest.raises(CommandError):
        call_command("export_lrmx", "999999", str(target), stdout=io.StringIO())


def test_admin_import_preview_then_confirm(client, county_a, city):
    client.force_login(writer(city))
    url = reverse("admin:cadres_cadre_lrmx_import")
    upload = io.BytesIO(lrmx_file())
    upload.name = "张三.lrmx"
    page = client.post(url, {"file": upload, "unit": county_a.pk})
    assert page.status_code == 200 and "张三" in page.content.decode() and not Cadre.objects.exists()
    token = page.context["token"]
    done = client.post(url, {"confirm": "1", "token": token})
    assert done.status_code == 200 and Cadre.objects.count() == 1


def test_user_without_sensitive_permission_updates_without_touching_masked_fields(county_a):
    cadre = f.CadreFactory(
        unit=county_a, id_number=MALE_1972, birth_date=D(1972, 4, 1), gender="1", health="良好"
    )
    report = run({"a.lrmx": lrmx_file(JianKangZhuangKuang="一般")}, writer(county_a, sensitive=False))
    assert report.written, lrmx.report_text(report)
    cadre.refresh_from_db()
    assert cadre.name == "张三" and cadre.health == "良好" and cadre.id_number == MALE_1972


OFFICIAL_FILES = {
    "with-id": {},
    "editor-3.0-no-id": {
        "ShenFenZheng": None,
        "Version": "3.2.1.6",
        "QuanRiZhiJiaoYu_XueWei": "经济学学士",
        "QuanRiZhiJiaoYu_XueWei_BiYeYuanXiaoXi": "",
        "ZaiZhiJiaoYu_XueWei": "管理学硕士",
        "ZaiZhiJiaoYu_XueLi_BiYeYuanXiaoXi": "中央党校经济管理专业",
        "ZaiZhiJiaoYu_XueWei_BiYeYuanXiaoXi": "",
        "XianRenZhiWu": "市教育局副局长",
    },
    "democratic-party": {
        "RuDangShiJian": "民盟",
        "XianRenZhiWu": "甲县人民政府副县长（兼）",
        "QuanRiZhiJiaoYu_XueLi": "大学本科",
        "family": [
            ("妻子", "王芳", "197405", "民盟盟员", "甲县第一中学教师"),
            ("母亲", "刘秀", "194808", "群众", "已故"),
        ],
    },
}


@pytest.mark.parametrize("shape", OFFICIAL_FILES)
def test_an_official_file_comes_back_element_by_element(shape, county_a, city):
    user = writer(city)
    source = lrmx_file(**OFFICIAL_FILES[shape])
    report = run({"a.lrmx": source}, user, unit=county_a)
    assert report.written, lrmx.report_text(report)
    cadre = Cadre.objects.get()
    exported = lrmx.parse(lrmx.export(cadre, user=user, on=D(2024, 3, 1)))
    written = lrmx.parse(source)
    differ = {
        name: (written.get(name, ""), exported.get(name, ""))
        for name in lrmx.normalised(written)
        if name != "Version"  # the writer's own version
        and lrmx.normalised(written)[name] != lrmx.normalised(exported)[name]
    }
    assert not differ, differ
    again = run(
        {"again.lrmx": lrmx.export(cadre, user=user, on=D(2024, 3, 1))}, user, unit=county_a, dry_run=True
    )
    assert again.rows[0].outcome == "unchanged", lrmx.report_text(again)


def test_a_cadres_own_export_reimports_with_no_change_even_when_its_post_names_the_unit(county_a, city):
    user = writer(city)
    cadre = f.CadreFactory(unit=county_a, post=f"{county_a.name}教育局副局长")
    f.ResumeEntryFactory(cadre=cadre)
    report = run({"own.lrmx": lrmx.export(cadre, user=user)}, user, dry_run=True)
    assert report.rows[0].outcome == "unchanged", lrmx.report_text(report)
    history = cadre.history.count()
    report = run({"own.lrmx": lrmx.export(cadre, user=user)}, user)
    cadre.refresh_from_db()
    assert cadre.post == f"{county_a.name}教育局副局长"
    assert cadre.history.count() == history  # nothing written, not even a history row


def test_the_record_edited_after_an_import_wins_over_the_files_text(county_a, city):
    user = writer(city)
    run({"a.lrmx": lrmx_file(QuanRiZhiJiaoYu_XueWei="经济学学士")}, user, unit=county_a)
    cadre = Cadre.objects.get()
    assert lrmx.document(cadre, user=user)["QuanRiZhiJiaoYu_XueWei"] == "经济学学士"
    assert cadre.ft_degree == codes.Degree.BACHELOR  # the code, for queries
    cadre.ft_degree = codes.Degree.MASTER
    cadre.save()
    assert lrmx.document(cadre, user=user)["QuanRiZhiJiaoYu_XueWei"] == "硕士"
