"""A talent who is also a cadre: certifications, cards and selections on the cadre's growth dossier
timeline (cadres.timeline), in one query, within the user's jurisdiction."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cadres import timeline as tl
from orgportal import access, codes
from talent.timeline import talent_events
from tests import factories as f
from tests.contract import ModelContract

pytestmark = pytest.mark.django_db
D = datetime.date


def staff(unit):
    return ModelContract.fresh(f.UserFactory(perms=["cadres.view_cadre"], units=[unit]))


def linked(unit, talent_unit=None):
    cadre = f.CadreFactory(
        unit=unit,
        name="李文博",
        gender="1",
        birth_date=D(1984, 6, 1),
        political_status="01",
        work_start_date=D(2007, 7, 1),
        party_join_date=None,
    )
    talent = f.TalentFactory(
        unit=talent_unit or unit,
        cadre=cadre,
        gender="1",
        birth_date=cadre.birth_date,
        id_number=cadre.id_number,
        arrived_on=D(2015, 3, 1),
    )
    return cadre, talent


def add_records(talent, n=1, year=2016):
    for i in range(n):
        f.SelectionFactory(
            talent=talent,
            programme=f.TalentProgrammeFactory(name="英才计划", year=year + i),
            batch=f"第{i + 1}批",
            selected_on=D(year + i, 3, 1),
            support="安家补贴、科研经费",
            amount=Decimal("50.00"),
        )
        f.CertificationFactory(
            talent=talent,
            level="B",
            certified_on=D(year + i, 6, 1),
            valid_until=D(year + i + 3, 5, 31),
            basis="B类第2条",
        )
    return f.TalentCardFactory(
        talent=talent,
        tier="A",
        issued_on=D(year, 9, 1),
        expires_on=D(year + 3, 8, 31),
        status=codes.TalentCardStatus.CANCELLED,
        lost_on=D(year + 1, 1, 10),
        cancelled_on=D(year + 1, 2, 1),
        cancel_reason="挂失补办",
    )


def test_the_talent_source_is_registered_when_the_app_is_ready():
    assert "talent" in tl.sources()


def test_certifications_cards_and_selections_appear_in_date_order(county_a, superuser):
    cadre, talent = linked(county_a)
    card = add_records(talent)
    events = [e for e in tl.timeline(cadre, superuser) if e.kind == "人才"]
    assert [(e.date, e.title) for e in events] == [
        (D(2016, 3, 1), "入选英才计划（第1批）"),
        (D(2016, 6, 1), "认定为高层次人才（B类）"),
        (D(2016, 9, 1), "发放英才卡（A卡）"),
        (D(2017, 1, 10), "英才卡挂失"),
        (D(2017, 2, 1), "英才卡注销"),
    ]
    selection, certification, issued, _lost, cancelled = events
    assert selection.detail == "支持内容：安家补贴、科研经费；支持资金：50万元；状态：已入选"
    assert selection.source == "talent.Selection"
    assert certification.detail.startswith("证书编号：遵人才认")
    assert "有效期至：2019.05.31；认定依据：B类第2条" in certification.detail
    assert issued.detail == f"卡号：{card.number}；有效期至：2019.08.31"
    assert cancelled.detail == f"卡号：{card.number}；注销原因：挂失补办"


def test_studios_led_and_joined_appear(county_a, superuser):
    cadre, talent = linked(county_a)
    led = f.StudioFactory(
        unit=county_a,
        leader=talent,
        name="李文博名师工作室",
        kind=codes.StudioKind.TEACHER,
        level="市级",
        founded_on=D(2018, 4, 1),
        status=codes.StudioStatus.CLOSED,
        closed_on=D(2023, 12, 31),
    )
    other = f.StudioFactory(unit=county_a, name="黔北技能大师工作室", founded_on=D(2019, 1, 1))
    f.StudioMemberFactory(
        studio=other, talent=talent, role="core", joined_on=D(2019, 5, 1), left_on=D(2022, 5, 1)
    )
    events = [(e.date, e.title, e.detail) for e in tl.timeline(cadre, superuser) if e.kind == "人才"]
    assert events == [
        (D(2018, 4, 1), "领衔李文博名师工作室（市级）", "类别：名师工作室"),
        (D(2019, 5, 1), "加入黔北技能大师工作室", "角色：核心成员"),
        (D(2022, 5, 1), "退出黔北技能大师工作室", ""),
        (D(2023, 12, 31), "李文博名师工作室撤销", ""),
    ]
    assert led.leader_id == talent.pk


def test_a_certification_without_end_is_shown_as_lifelong(county_a, superuser):
    cadre, talent = linked(county_a)
    f.CertificationFactory(talent=talent, certified_on=D(2020, 1, 1), valid_until=None, basis="")
    [event] = [e for e in tl.timeline(cadre, superuser) if e.kind == "人才"]
    assert event.detail.endswith("有效期至：长期")


def test_a_cadre_without_a_talent_record_has_no_talent_events(county_a, superuser):
    cadre, talent = linked(county_a)
    add_records(talent)
    other = f.CadreFactory(unit=county_a)
    assert list(talent_events(other, superuser)) == []


def test_talent_records_outside_the_jurisdiction_are_left_out(county_a, county_b):
    cadre, talent = linked(county_a, talent_unit=county_b)
    add_records(talent)
    assert list(talent_events(cadre, staff(county_a))) == []
    assert len(list(talent_events(cadre, staff(county_b)))) == 5


def count_queries(cadre, user) -> int:
    access.user_unit_paths(user)  # loaded by the scoped lookup that fetched the cadre
    with CaptureQueriesContext(connection) as ctx:
        list(talent_events(cadre, user))
    return len(ctx.captured_queries)


def test_one_query_whatever_the_number_of_records(county_a):
    one, _talent = linked(county_a)
    add_records(_talent, 1)
    many = f.CadreFactory(unit=county_a)
    talent = f.TalentFactory(
        unit=county_a, cadre=many, gender=many.gender, birth_date=many.birth_date, id_number=many.id_number
    )
    add_records(talent, 10, year=2010)
    user = staff(county_a)
    assert count_queries(one, user) == count_queries(many, user) == 1
    assert len(list(talent_events(many, user))) == 10 + 10 + 3


def test_api_cadre_timeline_includes_talent_events(county_a, api):
    cadre, talent = linked(county_a)
    add_records(talent)
    response = api.as_user(staff(county_a)).get(reverse("cadre-timeline", args=[cadre.pk]))
    assert response.status_code == 200
    rows = [row for row in response.data if row["kind"] == "人才"]
    assert [row["source"] for row in rows] == [
        "talent.Selection",
        "talent.Certification",
        "talent.TalentCard",
        "talent.TalentCard",
        "talent.TalentCard",
    ]
