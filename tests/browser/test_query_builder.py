"""The query builder (组合查询) in chromium: add a condition, pick its field, operator and value, see
the count update, open the result as the cadre list, save the query."""

import os

import pytest

if os.environ.get("REQUIRE_BROWSER") != "1":
    pytest.importorskip("selenium", reason="selenium is not installed (requirements-dev.txt)")

from django.urls import reverse
from selenium.webdriver.common.by import By
from selenium.webdriver.support.select import Select
from selenium.webdriver.support.ui import WebDriverWait

from cadres.models import SavedQuery
from tests.browser.pages import console_errors, open_page, sign_in, wait_for
from tests.factories import CadreFactory, UnitFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)
WAIT = 15


@pytest.fixture
def county(db):
    return UnitFactory(name="甲县")


def status_reads(browser, text: str) -> None:
    WebDriverWait(browser, WAIT).until(lambda b: text in b.find_element(By.ID, "qb-status").text)


def test_build_count_open_and_save(browser, live_server, county):
    user = UserFactory(username="builder-admin", is_superuser=True)
    women = [CadreFactory(unit=county, gender="2", expertise="熟悉财政金融工作") for _ in range(2)]
    CadreFactory(unit=county, gender="1", expertise="熟悉财政金融工作")
    CadreFactory(unit=county, gender="2", expertise="熟悉党建工作")
    sign_in(browser, live_server, user)
    open_page(browser, live_server, reverse("admin:cadres_savedquery_builder"))
    wait_for(browser, "#qb-root .qb-group")
    status_reads(browser, "4 人")  # the empty query finds everyone

    def add_condition(field: str, op: str):
        browser.find_element(By.XPATH, "//div[@id='qb-root']//button[text()='添加条件']").click()
        row = browser.find_elements(By.CSS_SELECTOR, "#qb-root .qb-group > div:nth-child(2) > .qb-row")[-1]
        Select(row.find_element(By.CSS_SELECTOR, "select")).select_by_value(field)
        Select(row.find_elements(By.CSS_SELECTOR, "select")[1]).select_by_value(op)
        return row

    row = add_condition("gender", "in")
    Select(row.find_element(By.CSS_SELECTOR, "select[multiple]")).select_by_value("2")
    status_reads(browser, "3 人")
    row = add_condition("expertise", "contains")
    row.find_element(By.CSS_SELECTOR, "input[type=text]").send_keys("财政")
    status_reads(browser, "2 人")

    opened = browser.find_element(By.ID, "qb-open").get_attribute("href")
    browser.find_element(By.ID, "qb-name").send_keys("财政专长女干部")
    browser.find_element(By.CSS_SELECTOR, "#qb-save input[type=submit]").click()
    wait_for(browser, "#result_list")
    saved = SavedQuery.objects.get(name="财政专长女干部")
    assert saved.owner == user and "q_saved" in browser.current_url
    assert shown_ids(browser) == {c.pk for c in women}  # the saved query as the cadre list
    browser.get(opened)  # 打开为干部列表: the unsaved query in the URL
    wait_for(browser, "#result_list")
    assert shown_ids(browser) == {c.pk for c in women}
    assert not console_errors(browser)


def shown_ids(browser) -> set:
    return {
        int(box.get_attribute("value"))
        for box in browser.find_elements(By.CSS_SELECTOR, "input.action-select")
    }
