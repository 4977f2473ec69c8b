"""The printable 干部任免审批表 (admin page): fields, ages at the form's date, jurisdiction, masking."""

import datetime

import pytest
from django.urls import reverse

from cadres import approval_form
from orgportal import access
from tests import factories as f

pytestmark = pytest.mark.django_db
D = datetime.date


def viewer(*units, sensitive=True):
    perms = ["cadres.view_cadre", "cadres.view_appointmentcase"]
    return f.UserFactory(perms=perms + ([access.VIEW_SENSITIVE] if sensitive else []), units=list(units))


@pytest.fixture
def cadre(county_a):
    cadre = f.CadreFactory(
        unit=county_a, name="张三", birth_date=D(1972, 4, 1), gender="1", post="司法局局长", health="健康"
    )
    f.ResumeEntryFactory(cadre=cadre, start=D(1995, 7, 1), end=D(2008, 9, 1), text="甲县司法局科员")
    f.ResumeEntryFactory(cadre=cadre, start=D(2016, 6, 1), end=None, text="甲县司法局局长")
    f.FamilyMemberFactory(
        cadre=cadre, relation="妻子", name="王芳", birth_date=D(1974, 5, 1), employer_post="甲县一中教师"
    )
    f.FamilyMemberFactory(
        cadre=cadre, relation="父亲", name="张大山", birth_date=D(1945, 3, 1), employer_post="已去世"
    )
    f.AnnualAssessmentFactory(cadre=cadre, year=2023, result="excellent")
    f.RewardFactory(cadre=cadre, date=D(2018, 12, 1), name="被评为全省优秀公务员")
    f.SanctionFactory(cadre=cadre, decided_on=D(2023, 5, 10), issuer="甲县监委")
    return cadre


def page(client, user, name, pk, on="2024-05-01"):
    client.force_login(user)
    return client.get(reverse(f"admin:cadres_{name}_approval_form", args=[pk]), {"on": on})


def test_page_shows_the_form_with_ages_at_the_date(client, cadre, county_a):
    response = page(client, viewer(county_a), "cadre", cadre.pk)
    assert response.status_code == 200
    html = response.content.decode()
    for text in (
        "干部任免审批表",
        "张三",
        "1972.04",
        "（52岁）",
        "司法局局长",
        "简　历",
        "家庭主要",
        "1995.07--2008.09  甲县司法局科员",
        "2016.06--         甲县司法局局长",
        "2023年度考核为优秀。",
        "2018.12  被评为全省优秀公务员",
        "受到政务记过",
        "审　批",
    ):
        assert text in html, text
    form = response.context["form"]
    assert [(m.name, m.age) for m in form.family] == [("王芳", 50), ("张大山", None)]  # deceased: blank


def test_age_turns_on_the_birth_month(cadre):
    user = viewer(cadre.unit)
    assert approval_form.compose(cadre, user=user, on=D(2024, 3, 31)).age == 51
    assert approval_form.compose(cadre, user=user, on=D(2024, 4, 1)).age == 52


def test_case_page_fills_the_proposal(client, cadre, county_a):
    case = f.AppointmentCaseFactory(
        cadre=cadre,
        proposed_post="甲县人民政府副县长",
        removed_post="甲县司法局局长",
        reason="工作需要，实绩突出",
        submitting_unit=county_a,
    )
    html = page(client, viewer(county_a), "appointmentcase", case.pk).content.decode()
    assert "甲县人民政府副县长" in html and "工作需要，实绩突出" in html


def test_outside_the_jurisdiction_is_404(client, cadre, county_b):
    assert page(client, viewer(county_b), "cadre", cadre.pk).status_code == 404


def test_without_the_sensitive_permission_health_is_masked_and_sanctions_left_out(client, cadre, county_a):
    response = page(client, viewer(county_a, sensitive=False), "cadre", cadre.pk)
    html = response.content.decode()
    assert response.status_code == 200 and "受到政务记过" not in html and "被评为全省优秀公务员" in html
    assert response.context["form"].health == "健*"
    assert "导出 .lrmx" not in html


def test_buttons_on_the_cadre_and_case_pages(client, cadre, county_a):
    client.force_login(viewer(county_a))
    html = client.get(reverse("admin:cadres_cadre_change", args=[cadre.pk])).content.decode()
    assert reverse("admin:cadres_cadre_approval_form", args=[cadre.pk]) in html
    case = f.AppointmentCaseFactory(cadre=cadre)
    html = client.get(reverse("admin:cadres_appointmentcase_change", args=[case.pk])).content.decode()
    assert reverse("admin:cadres_appointmentcase_approval_form", args=[case.pk]) in html
    assert reverse("admin:cadres_appointmentcase_lrmx", args=[case.pk]) in html


def test_docx_has_the_same_form(client, cadre, county_a):
    import io

    import docx

    client.force_login(viewer(county_a))
    response = client.get(reverse("admin:cadres_cadre_approval_docx", args=[cadre.pk]))
    assert response.status_code == 200
    document = docx.Document(io.BytesIO(response.content))
    text = "\n".join(cell.text for table in document.tables for row in table.rows for cell in row.cells)
    assert "张三" in text and "甲县司法局科员" in text and "2023年度考核为优秀。" in text
    assert client.get(reverse("admin:cadres_cadre_approval_docx", args=[cadre.pk + 999])).status_code == 404
    from orgportal.models import ExportLog

    logged = ExportLog.objects.get(roster="cadres.approval_docx")
    assert (logged.filters, logged.row_count, logged.channel) == (f"cadre={cadre.pk}", 1, "admin")
