"""Headless Chromium as a person uses it, shared by the browser tests: every page shown is saved as a screenshot,
checked with axe-core (a serious or critical violation is a failure) and checked for sideways scrolling; a
keyboard-only person moves with Tab and the arrows and acts with Space and Enter, and every focused element must show
its focus."""
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
from selenium.webdriver.support.ui import Select, WebDriverWait

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
    `keyboard=True` makes every action a keyboard's; `downloads` is the folder that receives downloaded files."""

    def __init__(self, name, out, base="", width=1280, height=900, script=True, keyboard=False, downloads=None):
        self.name, self.out, self.base, self.width, self.step = name, out, base, width, 0
        self.script, self.keyboard = script, keyboard
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

    @contextlib.contextmanager
    def navigation(self):
        """Waits, after the body of the `with`, until the page it leads to has replaced this one: a click returns
        before a form's redirect has landed."""
        old = self.driver.find_element(By.TAG_NAME, "html")
        yield
        # While the old page goes, asking about it may also fail with another error than "stale": wait on.
        WebDriverWait(self.driver, 30, ignored_exceptions=(WebDriverException,)).until(staleness_of(old))

    def text(self):
        return self.driver.find_element(By.TAG_NAME, "main").text

    def url(self):
        return self.driver.current_url

    # What a person does: with the mouse, or with the keyboard only (Tab, typing, arrows, Space and Enter)

    def type(self, element_id, text):
        if self.keyboard:
            self.tab_to(f"#{element_id}")
            # Select what the field holds, so that typing replaces it.
            ActionChains(self.driver).key_down(Keys.CONTROL).send_keys("a").key_up(Keys.CONTROL).send_keys(text).perform()
        else:
            field = self.driver.find_element(By.ID, element_id)
            field.clear()
            field.send_keys(text)

    def choose(self, element_id, value, text):
        """Chooses an option of a <select>: by its value with the mouse, by typing its text with the keyboard."""
        if self.keyboard:
            self.tab_to(f"#{element_id}")
            self.keys(text)
        else:
            Select(self.find(f"#{element_id}")).select_by_value(value)
        check(self.find(f"#{element_id}").get_attribute("value") == value, f"{self.name}: '{text}' was not chosen")

    def click(self, selector, label):
        """Clicks, or tabs to the element and presses Enter (Space on a radio button or box); then looks at the
        page."""
        element = self.find(selector)
        kind = element.get_attribute("type")
        if kind in ("radio", "checkbox"):
            if self.keyboard:
                self.tab_into(selector, element.get_attribute("name"))
                self.keys(Keys.SPACE)
            else:
                element.click()
            check(element.is_selected(), f"{self.name}: {selector} was not chosen")
        else:
            with self.navigation():
                if self.keyboard:
                    self.tab_to(selector)
                    self.keys(Keys.ENTER)
                else:
                    element.click()
        self.page(label)

    def tab_into(self, selector, group):
        """Tab stops once in a group of radio buttons: the arrows move within it."""
        self.tab_to(f"input[name='{group}']")
        for _ in range(len(self.driver.find_elements(By.CSS_SELECTOR, f"input[name='{group}']"))):
            if self.driver.execute_script("return document.activeElement.matches(arguments[0])", selector):
                return
            self.keys(Keys.ARROW_DOWN)
        raise AssertionError(f"{selector} not reachable with the arrows")

    def tab_to(self, selector, limit=40):
        """Presses Tab until the element matching `selector` has the focus, checking on the way that every focused
        element shows it has the focus. Fails when it is not reached."""
        if self.driver.execute_script("return document.activeElement.matches(arguments[0])", selector):
            return
        for _ in range(limit):
            self.keys(Keys.TAB)
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
