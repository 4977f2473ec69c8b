"""The talent app's rosters on the kernel's engine: what each exports (labels, masking, jurisdiction,
query counts), and for the importable ones the round trip, an edit, export-only columns and a bad row."""

import datetime
import io

import openpyxl
import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cadres import demo as cadre_demo
from orgportal import access, codes, rosters
from orgportal.validators import age_on
from talent.models import TalentCard
from tests import factories as f
from tests.sheets import workbook

pytestmark = pytest.mark.django_db
D = datetime.date
TALENTS, CARDS, TRAINEES = "talent.talents", "talent.cards", "talent.trainees"
IMPORTABLE = [TALENTS, TRAINEES]
PERMS = [
    f"talent.{action}_{model}"
    for model in ("talent", "talentcard", "targetedtrainee")
    for action in ("view", "add", "change")
]


def make(roster: str, unit, **values):
    """One record of the roster's model, placed in `unit`."""
    if roster == CARDS:
        return f.TalentCardFactory(talent__unit=unit, **values)
    if roster == TALENTS:
        return f.TalentFactory(unit=unit, **values)
    return f.TargetedTraineeFactory(unit=unit, **values)


def person(record):
    """The talent or trainee a row is about (a card's holder)."""
    return record.talent if isinstance(record, TalentCard) else record


def staff(unit, *, sensitive: bool = True):
    return f.UserFactory(perms=[*PERMS, *([access.VIEW_SENSITIVE] if sensitive else [])], units=[unit])


def fresh(user):
    """The user as a new request sees them: no permission or jurisdiction cached."""
    return get_user_model().objects.get(pk=user.pk)


def export_file(roster: str, user) -> io.BytesIO:
    declared = rosters.get(roster)
    buffer = io.BytesIO()
    rosters.export(declared, declared.model.objects.all(), user, buffer)
    buffer.seek(0)
    return buffer


def export_rows(roster: str, user) -> list[list]:
    sheet = openpyxl.load_workbook(export_file(roster, user)).worksheets[0]
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def records(rows: list[list]) -> list[dict]:
    """The data rows of an export as {header: value}."""
    return [dict(zip(rows[1], row, strict=True)) for row in rows[2:]]


def import_rows(roster: str, rows, user, *, dry_run: bool = False):
    return rosters.import_file(rosters.get(roster), workbook(rows), user, dry_run=dry_run)


def snapshot(model) -> list[dict]:
    return list(model.objects.order_by("pk").values())


def with_wrong_check_character(number: str) -> str:
    return number[:-1] + ("1" if number[-1] != "1" else "2")


# --- declarations --------------------------------------------------------------------------------
def test_the_talent_rosters_are_registered_and_only_cards_are_export_only():
    declared = {name: r.importable for name, r in rosters.ROSTERS.items() if name.startswith("talent.")}
    assert declared == {TALENTS: True, CARDS: False, TRAINEES: True}
    assert {r.name for r in rosters.for_model(TalentCard)} == {CARDS}


def test_columns_owned_by_services_are_not_importable():
    not_importable = {
        name: [c.header for c in rosters.get(name).columns if not c.importable] for name in IMPORTABLE
    }
    assert not_importable[TALENTS] == ["年龄", "状态", "流失日期", "流失原因", "流向"]
    assert not_importable[TRAINEES] == ["状态", "就业单位", "就业日期"]


def test_the_import_template_leaves_out_export_only_columns(tmp_path):
    target = tmp_path / "template.xlsx"
    rosters.template(rosters.get(TRAINEES), str(target))
    headers = [c.value for c in openpyxl.load_workbook(target).worksheets[0][1]]
    assert "定向单位" in headers and "领域" in headers
    assert not {"状态", "就业单位", "就业日期"} & set(headers)


# --- export ---------------------------------------------------------------------------------------
def test_talent_roster_writes_labels_and_department_formats(county_a, city):
    born = D(1985, 3, 1)
    talent = f.TalentFactory(
        unit=county_a,
        gender=codes.Gender.FEMALE,
        birth_date=born,
        id_number=cadre_demo.id_number_for(7, born, codes.Gender.FEMALE),
        education=codes.Education.BACHELOR_GRADUATED,
        category=codes.TalentCategory.HIGH_SKILLED,
        level=codes.TalentLevel.B,
        field=codes.TalentField.HEALTH,
        source=codes.TalentSource.RETURNEE,
        arrived_on=D(2020, 5, 6),
        employer="遵义医科大学附属医院",
    )
    rows = export_rows(TALENTS, staff(city))
    assert rows[0][0].startswith("人才花名册")
    assert rows[1] == [
        "序号",
        "姓名",
        "性别",
        "出生年月",
        "年龄",
        "公民身份号码",
        "学历",
        "人才类别",
        "人才层次",
        "所在领域",
        "专业特长",
        "工作单位",
        "职务职称",
        "人才来源",
        "引进（回引）时间",
        "属地（主管）单位",
        "状态",
        "流失日期",
        "流失原因",
        "流向",
        "备注",
        "系统记录号（勿改）",
    ]
    (row,) = records(rows)
    assert row["序号"] == 1 and row["姓名"] == talent.name
    assert (row["性别"], row["出生年月"], row["年龄"]) == (
        "女",
        "1985.03",
        age_on(born, timezone.localdate()),
    )
    assert row["公民身份号码"] == talent.id_number
    assert (row["学历"], row["人才类别"], row["人才层次"], row["所在领域"]) == (
        "大学本科毕业",
        "高技能人才",
        "B类",
        "卫生健康",
    )
    assert (row["人才来源"], row["引进（回引）时间"]) == ("乡情回引", "2020.05.06")
    assert (row["工作单位"], row["属地（主管）单位"], row["状态"]) == (
        "遵义医科大学附属医院",
        county_a.name,
        "在岗",
    )
    assert row["流失日期"] is None and row["流失原因"] is None


def test_talent_roster_shows_a_departure(county_a, city):
    talent = f.TalentFactory(unit=county_a, departed=True)
    (row,) = records(export_rows(TALENTS, staff(city)))
    assert (row["状态"], row["流失原因"], row["流向"]) == ("流失", "工作调动", "浙江省杭州市")
    assert row["流失日期"] == talent.left_on.strftime("%Y.%m.%d")


def test_card_roster_shows_each_state_and_the_commissioner(county_a, city):
    today = D.today()
    lead = f.UserFactory(username="zhuanyuan", last_name="王", first_name="晓燕")
    plain = f.UserFactory(username="fuwu02", last_name="", first_name="")
    valid = f.TalentCardFactory(talent__unit=county_a, commissioner=lead, tier=codes.TalentCardTier.A)
    expired = f.TalentCardFactory(
        talent__unit=county_a,
        commissioner=plain,
        issued_on=today - datetime.timedelta(days=800),
        expires_on=today - datetime.timedelta(days=1),
    )
    lost = f.TalentCardFactory(
        talent__unit=county_a,
        commissioner=lead,
        status=codes.TalentCardStatus.LOST,
        lost_on=today - datetime.timedelta(days=5),
    )
    cancelled = f.TalentCardFactory(talent__unit=county_a, commissioner=lead, cancelled=True)
    rows = export_rows(CARDS, staff(city))
    assert rows[1] == [
        "序号",
        "卡号",
        "姓名",
        "公民身份号码",
        "属地（主管）单位",
        "人才类别",
        "人才层次",
        "工作单位",
        "卡类别",
        "发卡日期",
        "有效期至",
        "卡状态",
        "服务专员",
    ]
    by_number = {row["卡号"]: row for row in records(rows)}
    assert {number: row["卡状态"] for number, row in by_number.items()} == {
        valid.number: "有效",
        expired.number: "过期",
        lost.number: "挂失",
        cancelled.number: "注销",
    }
    row = by_number[valid.number]
    assert (row["姓名"], row["公民身份号码"], row["属地（主管）单位"]) == (
        valid.talent.name,
        valid.talent.id_number,
        county_a.name,
    )
    assert (row["人才类别"], row["人才层次"], row["卡类别"]) == ("专业技术人才", "C类", "A卡")
    assert row["服务专员"] == "王晓燕" and by_number[expired.number]["服务专员"] == "fuwu02"
    assert row["有效期至"] == valid.expires_on.strftime("%Y.%m.%d")


def test_trainee_roster_shows_the_placement(county_a, county_b, city):
    placed_on = D.today() - datetime.timedelta(days=100)
    trainee = f.TargetedTraineeFactory(
        unit=county_a,
        enrolled_on=D(D.today().year - 6, 9, 1),
        status=codes.TraineeStatus.PLACED,
        placement_unit=county_b,
        placed_on=placed_on,
    )
    (row,) = records(export_rows(TRAINEES, staff(city)))
    assert (row["姓名"], row["出生日期"], row["公民身份号码"]) == (
        trainee.name,
        trainee.birth_date.strftime("%Y.%m.%d"),
        trainee.id_number,
    )
    assert (row["领域"], row["定向单位"], row["约定服务年限"]) == ("卫生健康", county_a.name, 6)
    assert (row["状态"], row["就业单位"], row["就业日期"]) == (
        "已就业（履约中）",
        county_b.name,
        placed_on.strftime("%Y.%m.%d"),
    )


@pytest.mark.parametrize("roster", [TALENTS, CARDS, TRAINEES])
def test_id_numbers_are_text_and_masked_without_permission(roster, county_a):
    number = person(make(roster, county_a)).id_number
    (full,) = records(export_rows(roster, staff(county_a)))
    assert full["公民身份号码"] == number
    (masked,) = records(export_rows(roster, staff(county_a, sensitive=False)))
    assert masked["公民身份号码"] == access.mask(number) != number


@pytest.mark.parametrize("roster", [TALENTS, CARDS, TRAINEES])
def test_export_keeps_to_the_jurisdiction(roster, county_a, county_b):
    mine, theirs = make(roster, county_a), make(roster, county_b)
    numbers = [row["公民身份号码"] for row in records(export_rows(roster, staff(county_a)))]
    assert numbers == [person(mine).id_number] != [person(theirs).id_number]


@pytest.mark.parametrize("roster", [TALENTS, CARDS, TRAINEES])
def test_export_query_count_is_the_same_for_1_and_20_rows(roster, county_a, city):
    user = staff(city)

    def count() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as queries:
            written = rosters.export(
                rosters.get(roster), rosters.get(roster).model.objects.all(), fresh(user), io.BytesIO()
            )
        return written, len(queries.captured_queries)

    make(roster, county_a)
    one = count()
    for _ in range(19):
        make(roster, county_a)
    twenty = count()
    assert (one[0], twenty[0]) == (1, 20)
    assert one[1] == twenty[1]


# --- import ---------------------------------------------------------------------------------------
def a_few(roster: str, unit) -> list:
    """Three records, one of them changed by a service (departed; placed)."""
    if roster == TALENTS:
        return [
            f.TalentFactory(unit=unit),
            f.TalentFactory(unit=unit, level="", education="", note="-待补充佐证材料"),
            f.TalentFactory(unit=unit, departed=True),
        ]
    return [
        f.TargetedTraineeFactory(unit=unit),
        f.TargetedTraineeFactory(unit=unit, agreement_number="", note="+86 联系电话"),
        f.TargetedTraineeFactory(
            unit=unit,
            enrolled_on=D(D.today().year - 6, 9, 1),
            status=codes.TraineeStatus.PLACED,
            placement_unit=unit,
            placed_on=D.today() - datetime.timedelta(days=60),
        ),
    ]


@pytest.mark.parametrize("roster", IMPORTABLE)
def test_round_trip_leaves_every_row_unchanged(roster, county_a, city):
    a_few(roster, county_a)
    model, user = rosters.get(roster).model, staff(city)
    before, history = snapshot(model), model.history.count()
    report = rosters.import_file(rosters.get(roster), export_file(roster, user), user, dry_run=False)
    assert report.ok, report.as_text()
    assert report.counts() == {"new": 0, "update": 0, "unchanged": 3, "error": 0}
    assert snapshot(model) == before and model.history.count() == history


EDITS = {TALENTS: ("职务职称", "title", "研究员"), TRAINEES: ("培养院校", "school", "贵州医科大学")}


@pytest.mark.parametrize("roster", IMPORTABLE)
def test_an_edited_cell_updates_its_record(roster, county_a, city):
    first, *others = a_few(roster, county_a)
    user = staff(city)
    rows = export_rows(roster, user)
    header, attribute, value = EDITS[roster]
    row = next(r for r in rows[2:] if r[rows[1].index("公民身份号码")] == first.id_number)
    row[rows[1].index(header)] = value
    report = import_rows(roster, rows, user)
    assert report.counts() == {"new": 0, "update": 1, "unchanged": 2, "error": 0}, report.as_text()
    first.refresh_from_db()
    assert getattr(first, attribute) == value
    assert first.history.latest().history_user == user
    assert all(getattr(type(o).objects.get(pk=o.pk), attribute) != value for o in others)


SERVICE_COLUMNS = {
    TALENTS: {"状态": "流失", "流失原因": "薪酬待遇"},
    TRAINEES: {"状态": "违约", "就业单位": "乙县"},
}


@pytest.mark.parametrize("roster", IMPORTABLE)
def test_export_only_columns_are_not_imported(roster, county_a, county_b, city):
    a_few(roster, county_a)
    model, user = rosters.get(roster).model, staff(city)
    before = snapshot(model)
    rows = export_rows(roster, user)
    for header, value in SERVICE_COLUMNS[roster].items():
        for row in rows[2:]:
            row[rows[1].index(header)] = value
    report = import_rows(roster, rows, user)
    assert report.counts()["unchanged"] == 3, report.as_text()
    assert snapshot(model) == before


def new_row(roster: str, header: list, unit, n: int) -> list:
    """A valid new person's row under `header` (an export's)."""
    born = D(1990, 6, 15)
    number = cadre_demo.id_number_for(50_000 + n, born, codes.Gender.MALE)
    values = {
        "姓名": f"新人{n}",
        "性别": "男",
        "公民身份号码": number,
        "备注": "",
    }
    if roster == TALENTS:
        values |= {
            "出生年月": "1990.06",
            "人才类别": "农村实用人才",
            "人才来源": "乡情引才",
            "引进（回引）时间": "2021.3",
            "所在领域": "农业",
            "属地（主管）单位": unit.name,
        }
    else:
        values |= {
            "出生日期": "1990.06.15",
            "培养院校": "遵义医科大学",
            "紧缺专业": "临床医学",
            "领域": "卫生",
            "定向单位": unit.name,
            "协议签订日期": "2008.08.01",
            "入学日期": "2008.09.01",
            "预计毕业日期": "2013.07.01",
            "约定服务年限": 6,
        }
    return [values.get(h) for h in header]


@pytest.mark.parametrize("roster", IMPORTABLE)
def test_new_rows_are_created_in_the_unit_they_name(roster, county_a, city):
    user = staff(city)
    header = export_rows(roster, user)[1]
    report = import_rows(roster, [header, new_row(roster, header, county_a, 1)], user)
    assert report.counts()["new"] == 1, report.as_text()
    created = rosters.get(roster).model.objects.get()
    assert (created.name, created.unit) == ("新人1", county_a)
    if roster == TALENTS:
        assert (created.source, created.arrived_on, created.field) == (
            "returnee",
            D(2021, 3, 1),
            "agriculture",
        )
        assert created.status == codes.TalentStatus.ACTIVE
    else:
        assert (created.field, created.service_years) == ("health", 6)
        assert created.status == codes.TraineeStatus.STUDYING


BAD_CELLS = {
    (TALENTS, "checksum"): ("公民身份号码", "校验码"),
    (TALENTS, "label"): ("人才类别", "「外星人才」不是有效的人才类别"),
    (TRAINEES, "checksum"): ("公民身份号码", "校验码"),
    (TRAINEES, "label"): ("领域", "「航天」不是有效的领域"),
}


@pytest.mark.parametrize(("roster", "fault"), sorted(BAD_CELLS))
def test_one_bad_row_is_reported_and_nothing_is_written(roster, fault, county_a, city):
    first, *_others = a_few(roster, county_a)
    model, user = rosters.get(roster).model, staff(city)
    before = snapshot(model)
    rows = export_rows(roster, user)
    header = rows[1]
    edited = next(r for r in rows[2:] if r[header.index("公民身份号码")] == first.id_number)
    edited[header.index("备注")] = "已核实"  # an update that must not be written either
    good, bad = new_row(roster, header, county_a, 1), new_row(roster, header, county_a, 2)
    column, message = BAD_CELLS[roster, fault]
    if fault == "checksum":
        bad[header.index(column)] = with_wrong_check_character(bad[header.index(column)])
    else:
        bad[header.index(column)] = "外星人才" if roster == TALENTS else "航天"
    rows += [good, bad]
    report = import_rows(roster, rows, user)
    assert not report.ok and not report.written
    assert [(e.row, e.column) for e in report.errors] == [(len(rows), column)]
    assert message in report.errors[0].message
    assert report.counts() == {"new": 1, "update": 1, "unchanged": 2, "error": 1}
    assert snapshot(model) == before


@pytest.mark.parametrize("roster", IMPORTABLE)
def test_import_keeps_to_the_jurisdiction(roster, county_a, county_b):
    theirs = make(roster, county_b)
    user = staff(county_a)
    header = export_rows(roster, staff(county_b))[1]
    outside = new_row(roster, header, county_b, 1)
    existing = new_row(roster, header, county_a, 2)
    existing[header.index("公民身份号码")] = theirs.id_number
    report = import_rows(roster, [header, outside, existing], user)
    messages = {(e.row, e.column): e.message for e in report.errors}
    unit_header = "属地（主管）单位" if roster == TALENTS else "定向单位"
    assert "不在您的管辖范围内" in messages[(2, unit_header)]
    assert messages[(3, "公民身份号码")] == "该记录属于您管辖范围以外的单位"
    assert rosters.get(roster).model.objects.count() == 1


def test_card_roster_refuses_an_import(county_a, city):
    card = f.TalentCardFactory(talent__unit=county_a)
    user = staff(city)
    rows = export_rows(CARDS, user)
    rows[2][rows[1].index("有效期至")] = "2099.12.31"
    report = import_rows(CARDS, rows, user)
    assert report.file_errors == ["该花名册不支持导入"] and not report.written
    card.refresh_from_db()
    assert card.expires_on != D(2099, 12, 31)


@pytest.mark.parametrize(
    ("model_name", "title", "importable"),
    [
        ("talent", "人才花名册", True),
        ("talentcard", "英才卡持卡人名册", False),
        ("targetedtrainee", "定向培养学生名册", True),
    ],
)
def test_admin_lists_offer_the_export_and_where_importable_the_import(
    model_name, title, importable, client, superuser
):
    client.force_login(superuser)
    page = client.get(reverse(f"admin:talent_{model_name}_changelist")).content.decode()
    assert f"导出{title}" in page
    assert ("导入花名册" in page) is importable


def test_admin_exports_the_filtered_talent_list(county_a, city, client):
    rural = f.TalentFactory(unit=county_a, category=codes.TalentCategory.RURAL_PRACTICAL, level="")
    f.TalentFactory(unit=county_a)
    client.force_login(staff(city))
    response = client.get(
        reverse("admin:talent_talent_roster_export", args=[TALENTS]), {"category__exact": "rural_practical"}
    )
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).worksheets[0]
    assert [row[5] for row in sheet.iter_rows(min_row=3, values_only=True)] == [rural.id_number]
