"""The growth dossier timeline (一人一档): every source merged oldest first, a constant number of
queries, sensitive text masked, the registration hook, the API action and the admin page."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cadres import timeline as tl
from cadres.models import DossierEntry, PoolMembership, Posting
from orgportal import access, codes
from tests import factories as f
from tests.contract import ModelContract

pytestmark = pytest.mark.django_db
D = datetime.date
REASON = "违反工作纪律，履职不力，造成不良影响"
MEASURE_REASON = "履职尽责不够到位"


def staff(unit, *perms, sensitive=False):
    perms = ["cadres.view_cadre", *perms, *([access.VIEW_SENSITIVE] if sensitive else [])]
    return ModelContract.fresh(f.UserFactory(perms=perms, units=[unit]))


def a_cadre(unit, **kwargs):
    return f.CadreFactory(
        unit=unit,
        name="王建国",
        gender="1",
        birth_date=D(1983, 5, 1),
        political_status="01",
        work_start_date=D(2005, 7, 1),
        party_join_date=D(2006, 6, 1),
        post="甲县发展和改革局局长",
        **kwargs,
    )


def add_history(cadre, n: int = 1, year: int = 2010) -> None:
    """`n` records of every built-in source, a year apart from `year` on."""
    for i in range(n):
        on = D(year + i, 3, 1)
        PoolMembership.objects.create(
            cadre=cadre,
            tier=codes.LeadershipLevel.choices[0][0],
            source=codes.PoolSource.SELECTED_GRADUATE,
            entered_on=on,
            status=codes.PoolStatus.OUT if i < n - 1 else codes.PoolStatus.IN,
            exited_on=D(year + i, 9, 1) if i < n - 1 else None,
            exit_reason=codes.PoolExitReason.PROMOTED if i < n - 1 else "",
        )
        f.MovementFactory(cadre=cadre, date=on)
        f.AnnualAssessmentFactory(cadre=cadre, year=year + i)
        f.RewardFactory(cadre=cadre, date=on)
        f.SanctionFactory(cadre=cadre, decided_on=on)
        f.WarningFactory(cadre=cadre, raised_on=on, closed_on=D(year + i, 4, 1))
        f.SupervisionMeasureFactory(cadre=cadre, date=on)
        Posting.objects.create(
            cadre=cadre,
            kind=codes.PostingKind.SECONDMENT,
            host_kind=codes.HostKind.GRASSROOTS,
            host_name="某镇",
            start=on,
            actual_end=D(year + i, 12, 1),
        )
        f.ArchiveFindingFactory(review=f.ArchiveReviewFactory(cadre=cadre, reviewed_on=on))
        DossierEntry.objects.create(cadre=cadre, date=on, kind=codes.DossierKind.TALK, text="谈心谈话")


def test_timeline_merges_every_source_oldest_first(county_a, superuser):
    cadre = a_cadre(county_a)
    # created out of date order, so the order below is the timeline's, not the insertion's
    PoolMembership.objects.create(
        cadre=cadre,
        tier=codes.LeadershipLevel.choices[0][0],
        source=codes.PoolSource.RECOMMENDATION,
        entered_on=D(2016, 4, 1),
        status=codes.PoolStatus.OUT,
        exited_on=D(2021, 6, 30),
        exit_reason=codes.PoolExitReason.PROMOTED,
        exit_note="提拔为副县长",
    )
    f.ArchiveFindingFactory(review=f.ArchiveReviewFactory(cadre=cadre, reviewed_on=D(2021, 1, 5)))
    f.SanctionFactory(cadre=cadre, decided_on=D(2020, 5, 6))
    f.SupervisionMeasureFactory(cadre=cadre, date=D(2019, 2, 10))
    f.WarningFactory(cadre=cadre, raised_on=D(2019, 1, 10), closed_on=D(2019, 4, 10))
    DossierEntry.objects.create(
        cadre=cadre, date=D(2018, 6, 1), kind=codes.DossierKind.INSPECTION, text="年度考察\n表现突出"
    )
    Posting.objects.create(
        cadre=cadre,
        kind=codes.PostingKind.SECONDMENT,
        host_kind=codes.HostKind.DEVELOPED_REGION,
        host_name="浙江省宁波市鄞州区",
        post="副区长",
        start=D(2017, 3, 1),
        actual_end=D(2018, 3, 1),
        evaluation="优秀",
    )
    f.RewardFactory(cadre=cadre, date=D(2015, 5, 4), name="嘉奖")
    f.AnnualAssessmentFactory(cadre=cadre, year=2014, result=codes.AssessmentResult.EXCELLENT)
    f.MovementFactory(
        cadre=cadre, date=D(2012, 3, 1), kind=codes.MovementKind.LATERAL, to_post="甲县发改局局长"
    )

    events = tl.timeline(cadre, superuser)

    assert [(e.date, e.kind, e.title) for e in events] == [
        (D(2005, 7, 1), "基本信息", "参加工作"),
        (D(2006, 6, 1), "基本信息", "加入中国共产党"),
        (D(2012, 3, 1), "任免", "平级交流：甲县发改局局长"),
        (D(2014, 12, 31), "考核", "2014年度考核：优秀"),
        (D(2015, 5, 4), "奖励", "嘉奖"),
        (D(2016, 4, 1), "年轻干部库", "纳入优秀年轻干部库"),
        (D(2017, 3, 1), "实践锻炼", "挂职锻炼：浙江省宁波市鄞州区（副区长）"),
        (D(2018, 3, 1), "实践锻炼", "挂职锻炼结束：浙江省宁波市鄞州区"),
        (D(2018, 6, 1), "考察", "年度考察"),
        (D(2019, 1, 10), "预警", "黄色预警（为官不为）"),
        (D(2019, 2, 10), "监督", "提醒"),
        (D(2019, 4, 10), "预警", "解除黄色预警"),
        (D(2020, 5, 6), "处分", "政务记过"),
        (D(2021, 1, 5), "档案", "档案审核问题：出生日期"),
        (D(2021, 6, 30), "年轻干部库", "调整出库：提拔使用"),
    ]
    assert {e.source for e in events} == set(tl.BUILT_IN)


def test_details_use_the_department_date_format(county_a, superuser):
    cadre = a_cadre(county_a)
    f.WarningFactory(cadre=cadre, raised_on=D(2019, 1, 10), closed_on=D(2019, 4, 10))
    f.SanctionFactory(cadre=cadre, decided_on=D(2024, 1, 15), sanction=codes.Sanction.ADMIN_WARNING)
    closed, sanction = (e for e in tl.timeline(cadre, superuser) if e.title in ("解除黄色预警", "政务警告"))
    assert closed.detail == "预警日期：2019.01.10"
    assert "影响期至：2024.07.14" in sanction.detail


def test_archive_review_without_findings_appears_once(county_a, superuser):
    cadre = a_cadre(county_a)
    f.ArchiveReviewFactory(cadre=cadre, reviewed_on=D(2021, 1, 5))
    [review] = [e for e in tl.timeline(cadre, superuser) if e.kind == "档案"]
    assert review.title == "档案专项审核"
    assert "审核结论" in review.detail


def count_queries(cadre, user) -> int:
    with CaptureQueriesContext(connection) as ctx:
        tl.timeline(cadre, user)
    return len(ctx.captured_queries)


def test_query_count_is_constant(county_a):
    one, ten = a_cadre(county_a), a_cadre(county_a)
    add_history(one, 1)
    add_history(ten, 10)
    assert len(tl.timeline(ten, staff(county_a))) > 10 * len(tl.BUILT_IN)
    # a fresh user each time, so that loading its permissions (for masking) is counted in both
    assert count_queries(one, staff(county_a)) == count_queries(ten, staff(county_a))


def test_query_count_is_one_per_query_source_plus_the_permission_check(county_a):
    cadre = a_cadre(county_a)
    add_history(cadre, 2)
    query_sources = len(tl.sources()) - 1  # every registered source but the cadre's own dates (the record)
    extra = 2 + (len(tl.sources()) > len(tl.BUILT_IN))  # permissions; jurisdiction for other apps' sources
    assert count_queries(cadre, staff(county_a)) == query_sources + extra


def sensitive_events(cadre, user):
    return {e.kind: e for e in tl.timeline(cadre, user) if e.sensitive}


def test_sanctions_and_measures_are_masked_without_view_sensitive(county_a):
    cadre = a_cadre(county_a)
    sanction = f.SanctionFactory(cadre=cadre, reason=REASON)
    f.SupervisionMeasureFactory(cadre=cadre, reason=MEASURE_REASON)
    events = sensitive_events(cadre, staff(county_a))
    assert set(events) == {"处分", "监督"}
    assert events["处分"].title == "处分与组织处理"
    for text in (REASON, sanction.doc_number, "政务记过"):
        assert text not in events["处分"].detail
    assert f"事由：{access.mask(REASON)}" in events["处分"].detail
    assert MEASURE_REASON not in events["监督"].detail
    assert f"事由：{access.mask(MEASURE_REASON)}" in events["监督"].detail


def test_sanctions_and_measures_are_shown_with_view_sensitive(county_a):
    cadre = a_cadre(county_a)
    sanction = f.SanctionFactory(cadre=cadre, reason=REASON)
    f.SupervisionMeasureFactory(cadre=cadre, reason=MEASURE_REASON)
    events = sensitive_events(cadre, staff(county_a, sensitive=True))
    assert events["处分"].title == "政务记过"
    assert REASON in events["处分"].detail and sanction.doc_number in events["处分"].detail
    assert MEASURE_REASON in events["监督"].detail


def test_registered_source_is_merged_in_date_order_until_unregistered(county_a, superuser):
    cadre = a_cadre(county_a)
    calls = []

    def enrolments(c, user):
        calls.append((c, user))
        yield tl.Event(D(2005, 9, 1), "培训", "中青年干部培训班结业", source="training.Enrolment")

    with tl.registered_source("training.enrolments", enrolments):
        events = tl.timeline(cadre, superuser)
        assert "training.enrolments" in tl.sources()
    assert calls == [(cadre, superuser)]
    assert [e.title for e in events] == ["参加工作", "中青年干部培训班结业", "加入中国共产党"]
    assert "training.enrolments" not in tl.sources()
    assert [e.title for e in tl.timeline(cadre, superuser)] == ["参加工作", "加入中国共产党"]


def test_unregister_source_returns_the_source(county_a, superuser):
    def fetch(cadre, user):
        return [tl.Event(D(2030, 1, 1), "人才", "入选英才计划")]

    tl.register_source("talent.selections", fetch)
    try:
        assert tl.timeline(a_cadre(county_a), superuser)[-1].title == "入选英才计划"
    finally:
        assert tl.unregister_source("talent.selections") is fetch
    assert tl.unregister_source("talent.selections") is None


# --- API ---------------------------------------------------------------------------------------------
def test_api_timeline_lists_events(county_a, api):
    cadre = a_cadre(county_a)
    f.SanctionFactory(cadre=cadre, decided_on=D(2020, 5, 6), reason=REASON)
    response = api.as_user(staff(county_a)).get(reverse("cadre-timeline", args=[cadre.pk]))
    assert response.status_code == 200, response.data
    assert response.data[0] == {
        "date": "2005-07-01",
        "kind": "基本信息",
        "title": "参加工作",
        "detail": "",
        "source": "cadres.Cadre",
    }
    assert [row["kind"] for row in response.data] == ["基本信息", "基本信息", "处分"]
    assert REASON not in response.content.decode()


def test_api_timeline_outside_jurisdiction_is_404(county_a, county_b, api):
    theirs = a_cadre(county_b)
    response = api.as_user(staff(county_a)).get(reverse("cadre-timeline", args=[theirs.pk]))
    assert response.status_code == 404


def test_api_timeline_requires_view_permission(county_a, api):
    cadre = a_cadre(county_a)
    user = f.UserFactory(units=[county_a])
    assert api.as_user(user).get(reverse("cadre-timeline", args=[cadre.pk])).status_code == 403


# --- admin -------------------------------------------------------------------------------------------
def timeline_url(cadre):
    return reverse("admin:cadres_cadre_timeline", args=[cadre.pk])


def test_admin_timeline_page_is_a_printable_dossier(county_a, client):
    cadre = a_cadre(county_a)
    f.RewardFactory(cadre=cadre, date=D(2015, 5, 4), name="嘉奖")
    client.force_login(staff(county_a))
    response = client.get(timeline_url(cadre))
    assert response.status_code == 200
    page = response.content.decode()
    for text in ("干部成长档案", "王建国", "甲县", "甲县发展和改革局局长", "1983.05", "2015.05.04", "嘉奖"):
        assert text in page, text
    assert "@media print" in page


def test_admin_change_page_links_to_the_timeline(county_a, client):
    cadre = a_cadre(county_a)
    client.force_login(staff(county_a))
    page = client.get(reverse("admin:cadres_cadre_change", args=[cadre.pk])).content.decode()
    assert f'href="{timeline_url(cadre)}"' in page
    assert "成长档案时间轴" in page


def test_admin_timeline_outside_jurisdiction_is_404(county_a, county_b, client):
    theirs = a_cadre(county_b)
    client.force_login(staff(county_a))
    assert client.get(timeline_url(theirs)).status_code == 404


def test_admin_timeline_masks_sensitive_text(county_a, client):
    cadre = a_cadre(county_a)
    f.SanctionFactory(cadre=cadre, reason=REASON)
    client.force_login(staff(county_a))
    page = client.get(timeline_url(cadre)).content.decode()
    assert "处分与组织处理" in page
    assert REASON not in page
