"""What the browser tests do on a page: wait, open, sign in, fill, run a list action, read the console."""

from django.urls import reverse
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.select import Select
from selenium.webdriver.support.ui import WebDriverWait

from orgportal.demo import DEMO_PASSWORD

WAIT = 15  # seconds for a page or an element


def wait_for(browser, css: str):
    return WebDriverWait(browser, WAIT).until(ec.presence_of_element_located((By.CSS_SELECTOR, css)))


def open_page(browser, live_server, url: str):
    browser.get(live_server.url + url)
    wait_for(browser, "body")


def console_errors(browser) -> list[str]:
    """SEVERE console entries since the last call (the missing favicon aside)."""
    return [
        entry["message"]
        for entry in browser.get_log("browser")
        if entry["level"] == "SEVERE" and "favicon.ico" not in entry["message"]
    ]


def sign_in(browser, live_server, user) -> None:
    """Through the real login form (django-axes sees the request)."""
    browser.delete_all_cookies()
    open_page(browser, live_server, reverse("admin:login") + "?next=" + reverse("admin:index"))
    browser.find_element(By.NAME, "username").send_keys(user.username)
    browser.find_element(By.NAME, "password").send_keys(DEMO_PASSWORD)
    browser.find_element(By.CSS_SELECTOR, "input[type=submit]").click()
    wait_for(browser, "#user-tools")


def submit(browser, css: str = "input[name=_save]") -> None:
    browser.find_element(By.CSS_SELECTOR, css).click()
    wait_for(browser, "#content")


def pick(browser, field_id: str, value: str) -> None:
    Select(browser.find_element(By.ID, field_id)).select_by_value(value)


def set_autocomplete(browser, field_id: str, pk: int, label: str) -> None:
    """An autocomplete (select2) field: the underlying <select> takes the chosen option."""
    browser.execute_script(
        "const s = document.getElementById(arguments[0]); s.add(new Option(arguments[2], arguments[1], true, true));"
        "s.dispatchEvent(new Event('change'));",
        field_id,
        str(pk),
        label,
    )


def run_action(browser, action: str) -> None:
    browser.find_element(By.CSS_SELECTOR, "input.action-select").click()
    pick_by_name = Select(browser.find_element(By.NAME, "action"))
    pick_by_name.select_by_value(action)
    browser.find_element(By.CSS_SELECTOR, "button[name=index]").click()
    wait_for(browser, "form fieldset")
