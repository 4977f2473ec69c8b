"""Real-browser tests: Debian's chromium driven by Selenium through chromedriver, against
pytest-django's live server (which serves the static files, so the admin's CSS and scripts load).

One browser for the session. When it cannot start (no chromium, no chromedriver, no selenium) the
tests skip with the reason — unless REQUIRE_BROWSER=1 (CI), where that is a failure.
scripts/install-browser installs the two Debian packages; `make test` runs it.
SCREENSHOTS_DIR=<dir> makes the tests save screenshots there (`make screenshots`).
"""

import os
import shutil
import tempfile
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--window-size=1366,1000",
    "--lang=zh-CN",
]


def _unavailable(reason: str):
    if os.environ.get("REQUIRE_BROWSER") == "1":
        pytest.fail(f"REQUIRE_BROWSER=1 but the browser cannot start: {reason}", pytrace=False)
    pytest.skip(
        f"browser tests skipped: {reason} (scripts/install-browser installs chromium and chromedriver)"
    )


@pytest.fixture
def county(db):
    from orgportal import codes
    from tests.factories import UnitFactory

    city = UnitFactory(name="测试市", kind=codes.UnitKind.PARTY_COMMITTEE)
    return UnitFactory(name="甲县", kind=codes.UnitKind.COUNTY, parent=city)


@pytest.fixture
def admin_user(db):
    from tests.factories import UserFactory

    return UserFactory(username="browser-admin", is_superuser=True)


@pytest.fixture(scope="session")
def downloads():
    folder = tempfile.mkdtemp(prefix="orgportal-downloads-")
    yield Path(folder)
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="session")
def browser(downloads, live_server):
    """The session's headless chromium (a fresh profile in a temporary folder). It asks for the
    live server so that it quits first: its keep-alive connections close while the server still
    shares the test database's connection with its request threads."""
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError as error:
        _unavailable(f"selenium is not installed ({error})")
    for binary in (CHROMIUM, CHROMEDRIVER):
        if not Path(binary).exists():
            _unavailable(f"{binary} not found")
    profile = tempfile.mkdtemp(prefix="orgportal-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in [*FLAGS, f"--user-data-dir={profile}"]:
        options.add_argument(flag)
    options.add_experimental_option(
        "prefs",
        {
            "download.default_directory": str(downloads),
            "download.prompt_for_download": False,
            "safebrowsing.enabled": False,
            "intl.accept_languages": "zh-CN,zh",
        },
    )
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    try:
        driver = webdriver.Chrome(options=options, service=Service(CHROMEDRIVER))
    except Exception as error:
        shutil.rmtree(profile, ignore_errors=True)
        _unavailable(f"chromium did not start: {error}".splitlines()[0])
    driver.implicitly_wait(0)
    driver.set_page_load_timeout(30)
    yield driver
    driver.quit()
    shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture
def screenshot(browser):
    """`screenshot(name)` saves a PNG of the page (its top `height` pixels) in $SCREENSHOTS_DIR, if set."""
    folder = os.environ.get("SCREENSHOTS_DIR")

    def take(name: str, *, height: int = 1600) -> None:
        if not folder:
            return
        Path(folder).mkdir(parents=True, exist_ok=True)
        page = browser.execute_script("return document.documentElement.scrollHeight")
        browser.set_window_size(1366, min(max(page, 700), height))
        browser.save_screenshot(str(Path(folder) / f"{name}.png"))
        browser.set_window_size(1366, 1000)

    return take


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture(autouse=True)
def keep_the_page_of_a_failure(request, browser):
    """A failed test leaves the page's HTML and a screenshot in $BROWSER_ARTIFACTS (default: a
    folder under the system's temporary directory), named after the test."""
    yield
    report = getattr(request.node, "report_call", None)
    if report is None or not report.failed:
        return
    folder = Path(os.environ.get("BROWSER_ARTIFACTS", Path(tempfile.gettempdir()) / "orgportal-browser"))
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{request.node.name}.html").write_text(browser.page_source, encoding="utf-8")
    browser.save_screenshot(str(folder / f"{request.node.name}.png"))
