"""Headless Chromium as a person uses it, shared by the browser tests: every page shown is saved as a screenshot,
checked with axe-core (a serious or critical violation is a failure) and checked for sideways scrolling; the keyboard
helpers move only with Tab, Space and Enter, and check that the focused element can be seen."""
import contextlib
import importlib.util
import pathlib
import sys

from selenium import webdriver
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.expected_conditions import staleness_of
from selenium.webdriver.support.ui import WebDriverWait

AXE = (pathlib.Path(importlib.util.find_spec("axe_playwright_python").submodule_search_locations[0]) / "axe.min.js").read_text()
failures = []


def check(condition, message):
    if not condition:
        failures.append(message)
        print("FAIL", message, file=sys.stderr)


def finish(summary):
    """Exits non-zero when any check failed."""
    if failures:
        print(f"{len(failures)} problems", file=sys.stderr)
        sys.exit(1)
    print(summary)


class Browser:
    """One person's browser window. `script=False` turns JavaScript off for the pages (axe still runs, between pages);
    `downloads` is the folder that receives downloaded files."""

    def __init__(self, name, out, base="", width=1280, height=900, script=True, downloads=None):
        self.name, self.out, self.base, self.width, self.script, self.step = name, out, base, width, script, 0
        options = webdriver.ChromeOptions()
        options.binary_location = "/usr/bin/chromium"
        for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", f"--window-size={width},{height}"):
            options.add_argument(argument)
        if downloads:
            options.add_experimental_option("prefs", {"download.default_directory": str(downloads), "download.prompt_for_download": False})
        self.driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
        if width < 500:
            # Headless windows are never narrower than 500 px: emulate the device for the phone layout.
            self.driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                                        {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": True})
        self.height = height
        self.driver.execute_cdp_cmd("Emulation.setScriptExecutionDisabled", {"value": not script})

    def __enter__(self):
        return self

    def __exit__(self, kind, error, trace):
        if error:
            # What the person saw when the journey broke off, for whoever reads the failure.
            self.driver.save_screenshot(str(self.out / f"{self.name}-failed.png"))
            print(f"{self.name}: broke off at {self.driver.current_url}: {kind.__name__}", file=sys.stderr)
        self.driver.quit()

    def page(self, label, full_page=False):
        """A screenshot (of the whole page when `full_page`, on a desktop window), the axe check and the overflow
        check of the page now shown."""
        self.step += 1
        driver = self.driver
        if full_page:
            driver.set_window_size(self.width, self.height)
            height = driver.execute_script("return document.documentElement.scrollHeight")
            driver.set_window_size(self.width, min(height + 100, 6000))
        driver.save_screenshot(str(self.out / f"{self.name}-{self.step:02d}-{label}.png"))
        for violation in self.axe_violations():
            if violation["impact"] in ("serious", "critical"):
                check(False, f"{self.name} {label}: axe {violation['impact']} {violation['id']}: {violation['help']} "
                             f"({violation['nodes'][0]['target']})")
        # A catalogue branch put where a text belongs renders as a dictionary: ["_": "Source", …].
        check('"_": ' not in driver.find_element(By.TAG_NAME, "body").text, f"{self.name} {label}: a text shows as a dictionary")
        width = driver.execute_script("return document.documentElement.scrollWidth")
        check(width <= self.width, f"{self.name} {label}: the page is {width} px wide")

    def axe_violations(self):
        # With the page's scripts off, axe's own script is let in for the check only: the page has already been
        # parsed as a browser without JavaScript parses it (the <noscript> content shown).
        if not self.script:
            self.driver.execute_cdp_cmd("Emulation.setScriptExecutionDisabled", {"value": False})
        try:
            self.driver.execute_script(AXE)
            return self.driver.execute_async_script("const done = arguments[0]; axe.run().then(r => done(r.violations));")
        finally:
            if not self.script:
                self.driver.execute_cdp_cmd("Emulation.setScriptExecutionDisabled", {"value": True})

    def go(self, path, label):
        self.driver.get(self.base + path)
        self.page(label)

    def find(self, selector):
        return self.driver.find_element(By.CSS_SELECTOR, selector)

    def type(self, element_id, text):
        field = self.driver.find_element(By.ID, element_id)
        field.clear()
        field.send_keys(text)

    @contextlib.contextmanager
    def navigation(self):
        """Waits, after the body of the `with`, until the page it leads to has replaced this one: a click returns
        before a form's redirect has landed."""
        old = self.driver.find_element(By.TAG_NAME, "html")
        yield
        # While the old page goes, asking about it may also fail with another error than "stale": wait on.
        WebDriverWait(self.driver, 30, ignored_exceptions=(WebDriverException,)).until(staleness_of(old))

    def click(self, selector, label):
        element = self.find(selector)
        stays = element.get_attribute("type") in ("radio", "checkbox")
        with contextlib.nullcontext() if stays else self.navigation():
            element.click()
        self.page(label)

    def text(self):
        return self.driver.find_element(By.TAG_NAME, "main").text

    def url(self):
        return self.driver.current_url

    # Keyboard only

    def tab_to(self, selector, limit=40):
        """Presses Tab until the element matching `selector` has the focus, checking on the way that every focused
        element shows it has the focus. Fails when it is not reached."""
        if self.driver.execute_script("return document.activeElement.matches(arguments[0])", selector):
            return
        for _ in range(limit):
            ActionChains(self.driver).send_keys(Keys.TAB).perform()
            focused = self.driver.switch_to.active_element
            visible = self.driver.execute_script(
                "const s = getComputedStyle(arguments[0]);"
                "return s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0 || s.boxShadow !== 'none';", focused)
            check(visible, f"{self.name}: the focus on {focused.tag_name} {focused.get_attribute('name')} cannot be seen")
            if self.driver.execute_script("return arguments[0].matches(arguments[1])", focused, selector):
                return
        check(False, f"{self.name}: {selector} cannot be reached with Tab")
        raise AssertionError(f"{selector} not reachable")

    def keys(self, *keys):
        """Types into whatever has the focus."""
        ActionChains(self.driver).send_keys(*keys).perform()

    def press(self, selector, label, key=Keys.ENTER):
        """Tabs to `selector` and presses Enter (or `key`) on it."""
        self.tab_to(selector)
        with self.navigation():
            self.keys(key)
        self.page(label)
