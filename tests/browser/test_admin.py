"""The admin as a person uses it, in chromium: sign in through the login form, add a cadre (a wrong
ID checksum refused on the field), admit to the pool and exit with a reason, import a roster with a
bad row (the row-by-row preview), export a filtered list (the file arrives), the dashboard and every
chart drawn without console errors, the switch to English."""

import datetime
import os
import re
import time

import openpyxl
import pytest

if os.environ.get("REQUIRE_BROWSER") != "1":  # without selenium: skip, unless the browser is required
    pytest.importorskip("selenium", reason="selenium is not installed (requirements-dev.txt)")

from django.urls import reverse
from selenium.webdriver.common.by import By
from selenium.webdriver.support.select import Select
from selenium.webdriver.support.ui import WebDriverWait

from cadres import demo as cadre_demo
from cadres.models import Cadre, PoolMembership
from orgportal import codes
from orgportal import rosters as roster_engine
from tests.browser.pages import (
    WAIT,
    console_errors,
    open_page,
    pick,
    run_action,
    set_autocomplete,
    sign_in,
    submit,
    wait_for,
)
from tests.factories import CadreFactory
from tests.orgportal.test_dashboard import populate

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_wrong_id_checksum_is_shown_on_the_field_then_the_fixed_cadre_saves(
    browser, live_server, admin_user, county
):
    sign_in(browser, live_server, admin_user)
    open_page(browser, live_server, reverse("admin:cadres_cadre_add"))
    birth = datetime.date(1990, 3, 1)
    valid = cadre_demo.id_number_for(7, birth, codes.Gender.FEMALE)
    wrong = valid[:-1] + ("0" if valid[-1] != "0" else "1")
    browser.find_element(By.ID, "id_name").send_keys("李晓梅")
    pick(browser, "id_gender", codes.Gender.FEMALE)
    browser.find_element(By.ID, "id_birth_date").send_keys("1990-03-01")
    pick(browser, "id_ethnicity", codes.Ethnicity.HAN)
    pick(browser, "id_political_status", "01")
    browser.find_element(By.ID, "id_id_number").send_keys(wrong)
    set_autocomplete(browser, "id_unit", county.pk, county.name)
    submit(browser)
    error = browser.find_element(By.CSS_SELECTOR, ".field-id_number .errorlist")
    assert "校验" in error.text
    assert not Cadre.objects.exists()
    field = browser.find_element(By.ID, "id_id_number")
    field.clear()
    field.send_keys(valid)
    submit(browser)
    wait_for(browser, ".messagelist .success")
    assert Cadre.objects.get().id_number == valid
    assert console_errors(browser) == []


def test_a_cadre_is_admitted_to_the_pool_from_the_list_then_exits_with_a_reason(
    browser, live_server, admin_user, county
):
    cadre = CadreFactory(unit=county, birth_date=datetime.date(1992, 5, 1), name="王青")
    sign_in(browser, live_server, admin_user)
    open_page(browser, live_server, reverse("admin:cadres_cadre_changelist") + f"?q={cadre.name}")
    run_action(browser, "admit_selected")
    pick(browser, "id_source", codes.PoolSource.RECOMMENDATION)
    pick(browser, "id_tier", codes.LeadershipLevel.TOWNSHIP_DEPUTY)
    submit(browser, "input[type=submit].default")
    wait_for(browser, ".messagelist li.info")
    assert not browser.find_elements(By.CSS_SELECTOR, ".messagelist .error")
    membership = PoolMembership.objects.get(cadre=cadre)
    assert membership.status == codes.PoolStatus.IN
    open_page(browser, live_server, reverse("admin:cadres_poolmembership_changelist") + "?status__exact=in")
    run_action(browser, "exit_selected")
    pick(browser, "id_exit_reason", codes.PoolExitReason.TRANSFERRED)
    browser.find_element(By.ID, "id_exit_note").send_keys("调离本市")
    submit(browser, "input[type=submit].default")
    wait_for(browser, ".messagelist li.info")
    membership.refresh_from_db()
    assert (membership.status, membership.exit_reason) == (
        codes.PoolStatus.OUT,
        codes.PoolExitReason.TRANSFERRED,
    )
    assert console_errors(browser) == []


def _roster_file(path, county) -> None:
    """The 干部简明花名册 template with a good row and a row whose ID number fails its checksum."""
    with open(path, "wb") as handle:
        roster_engine.template(roster_engine.get("cadres.brief"), handle)
    book = openpyxl.load_workbook(path)
    sheet = book.active
    headers = [cell.value for cell in sheet[1]]
    good = cadre_demo.id_number_for(3, datetime.date(1988, 6, 1), codes.Gender.MALE)
    bad = cadre_demo.id_number_for(4, datetime.date(1987, 2, 1), codes.Gender.MALE)[:-1] + "X"
    for number, (name, birth, id_number) in enumerate(
        [("赵刚", "1988.06", good), ("钱锋", "1987.02", bad)], 2
    ):
        values = {
            "姓名": name,
            "性别": "男",
            "出生年月": birth,
            "民族": "汉族",
            "政治面貌": "中共党员",
            "工作单位": county.name,
            "现任职务": "科员",
            "公民身份号码": id_number,
        }
        for column, header in enumerate(headers, 1):
            sheet.cell(number, column, values.get(header))
    book.save(path)


def test_a_roster_with_one_bad_row_shows_the_row_by_row_preview_and_writes_nothing(
    browser, live_server, admin_user, county, tmp_path, screenshot
):
    path = tmp_path / "花名册.xlsx"
    _roster_file(path, county)
    sign_in(browser, live_server, admin_user)
    open_page(browser, live_server, reverse("admin:cadres_cadre_roster_import"))
    pick(browser, "id_roster", "cadres.brief")
    browser.find_element(By.ID, "id_file").send_keys(str(path))
    browser.find_element(By.CSS_SELECTOR, "#content form input[type=submit]").click()
    wait_for(browser, "#content table")
    rows = [row.text for row in browser.find_elements(By.CSS_SELECTOR, "#content table tbody tr")]
    assert len(rows) == 2
    assert "赵刚" in rows[0] and "新增" in rows[0]
    assert "钱锋" in rows[1] and "公民身份号码" in rows[1]
    assert "未写入任何数据" in browser.find_element(By.CSS_SELECTOR, "#content").text
    assert not Cadre.objects.exists()
    screenshot("import-preview", height=900)
    assert console_errors(browser) == []


def test_a_filtered_list_exports_to_a_file(browser, live_server, admin_user, county, downloads):
    CadreFactory(unit=county, gender=codes.Gender.FEMALE)
    CadreFactory(unit=county, gender=codes.Gender.MALE)
    before = set(downloads.iterdir())
    sign_in(browser, live_server, admin_user)
    open_page(browser, live_server, reverse("admin:cadres_cadre_changelist") + "?gender__exact=2")
    browser.find_element(By.PARTIAL_LINK_TEXT, "导出干部简明花名册").click()
    deadline = time.monotonic() + WAIT
    arrived = []
    while time.monotonic() < deadline:
        arrived = [p for p in set(downloads.iterdir()) - before if p.suffix == ".xlsx"]
        if arrived:
            break
        time.sleep(0.2)
    assert arrived, "no .xlsx downloaded"
    time.sleep(0.3)  # let chromium finish the rename
    sheet = openpyxl.load_workbook(arrived[0]).active
    genders = [row for row in sheet.iter_rows(values_only=True) if "女" in row or "男" in row]
    assert len(genders) == 1 and "女" in genders[0]


def test_the_dashboard_and_every_chart_are_drawn_without_console_errors(
    browser, live_server, admin_user, county, screenshot
):
    populate(county, 3)
    sign_in(browser, live_server, admin_user)
    console_errors(browser)
    open_page(browser, live_server, reverse("admin:index"))
    tiles = browser.find_elements(By.CSS_SELECTOR, "#dashboard .tile")
    assert len(tiles) >= 10
    warnings = browser.find_element(By.CSS_SELECTOR, ".tile[data-key=open_warnings] .figure")
    assert warnings.text == "6"  # two open warnings for each of the three
    css = browser.execute_script("return getComputedStyle(document.querySelector('#header')).backgroundColor")
    assert css not in ("", "rgba(0, 0, 0, 0)"), "the admin's CSS did not load"
    screenshot("dashboard", height=1000)
    open_page(browser, live_server, reverse("admin:orgportal_charts"))
    charts = browser.find_elements(By.CSS_SELECTOR, "section.chart-block")
    assert len(charts) >= 8
    for chart in charts:
        svg = chart.find_element(By.CSS_SELECTOR, "svg.chart")
        size = svg.size
        assert size["width"] > 100 and size["height"] > 50, chart.get_attribute("id")
        assert chart.find_elements(By.CSS_SELECTOR, "rect.bar"), chart.get_attribute("id")
    screenshot("charts")
    open_page(browser, live_server, reverse("admin:orgportal_chart", args=["pool_ages"]))
    assert browser.find_elements(By.CSS_SELECTOR, "svg.chart rect.bar")
    assert console_errors(browser) == []


def test_the_language_switches_to_english(browser, live_server, admin_user):
    sign_in(browser, live_server, admin_user)
    open_page(browser, live_server, reverse("admin:index"))
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "zh-hans"
    Select(browser.find_element(By.CSS_SELECTOR, "#language-switch select")).select_by_value("en")
    WebDriverWait(browser, WAIT).until(
        lambda b: b.find_element(By.TAG_NAME, "html").get_attribute("lang") == "en"
    )
    assert "log out" in browser.find_element(By.ID, "user-tools").text.lower()
    Select(browser.find_element(By.CSS_SELECTOR, "#language-switch select")).select_by_value("zh-hans")
    WebDriverWait(browser, WAIT).until(
        lambda b: b.find_element(By.TAG_NAME, "html").get_attribute("lang") == "zh-hans"
    )


def _print_pdf(browser) -> bytes:
    """The page printed to PDF as chromium's print dialog would, with the page's own @page size."""
    import base64

    result = browser.execute_cdp_cmd("Page.printToPDF", {"preferCSSPageSize": True, "printBackground": False})
    return base64.b64decode(result["data"])


def test_printable_pages_print_on_a4_without_the_admin_frame(browser, live_server, admin_user, county):
    from tests.factories import EnrolmentFactory, TrainingClassFactory

    populate(county, 1)
    training_class = TrainingClassFactory(organiser=county)
    EnrolmentFactory(training_class=training_class, cadre__unit=county)
    cadre = Cadre.objects.first()
    sign_in(browser, live_server, admin_user)
    pages = [
        reverse("admin:orgportal_charts"),
        reverse("admin:cadres_cadre_timeline", args=[cadre.pk]),
        reverse("admin:training_trainingclass_sheet", args=[training_class.pk, "roster"]),
        reverse("admin:training_trainingclass_sheet", args=[training_class.pk, "signin"]),
        reverse("admin:cadres_structure_pool"),
    ]
    for url in pages:
        open_page(browser, live_server, url)
        browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
        hidden = browser.execute_script(
            "return ['#header', '.breadcrumbs', '#nav-sidebar'].map(s => document.querySelector(s))"
            ".filter(e => e && getComputedStyle(e).display !== 'none').length"
        )
        browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})
        assert hidden == 0, url
        pdf = _print_pdf(browser)
        assert pdf.startswith(b"%PDF"), url
        sizes = {
            tuple(round(float(n)) for n in box.split()[2:])
            for box in re.findall(rb"/MediaBox \[([^\]]*)\]", pdf)
        }
        assert sizes and sizes <= {(595, 842), (842, 595)}, (url, sizes)  # A4: 210 × 297 mm in points
    assert console_errors(browser) == []
