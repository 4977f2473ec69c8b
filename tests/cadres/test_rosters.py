"""Excel rosters through the kernel's engine, with the cadres app's declarations: export and import,
round trip, messy files, all-or-nothing, formula safety, jurisdiction, masking, query counts."""

import datetime
import io
import shutil
import subprocess

import openpyxl
import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cadres.models import Cadre
from orgportal import access, rosters
from orgportal.models import ExportLog
from tests import factories as f
from tests.sheets import workbook

pytestmark = pytest.mark.django_db
D = datetime.date
STANDARD = "cadres.standard"


def export_rows(roster, queryset, user):
    buffer = io.BytesIO()
    rosters.export(rosters.get(roster), queryset, user, buffer)
    buffer.seek(0)
    sheet = openpyxl.load_workbook(buffer).worksheets[0]
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def city_user(city):
    return f.UserFactory(
        perms=["cadres.view_cadre", "cadres.add_cadre", "cadres.change_cadre", access.VIEW_SENSITIVE],
        units=[city],
    )


# --- export -----------------------------------------------------------------------------------------
def test_export_has_title_header_serial_numbers_and_department_formats(county_a, city):
    cadre = f.CadreFactory(
        unit=county_a,
        birth_date=D(1985, 3, 1),
        id_number="",
        gender="1",
        ethnicity="03",
        political_status="01",
    )
    rows = export_rows(STANDARD, Cadre.objects.all(), city_user(city))
    assert rows[0][0].startswith("干部花名册")
    header = rows[1]
    assert header[:4] == ["序号", "姓名", "性别", "出生年月"]
    data = dict(zip(header, rows[2], strict=False))
    assert data["序号"] == 1 and data["姓名"] == cadre.name
    assert data["出生年月"] == "1985.03" and data["民族"] == "回族" and data["政治面貌"] == "中国共产党党员"
    assert data["工作单位"] == county_a.name and data["年龄"] == cadre.age


def test_id_numbers_are_text_and_masked_without_permission(county_a, city):
    cadre = f.CadreFactory(unit=county_a)
    full = export_rows(STANDARD, Cadre.objects.all(), city_user(city))
    column = full[1].index("公民身份号码")
    assert full[2][column] == cadre.id_number  # a string, not 5.2e17
    county = f.UserFactory(perms=["cadres.view_cadre"], units=[county_a])
    masked = export_rows(STANDARD, Cadre.objects.all(), county)
    assert masked[2][column] == access.mask(cadre.id_number)


def test_export_keeps_to_the_jurisdiction_and_is_logged(county_a, county_b):
    mine, theirs = f.CadreFactory(unit=county_a), f.CadreFactory(unit=county_b)
    user = f.UserFactory(perms=["cadres.view_cadre"], units=[county_a])
    names = [row[1] for row in export_rows(STANDARD, Cadre.objects.all(), user)[2:]]
    assert names == [mine.name] and theirs.name not in names
    log = ExportLog.objects.get()
    assert (log.user, log.roster, log.row_count, log.included_sensitive) == (user, STANDARD, 1, False)


def test_formula_like_values_are_written_as_text(county_a, city):
    f.CadreFactory(unit=county_a, note='=HYPERLINK("http://x")', expertise="+1 熟悉财务")
    buffer = io.BytesIO()
    rosters.export(rosters.get(STANDARD), Cadre.objects.all(), city_user(city), buffer)
    buffer.seek(0)
    sheet = openpyxl.load_workbook(buffer).worksheets[0]
    cells = {c.value: c.data_type for row in sheet.iter_rows(min_row=3) for c in row if c.value}
    assert cells['=HYPERLINK("http://x")'] == "s" and cells["+1 熟悉财务"] == "s"


def test_export_query_count_is_the_same_for_10_and_1000_rows(county_a, city):
    user = city_user(city)
    Cadre.objects.bulk_create(f.CadreFactory.build_batch(10, unit=county_a))

    def count():
        with CaptureQueriesContext(connection) as ctx:
            rosters.export(rosters.get(STANDARD), Cadre.objects.all(), access_fresh(user), io.BytesIO())
        return len(ctx.captured_queries)

    ten = count()
    Cadre.objects.bulk_create(f.CadreFactory.build_batch(990, unit=county_a))
    assert count() == ten


def access_fresh(user):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(pk=user.pk)


def test_pool_roster_exports_members(county_a, city):
    member = f.PoolMembershipFactory(cadre__unit=county_a)
    rows = export_rows("cadres.pool", member.__class__.objects.all(), city_user(city))
    assert rows[2][1] == member.cadre.name and "培养层级" in rows[1]


@pytest.mark.skipif(not shutil.which("libreoffice"), reason="LibreOffice is not installed here")
def test_libreoffice_reads_the_export(county_a, city, tmp_path):
    cadre = f.CadreFactory(unit=county_a)
    target = tmp_path / "roster.xlsx"
    rosters.export(rosters.get(STANDARD), Cadre.objects.all(), city_user(city), str(target))
    subprocess.run(
        # the CSV filter's options: comma, double quote, UTF-8 (76) — its default charset turns 汉字 into ?
        [
            "libreoffice",
            "--headless",
            "--convert-to",
            "csv:Text - txt - csv (StarCalc):44,34,76",
            "--outdir",
            str(tmp_path),
            str(target),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    assert cadre.name in (tmp_path / "roster.csv").read_text(encoding="utf-8", errors="replace")


# --- import -----------------------------------------------------------------------------------------
def test_round_trip_leaves_the_data_equal(county_a, city):
    for _ in range(5):
        f.CadreFactory(unit=county_a)
    user = city_user(city)
    before = list(Cadre.objects.order_by("pk").values())
    buffer = io.BytesIO()
    rosters.export(rosters.get(STANDARD), Cadre.objects.all(), user, buffer)
    buffer.seek(0)
    report = rosters.import_file(rosters.get(STANDARD), buffer, user, dry_run=False)
    assert report.ok, report.as_text()
    assert report.counts()["unchanged"] == 5
    assert list(Cadre.objects.order_by("pk").values()) == before


def test_an_edited_roster_updates_and_records_history(county_a, city):
    cadre = f.CadreFactory(unit=county_a)
    user = city_user(city)
    rows = export_rows(STANDARD, Cadre.objects.all(), user)
    rows[2][rows[1].index("现任职务")] = "县委常委、组织部部长"
    report = rosters.import_file(rosters.get(STANDARD), workbook(rows), user, dry_run=False)
    assert report.counts()["update"] == 1, report.as_text()
    cadre.refresh_from_db()
    assert cadre.post == "县委常委、组织部部长"
    assert cadre.history.latest().history_user == user


MESSY_HEADER = [
    ["遵义市红花岗区干部花名册（2026年11月）"],
    ["填报单位：红花岗区委组织部", None, None, "填报日期：2026.11.25"],
    [
        "序号",
        "姓　名",
        "性 别",
        "出生年月",
        "民族",
        "公民身份号码",
        "政治面貌",
        "全日制教育",
        None,
        "工作单位",
        "现任职务",
        "任现职时间",
        "备用列",
    ],
    [None, None, None, None, None, None, None, "学历", "学位", None, None, None, None],
]


def messy_rows(unit_name):
    return [
        *MESSY_HEADER,
        [
            1,
            "张三 ",
            "男",
            "1985.03",
            "汉",
            "52030219850315001x".upper()[:17] + "7",
            "中共党员",
            "大学",
            "学士",
            unit_name,
            "局长",
            "2019-06-01",
            "x",
        ],
        [
            2,
            "李梅",
            "女",
            "1990.3",
            "回",
            "520302199003150028",
            "群众",
            "研究生",
            "硕士",
            unit_name,
            "科员",
            "2020年3月",
            None,
        ],
        [
            3,
            "王五",
            "男",
            "198805",
            "汉族",
            "520302198805150016",
            "中国共产党党员",
            "本科",
            "",
            unit_name,
            "副局长",
            datetime.datetime(2021, 1, 1),
            None,
        ],
        [
            4,
            "赵六",
            "男",
            "1980年1月",
            "土家",
            "520302198001150010",
            "共青团员",
            "大专",
            "",
            unit_name,
            "股长",
            "2015.07.01",
            None,
        ],
        [None] * 13,
        ["注：本表由各单位组织部门填报"],
        [None] * 13,
    ]


def id_number(base17: str) -> str:
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    return base17 + "10X98765432"[sum(int(a) * b for a, b in zip(base17, weights, strict=True)) % 11]


def test_a_messy_file_imports_whole(county_a, city):
    rows = messy_rows(county_a.name)
    for row, base in zip(
        rows[4:8],
        ["52030219850315001", "52030219900315002", "52030219880515001", "52030219800115001"],
        strict=True,
    ):
        row[5] = id_number(base).lower() if row[1] == "张三 " else id_number(base)
    user = city_user(city)
    report = rosters.import_file(rosters.get(STANDARD), workbook(rows), user, dry_run=False)
    assert report.ok, report.as_text()
    assert report.counts()["new"] == 4 and report.ignored_columns == ["备用列"]
    zhang = Cadre.objects.get(name="张三")
    assert zhang.id_number.endswith(id_number("52030219850315001")[-1].upper())
    assert (zhang.birth_date, zhang.ethnicity, zhang.political_status) == (D(1985, 3, 1), "01", "01")
    assert (zhang.ft_education, zhang.ft_degree, zhang.post_since) == ("21", "4", D(2019, 6, 1))
    li = Cadre.objects.get(name="李梅")
    assert (li.ethnicity, li.political_status, li.ft_education, li.birth_date) == (
        "03",
        "13",
        "14",
        D(1990, 3, 1),
    )
    assert Cadre.objects.get(name="王五").post_since == D(2021, 1, 1)
    assert Cadre.objects.get(name="赵六").ethnicity == "15"


def test_one_bad_row_in_the_middle_writes_nothing_and_is_reported(county_a, city):
    rows = messy_rows(county_a.name)
    for row, base in zip(
        rows[4:8],
        ["52030219850315001", "52030219900315002", "52030219880515001", "52030219800115001"],
        strict=True,
    ):
        row[5] = id_number(base)
    rows[5][3] = "1990.13"  # 李梅: no 13th month
    report = rosters.import_file(rosters.get(STANDARD), workbook(rows), city_user(city), dry_run=False)
    assert not report.ok and not report.written
    assert [(e.row, e.column, e.value) for e in report.errors] == [(6, "出生年月", "1990.13")]
    assert not Cadre.objects.exists()


def test_wrong_checksum_duplicate_and_formula_are_row_errors(county_a, city):
    good = id_number("52030219850315001")
    rows = [
        ["姓名", "性别", "出生年月", "公民身份号码", "工作单位"],
        ["甲", "男", "1985.03", good, county_a.name],
        ["乙", "男", "1985.03", good, county_a.name],
        ["丙", "男", "1985.03", good[:-1] + ("0" if good[-1] != "0" else "1"), county_a.name],
    ]
    book = workbook(rows)
    loaded = openpyxl.load_workbook(book)
    loaded.active["A5"] = "丁"
    loaded.active["B5"] = "男"
    loaded.active["C5"] = "=DATE(1985,3,1)"
    loaded.active["D5"] = id_number("52030219850315003")
    loaded.active["E5"] = county_a.name
    book = io.BytesIO()
    loaded.save(book)
    book.seek(0)
    report = rosters.import_file(rosters.get(STANDARD), book, city_user(city), dry_run=True)
    messages = {(e.row, e.column): e.message for e in report.errors}
    assert "与第2行重复" in messages[(3, "公民身份号码")]
    assert "校验码" in messages[(4, "公民身份号码")]
    assert "公式" in messages[(5, "出生年月")]


def test_rows_outside_the_jurisdiction_are_errors(county_a, county_b):
    theirs = f.CadreFactory(unit=county_b)
    user = f.UserFactory(
        perms=["cadres.view_cadre", "cadres.change_cadre", "cadres.add_cadre", access.VIEW_SENSITIVE],
        units=[county_a],
    )
    rows = [
        ["姓名", "性别", "出生年月", "公民身份号码", "工作单位"],
        [theirs.name, theirs.gender, theirs.birth_date.strftime("%Y.%m"), theirs.id_number, county_a.name],
        ["新人", "男", "1985.03", id_number("52030219850315001"), county_b.name],
    ]
    report = rosters.import_file(rosters.get(STANDARD), workbook(rows), user, dry_run=False)
    messages = [(e.row, e.column, e.message) for e in report.errors]
    assert (2, "公民身份号码", "该记录属于您管辖范围以外的单位") in messages
    assert any(row == 3 and column == "工作单位" for row, column, _m in messages)
    assert Cadre.objects.count() == 1


def test_a_file_without_a_unit_column_needs_a_unit_inside_the_jurisdiction(county_a, county_b):
    user = f.UserFactory(perms=["cadres.view_cadre", "cadres.add_cadre"], units=[county_a])
    rows = [
        ["姓名", "性别", "出生年月", "公民身份号码"],
        ["新人", "男", "1985.03", id_number("52030219850315001")],
    ]
    assert rosters.import_file(rosters.get(STANDARD), workbook(rows), user).file_errors
    outside = rosters.import_file(rosters.get(STANDARD), workbook(rows), user, unit=county_b)
    assert outside.file_errors == ["所选单位不在您的管辖范围内"]
    report = rosters.import_file(rosters.get(STANDARD), workbook(rows), user, unit=county_a, dry_run=False)
    assert report.ok, report.as_text()
    assert Cadre.objects.get().unit == county_a


def test_template_has_drop_downs_for_coded_columns(tmp_path):
    target = tmp_path / "template.xlsx"
    rosters.template(rosters.get(STANDARD), str(target))
    book = openpyxl.load_workbook(target)
    sheet, options = book.worksheets
    headers = [c.value for c in sheet[1]]
    assert "性别" in headers and "年龄" not in headers  # derived columns are not filled in
    assert options.sheet_state == "hidden"
    sources = [dv.formula1 for dv in sheet.data_validations.dataValidation]
    assert any("选项" in source for source in sources)


# --- admin, API, commands -------------------------------------------------------------------------
def test_admin_export_is_exactly_the_filtered_list(county_a, city, client):
    woman = f.CadreFactory(unit=county_a, gender="2", id_number="")
    man = f.CadreFactory(unit=county_a, gender="1", id_number="")
    client.force_login(city_user(city))
    page = client.get(reverse("admin:cadres_cadre_changelist"), {"gender__exact": "2"}).content.decode()
    assert "导出干部花名册" in page
    response = client.get(
        reverse("admin:cadres_cadre_roster_export", args=[STANDARD]), {"gender__exact": "2"}
    )
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).worksheets[0]
    names = [row[1] for row in sheet.iter_rows(min_row=3, values_only=True)]
    assert names == [woman.name] and man.name not in names


def test_admin_import_previews_then_writes(county_a, city, client):
    client.force_login(city_user(city))
    rows = [
        ["姓名", "性别", "出生年月", "公民身份号码", "工作单位"],
        ["新人", "男", "1985.03", id_number("52030219850315001"), county_a.name],
    ]
    url = reverse("admin:cadres_cadre_roster_import")
    upload = workbook(rows)
    upload.name = "roster.xlsx"
    preview = client.post(url, {"roster": STANDARD, "file": upload})
    assert preview.status_code == 200 and "确认导入" in preview.content.decode()
    assert not Cadre.objects.exists()
    token = preview.context["token"]
    done = client.post(url, {"confirm": "1", "token": token})
    assert "已全部写入" in done.content.decode()
    assert Cadre.objects.get().name == "新人"


def test_api_xlsx_honours_filters(county_a, city, api):
    woman = f.CadreFactory(unit=county_a, gender="2", id_number="")
    f.CadreFactory(unit=county_a, gender="1", id_number="")
    response = api.as_user(city_user(city)).get(reverse("cadre-list"), {"format": "xlsx", "gender": "2"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).worksheets[0]
    assert [row[1] for row in sheet.iter_rows(min_row=3, values_only=True)] == [woman.name]


def test_api_import_dry_run_then_write(county_a, city, api):
    client = api.as_user(city_user(city))
    rows = [
        ["姓名", "性别", "出生年月", "公民身份号码", "工作单位"],
        ["新人", "男", "1985.03", id_number("52030219850315001"), county_a.name],
    ]
    url = reverse("cadre-import-roster")
    dry = client.post(url, {"file": workbook(rows)}, format="multipart")
    assert dry.status_code == 200 and dry.data["counts"]["new"] == 1 and not dry.data["written"]
    assert not Cadre.objects.exists()
    written = client.post(url, {"file": workbook(rows), "dry_run": "false"}, format="multipart")
    assert written.status_code == 200 and written.data["written"]
    bad = client.post(
        url,
        {"file": workbook([*rows, ["坏", "男", "1985.13", "", county_a.name]]), "dry_run": "false"},
        format="multipart",
    )
    assert bad.status_code == 400 and bad.data["rows"][-1]["errors"]


def test_commands(county_a, city, tmp_path, superuser):
    out = io.StringIO()
    call_command("export_roster", "--list", stdout=out)
    assert STANDARD in out.getvalue()
    f.CadreFactory(unit=county_a, gender="2", id_number="")
    f.CadreFactory(unit=county_a, gender="1", id_number="")
    target = tmp_path / "women.xlsx"
    call_command("export_roster", STANDARD, str(target), "--filter", "gender=2", stdout=io.StringIO())
    assert len(list(openpyxl.load_workbook(target).worksheets[0].iter_rows(min_row=3))) == 1
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(
        workbook(
            [
                ["姓名", "性别", "出生年月", "公民身份号码", "工作单位"],
                ["坏", "男", "1985.13", id_number("52030219850315001"), county_a.name],
            ]
        ).getvalue()
    )
    with pytest.raises(CommandError):
        call_command("import_roster", STANDARD, str(bad), stdout=(report := io.StringIO()))
    assert "第2行" in report.getvalue()


def test_updating_existing_records_by_import_needs_change_permission(county_a, city):
    cadre = f.CadreFactory(unit=county_a)
    adder = f.UserFactory(
        perms=["cadres.view_cadre", "cadres.add_cadre", access.VIEW_SENSITIVE], units=[city]
    )
    rows = export_rows(STANDARD, Cadre.objects.all(), adder)
    rows[2][rows[1].index("现任职务")] = "改"
    report = rosters.import_file(
        rosters.get(STANDARD), workbook(rows), adder, dry_run=False, allow_update=False
    )
    assert not report.written and "没有修改已有记录的权限" in report.errors[0].message
    cadre.refresh_from_db()
    assert cadre.post != "改"


def test_each_imported_row_writes_only_its_own_changes(county_a, city, monkeypatch):
    import simple_history.utils

    first, second = f.CadreFactory(unit=county_a), f.CadreFactory(unit=county_a)
    user = city_user(city)
    rows = export_rows(STANDARD, Cadre.objects.order_by("pk"), user)
    names = [row[1] for row in rows[2:]]
    rows[2 + names.index(first.name)][rows[1].index("现任职务")] = "新职务"
    rows[2 + names.index(second.name)][rows[1].index("备注")] = "新备注"
    calls = []
    real = simple_history.utils.bulk_update_with_history

    def spy(objs, model, fields, **kwargs):
        calls.append((sorted(o.pk for o in objs), list(fields)))
        return real(objs, model, fields, **kwargs)

    monkeypatch.setattr(simple_history.utils, "bulk_update_with_history", spy)
    report = rosters.import_file(rosters.get(STANDARD), workbook(rows), user, dry_run=False)
    assert report.written, report.as_text()
    # updated_at too: the row's version moves on, so a staff edit begun before the import is refused
    assert sorted(calls) == sorted(
        [([first.pk], ["post", "updated_at"]), ([second.pk], ["note", "updated_at"])]
    )


def test_a_file_with_six_kinds_of_errors_shows_them_all_in_the_first_preview(county_a, city, tmp_path):
    """A wrong checksum, 入党 before 18, an unknown code, an impossible date, a key twice and a unit not
    found: all six at once, each row named, and an error workbook to correct them in."""
    good = id_number("52030219850315001")
    rows = [
        [
            "姓名",
            "性别",
            "出生年月",
            "民族",
            "公民身份号码",
            "政治面貌",
            "入党时间",
            "参加工作时间",
            "工作单位",
            "职级",
        ],
        [
            "甲",
            "男",
            "1985.03",
            "汉",
            good[:-1] + ("0" if good[-1] != "0" else "1"),
            "党员",
            "1990.01",
            "2007.07",
            county_a.name,
            "",
        ],
        ["乙", "男", "1985.03", "火星", good, "中共党员", "2008.01", "2007.13", county_a.name, "科员"],
        ["丙", "男", "1985.03", "汉", good, "中共党员", "2008.01", "2007.07", "不存在的单位", ""],
    ]
    upload = workbook(rows)
    report = rosters.import_file(rosters.get(STANDARD), upload, city_user(city), dry_run=True)
    messages = {(e.row, e.column): e.message for e in report.errors}
    assert "校验码" in messages[(2, "公民身份号码")]
    assert "18" in messages[(2, "入党时间")]
    values = {(e.row, e.column): e.value for e in report.errors}
    assert values[(2, "入党时间")] == "1990.01"  # as written, not the parsed 1990.01.01
    assert "民族" in messages[(3, "民族")]
    assert (3, "参加工作时间") in messages
    assert "一级科员" in messages[(3, "职级")] and "二级科员" in messages[(3, "职级")]  # the closest choices
    assert "与第3行重复" in messages[(4, "公民身份号码")]
    assert "不存在的单位" in messages[(4, "工作单位")] or "找不到" in messages[(4, "工作单位")]
    assert [r.label for r in report.rows] == ["甲", "乙", "丙"]

    target = tmp_path / "errors.xlsx"
    rosters.error_workbook(upload, report, target)
    book = openpyxl.load_workbook(target)
    sheet = book.worksheets[0]
    header = [c.value for c in sheet[1]]
    assert header[-1] == "错误说明"
    assert "校验码" in sheet.cell(row=2, column=len(header)).value
    assert sheet.cell(row=2, column=5).fill.fgColor.rgb.endswith("FFC7CE")  # the bad ID number, marked
    assert sheet.cell(row=2, column=1).fill.fgColor.rgb in (None, "00000000")
    listing = book["错误清单"]
    assert listing.max_row - 1 == len(report.errors)


def test_the_admin_preview_offers_the_error_workbook_and_the_upload_form_again(county_a, city, client):
    client.force_login(city_user(city))
    rows = [
        ["姓名", "性别", "出生年月", "公民身份号码", "工作单位"],
        ["甲", "男", "1985.13", "1", county_a.name],
    ]
    upload = workbook(rows)
    upload.name = "roster.xlsx"
    url = reverse("admin:cadres_cadre_roster_import")
    preview = client.post(url, {"roster": STANDARD, "file": upload})
    page = preview.content.decode()
    assert "下载错误说明表" in page and "重新上传" in page and 'type="file"' in page
    response = client.get(preview.context["errors_url"])
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert [c.value for c in book.worksheets[0][1]][-1] == "错误说明"
    assert client.get(url, {"errors": "not-the-token"}).status_code == 302


def test_api_error_workbook(county_a, city, api):
    rows = [
        ["姓名", "性别", "出生年月", "公民身份号码", "工作单位"],
        ["甲", "男", "1985.13", "1", county_a.name],
    ]
    upload = workbook(rows)
    upload.name = "roster.xlsx"
    response = api.as_user(city_user(city)).post(
        reverse("cadre-import-errors"), {"file": upload, "roster": STANDARD}, format="multipart"
    )
    assert response.status_code == 200 and response["Content-Type"].startswith(
        "application/vnd.openxmlformats"
    )
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert book["错误清单"].max_row >= 3
