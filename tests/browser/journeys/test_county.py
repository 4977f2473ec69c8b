"""县区组织部, in chromium as the county's own department: it sees its cadres' full records (ID numbers
included), exports its 干部花名册, edits a cell, imports the file back — the preview shows one change
and the rest unchanged — and confirms; a file with a wrong value comes back with every error, the error
workbook and the upload form to send the corrected file."""

import datetime
import os
import time

import openpyxl
import pytest

if os.environ.get("REQUIRE_BROWSER") != "1":  # without selenium: skip, unless the browser is required
    pytest.importorskip("selenium", reason="selenium is not installed (requirements-dev.txt)")

from django.contrib.auth.models import Group
from django.urls import reverse
from selenium.webdriver.common.by import By

from cadres.models import Cadre
from orgportal import codes
from tests.browser.pages import WAIT, console_errors, open_page, pick, sign_in, wait_for
from tests.factories import CadreFactory, UnitFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def downloaded(downloads, before: set, suffix: str = ".xlsx"):
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        arrived = [p for p in set(downloads.iterdir()) - before if p.suffix == suffix]
        if arrived:
            time.sleep(0.3)  # let chromium finish the rename
            return arrived[0]
        time.sleep(0.2)
    raise AssertionError("no file downloaded")


def upload(browser, live_server, path) -> str:
    """Send `path` as the 干部花名册 from the import page; the preview's text."""
    pick(browser, "id_roster", "cadres.standard")
    browser.find_element(By.ID, "id_file").send_keys(str(path))
    browser.find_element(By.CSS_SELECTOR, "#content form input[type=submit]").click()
    wait_for(browser, "#content table")
    return browser.find_element(By.CSS_SELECTOR, "#content").text


def test_a_county_exports_its_roster_edits_a_cell_and_imports_it_back(
    browser, live_server, county, downloads, tmp_path, screenshot
):
    other = UnitFactory(name="乙县", kind=codes.UnitKind.COUNTY, parent=county.parent)
    mine = [
        CadreFactory(unit=county, name=name, birth_date=datetime.date(1985, 3, 1))
        for name in ("赵刚", "钱锋", "孙丽")
    ]
    CadreFactory(unit=other, name="李四")
    clerk = UserFactory(username="county_clerk", first_name="甲县委组织部", units=[county])
    clerk.groups.add(Group.objects.get(name="县区组织部"))

    sign_in(browser, live_server, clerk)
    open_page(browser, live_server, reverse("admin:cadres_cadre_changelist"))
    before = set(downloads.iterdir())
    browser.find_element(By.PARTIAL_LINK_TEXT, "导出干部花名册").click()
    exported = downloaded(downloads, before)
    book = openpyxl.load_workbook(exported)
    sheet = book.active
    header = [c.value for c in sheet[2]]
    rows = {row[header.index("姓名")]: row for row in sheet.iter_rows(min_row=3, values_only=True)}
    assert set(rows) == {"赵刚", "钱锋", "孙丽"}  # its own cadres only
    assert rows["赵刚"][header.index("公民身份号码")] == mine[0].id_number  # seen whole: it manages them
    assert header[-1] == "系统记录号（勿改）"

    note = header.index("备注") + 1
    first = next(
        r for r in range(3, sheet.max_row + 1) if sheet.cell(r, header.index("姓名") + 1).value == "钱锋"
    )
    sheet.cell(first, note).value = "2026年度跟踪培养对象"
    edited = tmp_path / "花名册（已改）.xlsx"
    book.save(edited)

    open_page(browser, live_server, reverse("admin:cadres_cadre_roster_import"))
    preview = upload(browser, live_server, edited)
    assert "更新 1" in preview and "无变化 2" in preview and "错误 0" in preview
    changed = [
        r.text for r in browser.find_elements(By.CSS_SELECTOR, "#content table tbody tr") if "更新" in r.text
    ]
    assert len(changed) == 1 and "钱锋" in changed[0]
    screenshot("county-roster-preview", height=900)
    browser.find_element(By.CSS_SELECTOR, "input[name=confirm]").click()
    wait_for(browser, "#content table")
    assert "已全部写入" in browser.find_element(By.CSS_SELECTOR, "#content").text
    assert Cadre.objects.get(pk=mine[1].pk).note == "2026年度跟踪培养对象"

    # A wrong 民族 and an impossible date: both at once, the error workbook, the form again.
    sheet.cell(first, header.index("民族") + 1).value = "汉人"
    sheet.cell(first, header.index("参加工作时间") + 1).value = "2007.13"
    wrong = tmp_path / "花名册（有错）.xlsx"
    book.save(wrong)
    open_page(browser, live_server, reverse("admin:cadres_cadre_roster_import"))
    preview = upload(browser, live_server, wrong)
    assert "是否为：汉族" in preview and "参加工作时间" in preview and "未写入任何数据" in preview
    assert browser.find_element(By.ID, "id_file")  # the upload form, to send the corrected file
    screenshot("county-roster-errors", height=1000)
    before = set(downloads.iterdir())
    browser.find_element(By.PARTIAL_LINK_TEXT, "下载错误说明表").click()
    errors = openpyxl.load_workbook(downloaded(downloads, before)).active
    assert [c.value for c in errors[2]][-1] == "错误说明"
    explained = [errors.cell(r, errors.max_column).value for r in range(3, errors.max_row + 1)]
    assert any(text and "民族" in text and "参加工作时间" in text for text in explained)
    assert console_errors(browser) == []
