#!/usr/bin/env python3
"""Looks at the administration pages as an administrator would, in headless Chromium, against a running
`sesame serve --demo` (which seeds a month of activity): signs in, opens every admin page in English and French,
saves a full-page screenshot of each, checks each with axe-core, and checks what a person would: the charts are drawn
with bars, the reports hold rows, nothing is wider than the window, and a filter narrows the table.

Usage: admin_screenshots.py BASE_URL SERVE_LOG OUTPUT_DIR
"""
import pathlib
import re
import sys

from selenium.webdriver.common.by import By

from browser import Browser, check, finish

base, log_path, out = sys.argv[1], pathlib.Path(sys.argv[2]), pathlib.Path(sys.argv[3])
out.mkdir(parents=True, exist_ok=True)
password = re.search(r"admin@contoso\.example\s+password: (\S+)", log_path.read_text()).group(1)
pages = ["policy", "users", "users/import", "branding", "reports/resets", "reports/registrations", "audit"]

with Browser("admin", out, base) as admin:
    admin.driver.get(f"{base}/signin")
    admin.type("userID", "admin@contoso.example")
    admin.type("password", password)
    with admin.navigation():
        admin.find("form[action='/signin'] button").click()
    for language in ("en", "fr"):
        for page in pages:
            admin.driver.get(f"{base}/admin/{page}?lang={language}")
            admin.page(f"{language}-{page.replace('/', '-')}", full_page=True)
            if page.startswith("reports") or page == "audit":
                rows = admin.driver.find_elements(By.CSS_SELECTOR, "tbody tr")
                check(len(rows) > 1, f"{page} ({language}) shows {len(rows)} rows")
            if page.startswith("reports"):
                bars = admin.driver.find_elements(By.CSS_SELECTOR, "svg.chart rect")
                check(len(bars) > 5, f"{page} ({language}) draws {len(bars)} bars")
        admin.driver.get(f"{base}/admin/users?lang={language}")
        with admin.navigation():
            admin.find("tbody a").click()
        admin.page(f"{language}-user", full_page=True)
    # A filter narrows the table, and the export link carries it.
    admin.driver.get(f"{base}/admin/reports/resets?lang=en")
    before = len(admin.driver.find_elements(By.CSS_SELECTOR, "tbody tr"))
    admin.find("input[name='f.result']").send_keys("Succeeded")
    admin.click("form.report-filters button[type=submit]", "en-reports-resets-filtered")
    after = admin.driver.find_elements(By.CSS_SELECTOR, "tbody tr")
    check(0 < len(after) < before, f"filtering on Succeeded kept {len(after)} of {before} rows")
    check(all("Succeeded" in row.text for row in after), "a filtered row is not Succeeded")
    csv = admin.driver.find_element(By.LINK_TEXT, "Export as CSV").get_attribute("href")
    check("f.result=Succeeded" in csv and "format=csv" in csv, f"the export link is {csv}")

finish(f"admin pages: {admin.step} pages checked, screenshots in {out}")
