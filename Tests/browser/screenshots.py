#!/usr/bin/env python3
"""Walks the seed's registration journey in headless Chromium against a running `sesame serve --demo` and saves a
screenshot of every step, on a desktop and a phone-sized window, in English and French.

Usage: screenshots.py BASE_URL OUTBOX_LOG OUTPUT_DIR
The demo users' password is read from the serve log (the development outbox prints the codes there too).
"""
import pathlib
import re
import sys
import time

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

base, log_path, out = sys.argv[1], pathlib.Path(sys.argv[2]), pathlib.Path(sys.argv[3])
out.mkdir(parents=True, exist_ok=True)


def password(user):
    match = re.search(re.escape(user) + r"\s+password: (\S+)", log_path.read_text())
    return match.group(1)


def last_code():
    codes = re.findall(r"(\d{6}) (?:is your|est votre)", log_path.read_text())
    return codes[-1]


def browser(width, height):
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", f"--window-size={width},{height}"):
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    # Headless windows are never narrower than 500 px: emulate the device to see the real phone layout.
    metrics = {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 500}
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", metrics)
    return driver


def journey(language, size, user):
    width, height = size
    driver = browser(width, height)
    step = 0

    def shot(name):
        nonlocal step
        step += 1
        driver.save_screenshot(str(out / f"{language}-{width}-{step:02d}-{name}.png"))

    try:
        driver.get(f"{base}/signin?lang={language}")
        shot("signin")
        driver.find_element(By.ID, "userID").send_keys(user)
        driver.find_element(By.ID, "password").send_keys(password(user))
        driver.find_element(By.CSS_SELECTOR, "form[action='/signin'] button").click()
        shot("interrupt")
        driver.find_element(By.CSS_SELECTOR, "a[href='/register']").click()
        shot("register")
        driver.find_element(By.CSS_SELECTOR, "a[href='/register/phone']").click()
        Select(driver.find_element(By.ID, "country")).select_by_value("FR")
        number = driver.find_element(By.ID, "number")
        number.clear()
        number.send_keys("06 12 34 56 78")
        shot("phone")
        driver.find_element(By.CSS_SELECTOR, "button[value='sms']").click()
        shot("code")
        time.sleep(0.2)
        driver.find_element(By.ID, "code").send_keys(last_code())
        driver.find_element(By.CSS_SELECTOR, "form[action='/register/verify'] button").click()
        shot("thanks")
        driver.get(f"{base}/register")
        shot("register-done")
        driver.find_element(By.CSS_SELECTOR, "form[action='/register/finish'] button").click()
        shot("account")
    finally:
        driver.quit()


journey("en", (1280, 900), "alice@contoso.example")
journey("fr", (390, 844), "bob@contoso.example")
print(f"screenshots in {out}")


def reset_journey(language, size, user):
    """The reset portal with script on: the CAPTCHA is solved by the page, then one SMS gate and a new password."""
    width, height = size
    driver = browser(width, height)

    def shot(name):
        driver.save_screenshot(str(out / f"reset-{language}-{width}-{name}.png"))

    try:
        driver.get(f"{base}/reset?lang={language}")
        shot("1-who")
        driver.find_element(By.ID, "userID").send_keys(user)
        driver.find_element(By.CSS_SELECTOR, "form[action='/reset'] button").click()
        time.sleep(1.5)
        shot("2-options")
        driver.find_element(By.CSS_SELECTOR, "input[value='mobileSMS']").click()
        driver.find_element(By.CSS_SELECTOR, "form[action='/reset/option'] button").click()
        driver.find_element(By.ID, "number").send_keys("06 12 34 56 70")
        driver.find_element(By.CSS_SELECTOR, "form[action='/reset/phone'] button").click()
        shot("3-incorrect-number")
        driver.find_element(By.ID, "number").send_keys("06 12 34 56 78")
        driver.find_element(By.CSS_SELECTOR, "form[action='/reset/phone'] button").click()
        shot("4-code")
        time.sleep(0.2)
        driver.find_element(By.ID, "code").send_keys(last_code())
        driver.find_element(By.CSS_SELECTOR, "form[action='/reset/code'] button").click()
        driver.find_element(By.ID, "new").send_keys("Yt7$Mx3!Ps9j")
        shot("5-password")
        driver.find_element(By.ID, "confirm").send_keys("Yt7$Mx3!Ps9j")
        driver.find_element(By.CSS_SELECTOR, "form[action='/reset/password'] button").click()
        shot("6-done")
    finally:
        driver.quit()


reset_journey("en", (1280, 900), "alice@contoso.example")
reset_journey("fr", (390, 844), "bob@contoso.example")
