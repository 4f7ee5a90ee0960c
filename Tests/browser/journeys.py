#!/usr/bin/env python3
"""The user journeys a person takes, in headless Chromium, in English and French, against a real `sesame serve`
whose email goes to the SMTP sink and whose SMS and calls go to a recording webhook started here: registration by
SMS, call (and on a phone-sized screen), email and security questions, reset, change of password, and an
administrator's policy change. Every page met is
checked with axe-core (no serious or critical violation), and a screenshot of every step is saved.

Usage: journeys.py SESAME_BINARY SMTP_SINK_JSON OUTPUT_DIR
"""
import email
import importlib.util
import json
import mailbox
import os
import pathlib
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, HTTPServer

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

binary, sink_json, out = sys.argv[1], pathlib.Path(sys.argv[2]), pathlib.Path(sys.argv[3])
out.mkdir(parents=True, exist_ok=True)
failures = []
PASSWORD = "Zq8#Lw4!Vr2k"
NEW_PASSWORD = "Yt7$Mx3!Ps9j-Reset"
AXE = (pathlib.Path(importlib.util.find_spec("axe_playwright_python").submodule_search_locations[0]) / "axe.min.js").read_text()


def check(condition, message):
    if not condition:
        failures.append(message)
        print("FAIL", message, file=sys.stderr)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# A recording SMS/voice provider: the generic webhook of DESIGN.md §4.
received = []


class Webhook(BaseHTTPRequestHandler):
    def do_POST(self):
        received.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


def code_for(number, channel, after):
    """The 6-digit code of the newest message to `number` on `channel` since index `after`."""
    for _ in range(100):
        for message in reversed(received[after:]):
            if message["to"] == number and message["channel"] == channel:
                digits = re.sub(r"\D", "", message["text"])
                return digits[:6] if channel == "voice" else re.search(r"\d{6}", message["text"]).group(0)
        time.sleep(0.05)
    raise AssertionError(f"no {channel} to {number}")


def mailed_code(address, after):
    """The code in the newest mail to `address` in the SMTP sink's Maildir, beyond the first `after` mails."""
    folder = sink_json.parent / "maildir"
    for _ in range(100):
        messages = [m for m in mailbox.Maildir(str(folder), create=False) if address in m["To"]]
        if len(messages) > after:
            newest = max(messages, key=lambda m: email.utils.parsedate_to_datetime(m["Date"]))
            for part in newest.walk():
                if part.get_content_type() == "text/plain":
                    return re.search(r"\d{6}", part.get_payload(decode=True).decode()).group(0)
        time.sleep(0.05)
    raise AssertionError(f"no mail to {address}")


def mails_to(address):
    folder = sink_json.parent / "maildir"
    return len([m for m in mailbox.Maildir(str(folder), create=False) if address in m["To"]])


webhook = HTTPServer(("127.0.0.1", free_port()), Webhook)
threading.Thread(target=webhook.serve_forever, daemon=True).start()

# The server, with users for each journey.
data = tempfile.mkdtemp()
port = free_port()
smtp = json.loads(sink_json.read_text())["plain"]
environment = dict(os.environ, SESAME_DATA_DIR=data, SESAME_PORT=str(port), SESAME_SMS_PROVIDER="webhook",
                   SESAME_SMS_WEBHOOK_URL=f"http://127.0.0.1:{webhook.server_port}/sms",
                   SESAME_SMTP_URL=f"smtp://127.0.0.1:{smtp}", SESAME_MAIL_FROM="Sesame <no-reply@sesame.example>")
people = {
    "reg-en@contoso.example": [], "reg-fr@contoso.example": [], "phone-en@contoso.example": [], "phone-fr@contoso.example": [],
    "call-en@contoso.example": [], "reset-en@contoso.example": ["--mobile", "+33 6 11 11 11 11"],
    "reset-fr@contoso.example": ["--mobile", "+33 6 22 22 22 22"],
    "mail-en@contoso.example": [], "questions-fr@contoso.example": [], "change-en@contoso.example": [],
    "policy-admin@contoso.example": ["--role", "globalAdmin"],
}
for user, extra in people.items():
    subprocess.run([binary, "user", "add", user, "--password", PASSWORD, "--display-name", user.split("@")[0]] + extra,
                   env=environment, check=True, capture_output=True)
server = subprocess.Popen([binary, "serve"], env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
base = f"http://127.0.0.1:{port}"
for _ in range(200):
    try:
        urllib.request.urlopen(f"{base}/health/ready")
        break
    except OSError:
        time.sleep(0.05)


class Journey:
    def __init__(self, name, width=1280, height=900):
        self.name, self.step = name, 0
        options = webdriver.ChromeOptions()
        options.binary_location = "/usr/bin/chromium"
        for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", f"--window-size={width},{height}"):
            options.add_argument(argument)
        self.driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
        # Headless windows are never narrower than 500 px: emulate the device for the phone layout.
        self.driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                                    {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 500})
        self.width = width

    def page(self, label):
        """A screenshot, the axe check and the overflow check of the page now shown."""
        self.step += 1
        driver = self.driver
        driver.save_screenshot(str(out / f"{self.name}-{self.step:02d}-{label}.png"))
        driver.execute_script(AXE)
        result = driver.execute_async_script("const done = arguments[0]; axe.run().then(done);")
        for violation in result["violations"]:
            if violation["impact"] in ("serious", "critical"):
                check(False, f"{self.name} {label}: axe {violation['impact']} {violation['id']}: {violation['help']} "
                             f"({violation['nodes'][0]['target']})")
        width = driver.execute_script("return document.documentElement.scrollWidth")
        check(width <= self.width, f"{self.name} {label}: the page is {width} px wide")

    def go(self, path, label):
        self.driver.get(base + path)
        self.page(label)

    def type(self, element_id, text):
        field = self.driver.find_element(By.ID, element_id)
        field.clear()
        field.send_keys(text)

    def click(self, selector, label):
        self.driver.find_element(By.CSS_SELECTOR, selector).click()
        self.page(label)

    def text(self):
        return self.driver.find_element(By.TAG_NAME, "main").text

    def sign_in(self, user, password, language):
        self.go(f"/signin?lang={language}", "signin")
        self.type("userID", user)
        self.type("password", password)
        self.click("form[action='/signin'] button", "signed-in")

    def quit(self):
        self.driver.quit()


def registration(language, user, width=1280, channel="sms"):
    journey = Journey(f"register-{channel}-{language}-{width}", width, 900 if width > 500 else 740)
    try:
        journey.sign_in(user, PASSWORD, language)
        check("/signin/interrupt" in journey.driver.current_url, f"{journey.name}: sign-in did not ask to register")
        journey.click("a[href='/register']", "register")
        journey.click("a[href='/register/phone']", "phone")
        Select(journey.driver.find_element(By.ID, "country")).select_by_value("FR")
        journey.type("number", "06 12 34 56 78")
        before = len(received)
        journey.click(f"button[value='{channel}']", "code")
        journey.type("code", code_for("+33612345678", channel, before))
        journey.click("form[action='/register/verify'] button", "thanks")
        check(("Thanks" if language == "en" else "Merci") in journey.text(), f"{journey.name}: no thanks")
        journey.go("/register", "register-done")
        journey.click("form[action='/register/finish'] button", "account")
        check(journey.driver.current_url.endswith("/account"), f"{journey.name}: finish did not lead to the account")
    finally:
        journey.quit()


def email_registration(language, user, address):
    journey = Journey(f"register-email-{language}")
    try:
        journey.sign_in(user, PASSWORD, language)
        journey.click("a[href='/register']", "register")
        journey.click("a[href='/register/email']", "email")
        journey.type("address", address)
        before = mails_to(address)
        journey.click("form[action='/register/email'] button", "code")
        journey.type("code", mailed_code(address, before))
        journey.click("form[action='/register/verify'] button", "thanks")
        check(("Thanks" if language == "en" else "Merci") in journey.text(), f"{journey.name}: no thanks")
    finally:
        journey.quit()


def policy_change(language):
    """An administrator offers security questions: ticking the method shows its options, and the save is audited."""
    journey = Journey(f"admin-policy-{language}")
    try:
        journey.sign_in("policy-admin@contoso.example", PASSWORD, language)
        journey.go(f"/admin/policy?lang={language}", "policy")
        options = journey.driver.find_element(By.ID, "customQuestions")
        check(not options.is_displayed(), f"{journey.name}: question options shown while questions are off")
        journey.click("input[name='methods'][value='securityQuestions']", "questions-ticked")
        check(options.is_displayed(), f"{journey.name}: question options still hidden")
        journey.click("form.policy button[type=submit]", "saved")
        check("saved=1" in journey.driver.current_url, f"{journey.name}: the policy was not saved")
        journey.go(f"/admin/audit?lang={language}&f.target=methods", "audit")
        check("securityQuestions" in journey.text(), f"{journey.name}: the change is not in the audit log")
    finally:
        journey.quit()


def questions_registration(language, user):
    journey = Journey(f"register-questions-{language}")
    try:
        journey.sign_in(user, PASSWORD, language)
        journey.click("a[href='/register']", "register")
        journey.click("a[href='/register/questions']", "questions")
        selects = journey.driver.find_elements(By.CSS_SELECTOR, "select[id^='question']")
        for index, select in enumerate(selects):
            Select(select).select_by_index(index + 1)
            journey.type(f"answer{index + 1}", f"Réponse {index + 1}")
        journey.click("form[action='/register/questions'] button", "saved")
        check(("Thanks" if language == "en" else "Merci") in journey.text(), f"{journey.name}: the answers were not saved")
    finally:
        journey.quit()


def change_password(language, user):
    journey = Journey(f"change-password-{language}")
    try:
        journey.sign_in(user, PASSWORD, language)
        journey.go(f"/account/password?lang={language}", "change")
        journey.type("current", "not-my-password")
        journey.type("new", NEW_PASSWORD)
        journey.type("confirm", NEW_PASSWORD)
        journey.click("form[action='/account/password'] button", "wrong-current")
        check(journey.driver.find_elements(By.CSS_SELECTOR, ".notice.error"), f"{journey.name}: a wrong current password was accepted")
        journey.type("current", PASSWORD)
        journey.type("new", NEW_PASSWORD)
        journey.type("confirm", NEW_PASSWORD)
        journey.click("form[action='/account/password'] button", "changed")
        check(journey.driver.find_elements(By.CSS_SELECTOR, ".notice.ok"), f"{journey.name}: no confirmation")
    finally:
        journey.quit()


def reset(language, user, number):
    journey = Journey(f"reset-{language}")
    try:
        journey.go(f"/reset?lang={language}", "who-are-you")
        journey.type("userID", user)
        journey.driver.find_element(By.CSS_SELECTOR, "form[action='/reset'] button").click()
        # The page's script solves the CAPTCHA's proof of work, then submits.
        WebDriverWait(journey.driver, 30).until(lambda d: "/reset/verify" in d.current_url)
        journey.page("options")
        journey.click("input[value='mobileSMS']", "option-chosen")
        journey.click("form[action='/reset/option'] button", "phone")
        journey.type("number", "06 99 99 99 99")
        journey.click("form[action='/reset/phone'] button", "wrong-number")
        incorrect = "Incorrect phone number specified." if language == "en" else "Numéro de téléphone incorrect."
        check(incorrect in journey.text(), f"{journey.name}: no '{incorrect}'")
        before = len(received)
        journey.type("number", number)
        journey.click("form[action='/reset/phone'] button", "code")
        journey.type("code", code_for("+33" + re.sub(r"\D", "", number)[1:], "sms", before))
        journey.click("form[action='/reset/code'] button", "verified")
        journey.go("/reset/password", "new-password")
        journey.type("new", "password1")
        journey.type("confirm", "password1")
        journey.click("form[action='/reset/password'] button", "weak-password")
        check("/reset/password" in journey.driver.current_url and journey.driver.find_elements(By.CSS_SELECTOR, ".notice.error"),
              f"{journey.name}: a weak password was not refused")
        journey.type("new", NEW_PASSWORD)
        journey.type("confirm", NEW_PASSWORD)
        journey.click("form[action='/reset/password'] button", "done")
        done = "Your password has been reset" if language == "en" else "Votre mot de passe a été réinitialisé"
        check(done in journey.text(), f"{journey.name}: no '{done}'")
        journey.sign_in(user, NEW_PASSWORD, language)
        check("/signin" not in journey.driver.current_url or "interrupt" in journey.driver.current_url,
              f"{journey.name}: the new password does not sign in")
    finally:
        journey.quit()


def axe_finds_what_it_should():
    """The checker itself: a page with an image without a text alternative must be reported, or the silence of the
    journeys proves nothing."""
    journey = Journey("axe-self-check")
    try:
        journey.driver.get("data:text/html,<html lang=en><title>t</title><main><img src='x.png'></main></html>")
        journey.driver.execute_script(AXE)
        result = journey.driver.execute_async_script("const done = arguments[0]; axe.run().then(done);")
        check(any(v["id"] == "image-alt" and v["impact"] == "critical" for v in result["violations"]), "axe did not find a missing alt")
    finally:
        journey.quit()


try:
    axe_finds_what_it_should()
    registration("en", "reg-en@contoso.example")
    registration("fr", "reg-fr@contoso.example")
    registration("en", "phone-en@contoso.example", width=375)
    registration("fr", "phone-fr@contoso.example", width=375)
    registration("en", "call-en@contoso.example", channel="voice")
    reset("en", "reset-en@contoso.example", "06 11 11 11 11")
    reset("fr", "reset-fr@contoso.example", "06 22 22 22 22")
    email_registration("en", "mail-en@contoso.example", "mail-en@example.org")
    change_password("en", "change-en@contoso.example")
    policy_change("fr")
    questions_registration("fr", "questions-fr@contoso.example")
finally:
    server.terminate()
    server.wait()
    webhook.shutdown()

if failures:
    print(f"{len(failures)} problems", file=sys.stderr)
    sys.exit(1)
print(f"journeys: every step passed, screenshots in {out}")
