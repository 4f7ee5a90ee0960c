#!/usr/bin/env python3
"""Looks at the administration pages as an administrator would, in headless Chromium, against a running
`sesame serve --demo` (which seeds a month of activity): signs in, opens every admin page in English and French,
saves a full-page screenshot of each, and checks what a person would: the charts are drawn with bars, the reports
hold rows, nothing is wider than the window, and a filter narrows the table.

Usage: admin_screenshots.py BASE_URL SERVE_LOG OUTPUT_DIR
"""
import pathlib
import re
import sys

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By

base, log_path, out = sys.argv[1], pathlib.Path(sys.argv[2]), pathlib.Path(sys.argv[3])
out.mkdir(parents=True, exist_ok=True)
password = re.search(r"admin@contoso\.example\s+password: (\S+)", log_path.read_text()).group(1)
pages = ["policy", "users", "branding", "reports/resets", "reports/registrations", "audit"]
failures = []


def check(condition, message):
    if not condition:
        failures.append(message)


options = webdriver.ChromeOptions()
options.binary_location = "/usr/bin/chromium"
for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,900"):
    options.add_argument(argument)
driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
try:
    driver.get(f"{base}/signin")
    driver.find_element(By.ID, "userID").send_keys("admin@contoso.example")
    driver.find_element(By.ID, "password").send_keys(password)
    driver.find_element(By.CSS_SELECTOR, "form[action='/signin'] button").click()
    for language in ("en", "fr"):
        for page in pages:
            driver.set_window_size(1280, 900)
            driver.get(f"{base}/admin/{page}?lang={language}")
            height = driver.execute_script("return document.documentElement.scrollHeight")
            width = driver.execute_script("return document.documentElement.scrollWidth")
            check(width <= 1280, f"{page} ({language}) is {width} px wide")
            driver.set_window_size(1280, min(height + 100, 6000))
            driver.save_screenshot(str(out / f"admin-{language}-{page.replace('/', '-')}.png"))
            if page.startswith("reports") or page == "audit":
                rows = driver.find_elements(By.CSS_SELECTOR, "tbody tr")
                check(len(rows) > 1, f"{page} ({language}) shows {len(rows)} rows")
            if page.startswith("reports"):
                bars = driver.find_elements(By.CSS_SELECTOR, "svg.chart rect")
                check(len(bars) > 5, f"{page} ({language}) draws {len(bars)} bars")
    # A filter narrows the table, and the export link carries it.
    driver.get(f"{base}/admin/reports/resets?lang=en")
    before = len(driver.find_elements(By.CSS_SELECTOR, "tbody tr"))
    driver.find_element(By.CSS_SELECTOR, "input[name='f.result']").send_keys("Succeeded")
    driver.find_element(By.CSS_SELECTOR, "form.report-filters button[type=submit]").click()
    after = driver.find_elements(By.CSS_SELECTOR, "tbody tr")
    check(0 < len(after) < before, f"filtering on Succeeded kept {len(after)} of {before} rows")
    check(all("Succeeded" in row.text for row in after), "a filtered row is not Succeeded")
    csv = driver.find_element(By.LINK_TEXT, "Export as CSV").get_attribute("href")
    check("f.result=Succeeded" in csv and "format=csv" in csv, f"the export link is {csv}")
    driver.save_screenshot(str(out / "admin-en-reports-resets-filtered.png"))
finally:
    driver.quit()

if failures:
    print("\n".join(failures), file=sys.stderr)
    sys.exit(1)
print(f"admin pages: {len(pages) * 2 + 1} screenshots in {out}")
