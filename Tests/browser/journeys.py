#!/usr/bin/env python3
"""Every journey of docs/behaviour.md as a person takes it, in headless Chromium, in English and French, against a real
`sesame serve` whose email goes to the SMTP sink and whose SMS and calls go to a recording webhook started here:

- registration forced at sign-in, by SMS, call, email, security questions and an authenticator app, on a desktop and
  a phone-sized screen, with the keyboard only, and the re-confirmation asked once the confirmation is old;
- reset with one gate and with two, with a code from an authenticator app (computed here as RFC 6238 says), the phone-number check, the CAPTCHA with and without JavaScript, a password
  refused then accepted, sign-in with the new password; from the keyboard only and on a phone-sized screen;
- a reset left unfinished past its 15 minutes;
- unlock without a reset, change of password, an expired password at sign-in, "contact your administrator", and
  the error pages;
- the administrator's policy change, pre-population of a user's phone, report filter and CSV export;
- recovery codes: offered by the administrator, made and confirmed at registration, one used at a reset gate;
- passkeys, with Chromium's virtual authenticator: one named and added at registration, sign-in with it, a reset
  whose gate it is, and its removal.

Every page met is checked with axe-core and for sideways scrolling, and a screenshot of every step is saved.

The server is reached as http://localhost:PORT, its SESAME_PUBLIC_URL: a passkey's relying party ID is that URL's host,
and Chromium refuses an IP address as one.

Usage: journeys.py SESAME_BINARY SMTP_SINK_JSON OUTPUT_DIR
       JOURNEYS=passkeys,reset journeys.py … runs only the journeys of these names (the functions below marked
       @journey), with all of the run's set-up and policy changes: for working on them; the full run is the test. A
       journey that follows another (a reset after its registration) needs both named.
"""
import base64
import contextlib
import csv
import email.utils
import functools
import hashlib
import itertools
import hmac
import json
import mailbox
import os
import pathlib
import re
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, HTTPServer

from selenium.webdriver.common.by import By
from selenium.webdriver.common.virtual_authenticator import VirtualAuthenticatorOptions
from selenium.webdriver.support.ui import Select

from browser import Browser, check, finish

binary, sink_json, out = sys.argv[1], pathlib.Path(sys.argv[2]), pathlib.Path(sys.argv[3])
out.mkdir(parents=True, exist_ok=True)
PASSWORD = "Zq8#Lw4!Vr2k"
NEW_PASSWORD = "Yt7$Mx3!Ps9j-Reset"
PHONE = "phone"  # a narrow window, as on a phone
CHOSEN = [name for name in os.environ.get("JOURNEYS", "").split(",") if name]


def journey(function):
    """A journey of the run, skipped when JOURNEYS names others."""
    @functools.wraps(function)
    def run(*arguments, **options):
        if not CHOSEN or function.__name__ in CHOSEN:
            return function(*arguments, **options)
    return run


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def local(number):
    """+33 6 12 34 56 78 as a French person types it: 06 12 34 56 78."""
    return "0" + number[4:]


def international(number):
    return "+" + re.sub(r"\D", "", number)


# A recording SMS/voice provider: the generic webhook of README.md#configuration.
received = []


class Webhook(BaseHTTPRequestHandler):
    def do_POST(self):
        received.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


def poll(find, seconds=30):
    """What `find` returns once it is something, asking every 50 ms for up to `seconds` (a loaded CI machine is slow)."""
    deadline = time.monotonic() + seconds
    while not (found := find()) and time.monotonic() < deadline:
        time.sleep(0.05)
    return found


def code_for(number, channel, after):
    """The 6-digit code of the newest message to `number` on `channel` since index `after`."""
    def newest():
        for message in reversed(received[after:]):
            if message["to"] == international(number) and message["channel"] == channel:
                digits = re.sub(r"\D", "", message["text"])
                return digits[:6] if channel == "voice" else re.search(r"\d{6}", message["text"]).group(0)
    code = poll(newest)
    if not code:
        raise AssertionError(f"no {channel} to {number}")
    return code


def mails(address):
    """The mails to exactly `address` (reset-en@… is inside keyboard-reset-en@…), oldest first: the sink's names sort
    in arrival order, where the Date header has only whole seconds."""
    received = sorted(mailbox.Maildir(str(sink_json.parent / "maildir"), create=False).items(), key=lambda item: item[0])
    return [m for _, m in received if email.utils.parseaddr(m["To"])[1] == address]


def mailed_text(address, after):
    """The text of the newest mail to `address` in the SMTP sink's Maildir, once there are more than `after`."""
    def more():
        found = mails(address)
        return found if len(found) > after else None
    received_mails = poll(more)
    if not received_mails:
        raise AssertionError(f"no mail to {address}")
    newest = received_mails[-1]
    return next(part.get_payload(decode=True).decode() for part in newest.walk() if part.get_content_type() == "text/plain")


webhook = HTTPServer(("127.0.0.1", free_port()), Webhook)
threading.Thread(target=webhook.serve_forever, daemon=True).start()

# The server, with a user for each journey (the phone numbers differ: a number receives at most 5 codes an hour).
data = tempfile.mkdtemp()
port = free_port()
base = f"http://localhost:{port}"
smtp = json.loads(sink_json.read_text())["plain"]
environment = dict(os.environ, SESAME_DATA_DIR=data, SESAME_PORT=str(port), SESAME_PUBLIC_URL=base, SESAME_SMS_PROVIDER="webhook",
                   SESAME_SMS_WEBHOOK_URL=f"http://127.0.0.1:{webhook.server_port}/sms",
                   SESAME_SMTP_URL=f"smtp://127.0.0.1:{smtp}", SESAME_MAIL_FROM="Sesame <no-reply@sesame.example>")
MOBILES = {"reset-en": "+33 6 11 11 11 11", "reset-fr": "+33 6 22 22 22 22", "keyboard-reset-en": "+33 6 33 33 33 33",
           "noscript-fr": "+33 6 44 44 44 44", "unlock-en": "+33 6 66 66 66 66", "late-fr": "+33 6 77 77 77 77",
           "codes-en": "+33 6 88 88 88 81", "codes-fr": "+33 6 88 88 88 82",
           "passkey-en": "+33 6 88 88 88 83", "passkey-fr": "+33 6 88 88 88 84"}
USERS = ["reg-en", "reg-fr", "phone-en", "phone-fr", "call-en", "mail-en", "keyboard-en", "change-en", "change-fr",
         "nobody-en", "expired-fr", "twogates-fr", "policy-admin", "pass-en", "pass-fr", "totp-en", "totp-fr"] + list(MOBILES)
ADMIN = "policy-admin@contoso.example"


def user_id(name):
    return f"{name}@contoso.example"


for name in USERS:
    extra = (["--mobile", MOBILES[name]] if name in MOBILES else []) + (["--role", "globalAdmin"] if name == "policy-admin" else [])
    subprocess.run([binary, "user", "add", user_id(name), "--password", PASSWORD, "--display-name", name] + extra,
                   env=environment, check=True, capture_output=True)
server = subprocess.Popen([binary, "serve"], env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def ready():
    try:
        return urllib.request.urlopen(f"{base}/health/ready").status == 200
    except OSError:
        return False


if not poll(ready):
    server.kill()
    raise SystemExit("sesame serve did not become ready")


class Person(Browser):
    """A Sesame user's browser: a desktop window, or a phone-sized one; used with the mouse or the keyboard only."""

    networks = itertools.count(1)

    def __init__(self, name, size=None, keyboard=False, **options):
        phone = size == PHONE
        name += ("-phone" if phone else "") + ("-keyboard" if keyboard else "")
        super().__init__(name, out, base, 375 if phone else 1280, 740 if phone else 900, keyboard=keyboard, **options)
        # Each person comes from a network of their own, as the server reads it from a loopback proxy's header
        # (docs/security.md#abuse): the per-network limits then count one person, not the whole run.
        number = next(Person.networks)
        self.driver.execute_cdp_cmd("Network.enable", {})
        self.driver.execute_cdp_cmd("Network.setExtraHTTPHeaders", {"headers": {"X-Forwarded-For": f"10.{number // 250}.{number % 250}.1"}})

    def sign_in(self, user, password, language):
        self.go(f"/signin?lang={language}", "signin")
        self.type("userID", user)
        self.type("password", password)
        self.click("form[action='/signin'] button", "signed-in")

    def says(self, english, french, language, what):
        expected = english if language == "en" else french
        check(expected in self.text(), f"{self.name}: no '{expected}' ({what})")

    def who_are_you(self, user, language):
        """The reset portal's first page: the page's script solves the CAPTCHA's proof of work, then submits."""
        self.go(f"/reset?lang={language}", "who-are-you")
        self.type("userID", user)
        self.click("form[action='/reset'] button", "after-who-are-you")

    def text_me(self, number, label="code"):
        """Confirms the phone number on the reset portal and types the code texted to it."""
        self.type("number", local(number))
        before = len(received)
        self.click("form[action='/reset/phone'] button", label)
        self.type("code", code_for(number, "sms", before))
        self.click("form[action='/reset/code'] button", "verified")

    def steps_up(self, number, language):
        """The proof a change of methods asks for (docs/behaviour.md#step-up), on the gate titled "Confirm it's you":
        a code texted to the phone on file; then back on the registration portal."""
        check(self.url().endswith("/reset/verify"), f"{self.name}: a change did not ask for a proof")
        self.says("Confirm it's you", "Confirmez votre identité", language, "the step-up's title")
        self.click("input[value='mobileSMS']", "step-up-option")
        self.click("form[action='/reset/option'] button", "step-up-phone")
        self.text_me(number, "step-up-code")
        check(self.url().endswith("/register"), f"{self.name}: the proof did not lead back to the registration")

    def registers_email(self, address, language):
        """From the registration portal: the address, the code mailed to it, "Thanks"."""
        self.click("a[href='/register/email']", "email")
        self.type("address", address)
        before = len(mails(address))
        self.click("form[action='/register/email'] button", "code")
        self.type("code", re.search(r"\d{6}", mailed_text(address, before)).group(0))
        self.click("form[action='/register/verify'] button", "thanks")
        self.says("Thanks", "Merci", language, "email verified")

    def new_password(self, language):
        """A weak password refused, then a strong one accepted."""
        self.go("/reset/password", "new-password")
        self.type("new", "password1")
        self.type("confirm", "password1")
        self.click("form[action='/reset/password'] button", "weak-password")
        check("/reset/password" in self.url() and self.driver.find_elements(By.CSS_SELECTOR, ".notice.error"),
              f"{self.name}: a weak password was not refused")
        self.type("new", NEW_PASSWORD)
        self.type("confirm", NEW_PASSWORD)
        self.click("form[action='/reset/password'] button", "done")
        self.says("Your password has been reset", "Votre mot de passe a été réinitialisé", language, "reset done")

    def signs_in_with(self, user, password, language):
        self.sign_in(user, password, language)
        check("/signin" not in self.url() or "interrupt" in self.url(), f"{self.name}: {user} cannot sign in with the password")

    def holds_passkeys(self):
        """Gives the browser a device that keeps passkeys: Chromium's virtual authenticator, built in as a laptop's or a
        phone's is, with its screen lock (user verification) unlocked; it answers the page's WebAuthn requests without
        a dialog."""
        self.driver.add_virtual_authenticator(VirtualAuthenticatorOptions(
            protocol=VirtualAuthenticatorOptions.Protocol.CTAP2, transport=VirtualAuthenticatorOptions.Transport.INTERNAL,
            has_resident_key=True, has_user_verification=True, is_user_verified=True))
        # The virtual authenticator answers a request for the passkeys of the user ID field's autofill (conditional
        # mediation) at once, as if the person had picked their passkey in the list: the sign-in page would sign in as
        # soon as shown. So the browser says it has no such autofill, as some browsers do, but in `passkey_autofill`.
        self.hide_passkey_autofill()

    def hide_passkey_autofill(self):
        script = "if (window.PublicKeyCredential) PublicKeyCredential.isConditionalMediationAvailable = async () => false;"
        self.no_autofill = self.driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": script})["identifier"]

    @contextlib.contextmanager
    def passkey_autofill(self):
        """The pages shown in the body of the `with` may offer passkeys in the user ID field's autofill."""
        self.driver.execute_cdp_cmd("Page.removeScriptToEvaluateOnNewDocument", {"identifier": self.no_autofill})
        try:
            yield
        finally:
            self.hide_passkey_autofill()

    def passkeys_listed(self):
        """The rows of "Your passkeys" on the registration's passkey page, each as its cells' texts."""
        return [[cell.text for cell in row.find_elements(By.TAG_NAME, "td")]
                for row in self.driver.find_elements(By.CSS_SELECTOR, "main table tbody tr")]


# Registration


@journey
def registration(language, name, number, size=None, channel="sms", keyboard=False):
    """The registration journey (docs/behaviour.md#registration-portal): sign-in asks to register, country code and
    number, "Text me" (or "Call me"), the code, "Verify", "Thanks", then finish."""
    with Person(f"register-{channel}-{language}", size, keyboard) as person:
        person.sign_in(user_id(name), PASSWORD, language)
        check("/signin/interrupt" in person.url(), f"{person.name}: sign-in did not ask to register")
        person.says("Your administrator has required you", "Votre administrateur", language, "forced registration")
        person.click("a[href='/register']", "register")
        person.click("a[href='/register/phone']", "phone")
        person.choose("country", "FR", "France")
        person.type("number", local(number))
        before = len(received)
        person.click(f"button[value='{channel}']", "code")
        person.type("code", code_for(number, channel, before))
        person.click("form[action='/register/verify'] button", "thanks")
        person.says("Thanks", "Merci", language, "phone verified")
        person.click("a[href='/register']", "register-done")
        person.click("form[action='/register/finish'] button", "account")
        check(person.url().endswith("/account"), f"{person.name}: finish did not lead to the account")


@journey
def email_registration(language, name, address):
    with Person(f"register-email-{language}") as person:
        person.sign_in(user_id(name), PASSWORD, language)
        person.click("a[href='/register']", "register")
        person.registers_email(address, language)


@journey
def step_up(language, name, number, address):
    """Step-up before a change of methods (docs/behaviour.md#step-up): a registered user who adds an email first
    proves who they are with the phone on file, then registers the address."""
    with Person(f"step-up-{language}") as person:
        person.sign_in(user_id(name), PASSWORD, language)
        person.go(f"/register?lang={language}", "register")
        person.click("a[href='/register/email']", "step-up")
        person.steps_up(number, language)
        person.registers_email(address, language)


@journey
def questions_registration(language, name):
    """Registers the security questions (offered once the administrator turned them on); returns each question's
    text with its answer, for the reset."""
    answers = {}
    with Person(f"register-questions-{language}") as person:
        person.sign_in(user_id(name), PASSWORD, language)
        check("/signin/interrupt" in person.url(), f"{person.name}: sign-in did not ask for a second method")
        person.click("a[href='/register']", "register")
        # The administrator's pre-populated phone would serve a reset: it proves who is changing the methods.
        person.click("a[href='/register/questions']", "step-up")
        person.steps_up(MOBILES[name], language)
        person.click("a[href='/register/questions']", "questions")
        for index, select in enumerate(person.driver.find_elements(By.CSS_SELECTOR, "select[id^='question']")):
            Select(select).select_by_index(index + 1)
            answers[Select(select).first_selected_option.text] = f"Réponse {index + 1}"
            person.type(f"answer{index + 1}", f"Réponse {index + 1}")
        person.click("form[action='/register/questions'] button", "saved")
        person.says("Thanks", "Merci", language, "answers saved")
        person.click("a[href='/register']", "register-done")
        person.click("form[action='/register/finish'] button", "account")
        check(person.url().endswith("/account"), f"{person.name}: two methods did not complete the registration")
    return answers


def age(name, column, days):
    """Moves one of a user's dates `days` into the past, in the server's SQLite file: the time that would pass."""
    with sqlite3.connect(pathlib.Path(data) / "sesame.sqlite", timeout=10) as database:
        aged = database.execute(f"UPDATE users SET {column} = {column} - ? WHERE user_id = ?", (days * 86400, user_id(name))).rowcount
    check(aged == 1, f"{name} has no {column} to age")


@journey
def reconfirmation(language, name):
    """Once the last confirmation is older than the policy's 180 days, sign-in asks to re-confirm; confirming
    lets the next sign-in through."""
    age(name, "last_confirmed_at", days=200)
    with Person(f"reconfirm-{language}") as person:
        person.sign_in(user_id(name), PASSWORD, language)
        check("/signin/interrupt" in person.url(), f"{person.name}: sign-in did not ask to re-confirm")
        person.says("It has been a while", "depuis longtemps", language, "re-confirmation")
        person.click("a[href='/register']", "register")
        person.click("form[action='/register/finish'] button", "account")
    with Person(f"reconfirmed-{language}") as person:
        person.sign_in(user_id(name), PASSWORD, language)
        check(person.url().endswith("/account"), f"{person.name}: sign-in still asks to re-confirm")


def set_policy(key, value):
    """An administrator's change from the command line, beside the running server (which reads the policy again within
    a second)."""
    subprocess.run([binary, "policy", "set", key, value], env=environment, check=True, capture_output=True)
    time.sleep(1.1)


def authenticator_code(key, offset=0):
    """What an authenticator app shows (RFC 6238: HMAC-SHA1, 6 digits, 30 s), `offset` steps from now."""
    secret = base64.b32decode(key.replace(" ", "") + "=" * (-len(key.replace(" ", "")) % 8))
    mac = hmac.new(secret, (int(time.time()) // 30 + offset).to_bytes(8, "big"), hashlib.sha1).digest()
    start = mac[-1] & 0x0F
    return "%06d" % ((int.from_bytes(mac[start:start + 4], "big") & 0x7FFFFFFF) % 1_000_000)


@journey
def authenticator_journey(language, name):
    """An authenticator app registered from the QR code the server draws (its key read as a person types it by hand),
    a wrong code refused, then a reset through the app's gate (docs/behaviour.md#authenticator-app)."""
    with Person(f"register-authenticator-{language}") as person:
        person.sign_in(user_id(name), PASSWORD, language)
        check("/signin/interrupt" in person.url(), f"{person.name}: sign-in did not ask to register")
        person.click("a[href='/register']", "register")
        person.click("a[href='/register/authenticator']", "authenticator")
        label = person.find("svg.qr").get_attribute("aria-label")
        check(label and person.find("svg.qr").is_displayed(), f"{person.name}: no QR code with a name")
        key = person.find(".key code").text
        wrong = "000000" if authenticator_code(key) != "000000" else "000001"
        person.type("code", wrong)
        person.click("form[action='/register/authenticator'] button", "wrong-code")
        person.says("That code is not right", "Ce code n’est pas le bon", language, "wrong code at registration")
        person.type("code", authenticator_code(key))
        person.click("form[action='/register/authenticator'] button", "thanks")
        person.says("Thanks", "Merci", language, "app registered")
        person.click("a[href='/register']", "register-done")
        person.click("form[action='/register/finish'] button", "account")
        check(person.url().endswith("/account"), f"{person.name}: finish did not lead to the account")
    with Person(f"reset-authenticator-{language}") as person:
        person.who_are_you(user_id(name), language)
        person.says("Enter a code from my authenticator app", "Entrez un code de mon application d’authentification", language, "the option")
        person.click("input[value='authenticatorApp']", "option-chosen")
        person.click("form[action='/reset/option'] button", "code")
        # The registration spent this step's code: the app's next one, which the one-step window takes, rather than
        # waiting half a minute for it.
        person.type("code", authenticator_code(key, offset=1))
        person.click("form[action='/reset/code'] button", "verified")
        person.new_password(language)
        person.signs_in_with(user_id(name), NEW_PASSWORD, language)


# Reset, unlock, change, contact


@journey
def reset(language, name, size=None, keyboard=False):
    with Person(f"reset-{language}", size, keyboard) as person:
        person.who_are_you(user_id(name), language)
        person.click("input[value='mobileSMS']", "option-chosen")
        person.click("form[action='/reset/option'] button", "phone")
        person.type("number", "06 99 99 99 99")
        person.click("form[action='/reset/phone'] button", "wrong-number")
        person.says("Incorrect phone number specified.", "Numéro de téléphone incorrect.", language, "wrong number")
        person.text_me(MOBILES[name])
        person.new_password(language)
        person.signs_in_with(user_id(name), NEW_PASSWORD, language)


@journey
def access_pass_reset(language, name):
    """Someone who lost every method resets with a temporary access pass from the helpdesk
    (docs/behaviour.md#temporary-access-pass): the gate page offers the pass alone, a wrong one is refused."""
    issued = subprocess.run([binary, "user", "tap", user_id(name), "--minutes", "30"], env=environment, check=True, capture_output=True, text=True)
    access_pass = issued.stdout.split("\t")[0]
    with Person(f"access-pass-{language}") as person:
        person.who_are_you(user_id(name), language)
        person.says("I have a temporary access pass from my helpdesk", "J’ai un passe d’accès temporaire de mon support", language, "pass offered")
        person.type("pass", "abcd-efgh-jkmn")
        person.click("form[action='/reset/access-pass'] button", "wrong-pass")
        person.says("This pass is not valid", "Ce passe n’est pas valide", language, "wrong pass")
        person.type("pass", access_pass.upper())
        person.click("form[action='/reset/access-pass'] button", "pass-accepted")
        person.new_password(language)
        person.signs_in_with(user_id(name), NEW_PASSWORD, language)


@journey
def noscript_reset(language, name):
    """Without JavaScript the CAPTCHA asks a sum: a wrong sum is refused with a new question, the right one passes."""
    with Person(f"noscript-reset-{language}", script=False) as person:
        person.go(f"/reset?lang={language}", "who-are-you")
        check(person.find("#answer").is_displayed(), f"{person.name}: no question without JavaScript")

        def answer(right):
            first, second = map(int, re.findall(r"\d+", person.find("label[for='answer']").text))
            person.type("userID", user_id(name))
            person.type("answer", str(first + second + (0 if right else 1)))
            person.click("form[action='/reset'] button", "answered" if right else "wrong-sum")

        answer(right=False)
        check("/reset/verify" not in person.url() and person.driver.find_elements(By.CSS_SELECTOR, ".notice.error"),
              f"{person.name}: a wrong sum was accepted")
        answer(right=True)
        check("/reset/verify" in person.url(), f"{person.name}: the right sum was refused")
        person.click("input[value='mobileSMS']", "option-chosen")
        person.click("form[action='/reset/option'] button", "phone")
        person.text_me(MOBILES[name])
        person.new_password(language)
        person.signs_in_with(user_id(name), NEW_PASSWORD, language)


def age_reset(typed, minutes):
    """Moves the start of the reset begun for `typed` `minutes` into the past, in the session the server keeps."""
    aged = 0
    with sqlite3.connect(pathlib.Path(data) / "sesame.sqlite", timeout=10) as database:
        for key, stored in database.execute("SELECT key, data FROM sessions").fetchall():
            session = json.loads(stored)
            flow = session.get("reset")
            if flow and flow["typedUserID"] == typed:
                flow["startedAt"] -= minutes * 60
                database.execute("UPDATE sessions SET data = ? WHERE key = ?", (json.dumps(session).encode(), key))
                aged += 1
    check(aged == 1, f"no reset under way for {typed}")


@journey
def expired_reset(language, name):
    """A reset must be finished within 15 minutes: past them, the next step says so and offers to start again."""
    with Person(f"expired-reset-{language}") as person:
        person.who_are_you(user_id(name), language)
        person.click("input[value='mobileSMS']", "option-chosen")
        age_reset(user_id(name), minutes=16)
        person.click("form[action='/reset/option'] button", "expired")
        person.says("This reset has expired", "Cette réinitialisation a expiré", language, "expired")
        person.go("/reset/verify", "after-expiry")
        check(person.url().endswith("/reset"), f"{person.name}: the expired reset could still be continued")


@journey
def sign_in_captcha(language, name):
    """Three wrong passwords from one network: the sign-in form then asks the reset portal's CAPTCHA, which the page's
    script solves as it does on "Who are you?", and the right password signs in (docs/security.md#sign-in-captcha).
    Run before any other wrong password from this network, and after the journeys without script."""
    with Person(f"signin-captcha-{language}") as person:
        person.go(f"/signin?lang={language}", "signin")
        check(not person.driver.find_elements(By.CSS_SELECTOR, "form[data-captcha]"), f"{person.name}: a CAPTCHA before any failure")
        for attempt in range(3):
            person.type("userID", user_id(name))
            person.type("password", f"Wrong-{attempt}-password")
            person.click("form[action='/signin'] button", f"wrong-{attempt + 1}")
        check(person.driver.find_elements(By.CSS_SELECTOR, "form[action='/signin'][data-captcha] input[name='captcha']"),
              f"{person.name}: no CAPTCHA after three failures")
        person.says("incorrect", "incorrect", language, "third wrong password")
        person.signs_in_with(user_id(name), PASSWORD, language)


@journey
def unlock(language, name):
    """Ten wrong passwords lock the account; after the gate, "unlock only" keeps the old password, which signs in."""
    with Person(f"unlock-{language}") as person:
        for attempt in range(10):
            person.driver.get(f"{base}/signin?lang={language}")
            person.type("userID", user_id(name))
            person.type("password", f"Wrong-{attempt}-password")
            with person.navigation():
                person.find("form[action='/signin'] button").click()
        person.page("locked")
        person.sign_in(user_id(name), PASSWORD, language)
        person.says("temporarily locked", "temporairement verrouillé", language, "locked")
        person.click("a[href='/reset']", "reset")
        person.who_are_you(user_id(name), language)
        person.click("input[value='mobileSMS']", "option-chosen")
        person.click("form[action='/reset/option'] button", "phone")
        person.text_me(MOBILES[name])
        person.go("/reset/password", "unlock-or-reset")
        person.click("form[action='/reset/unlock'] button", "unlocked")
        person.says("Your account has been unlocked", "Votre compte a été déverrouillé", language, "unlocked")
        person.signs_in_with(user_id(name), PASSWORD, language)


@journey
def change_password(language, name, size=None):
    with Person(f"change-password-{language}", size) as person:
        person.sign_in(user_id(name), PASSWORD, language)
        person.go(f"/account/password?lang={language}", "change")
        person.type("current", "not-my-password")
        person.type("new", NEW_PASSWORD)
        person.type("confirm", NEW_PASSWORD)
        person.click("form[action='/account/password'] button", "wrong-current")
        check(person.driver.find_elements(By.CSS_SELECTOR, ".notice.error"), f"{person.name}: a wrong current password was accepted")
        person.type("current", PASSWORD)
        person.type("new", NEW_PASSWORD)
        person.type("confirm", NEW_PASSWORD)
        person.click("form[action='/account/password'] button", "changed")
        check(person.driver.find_elements(By.CSS_SELECTOR, ".notice.ok"), f"{person.name}: no confirmation")
    with Person(f"changed-password-{language}", size) as person:
        person.signs_in_with(user_id(name), NEW_PASSWORD, language)


@journey
def your_sessions(language, name):
    """Signed in from two browsers, the user ends the other one from "Your sessions" on the account page; the other
    browser finds itself signed out (docs/behaviour.md#your-sessions)."""
    with Person(f"sessions-other-{language}") as other, Person(f"sessions-{language}") as person:
        other.sign_in(user_id(name), PASSWORD, language)
        person.sign_in(user_id(name), PASSWORD, language)
        person.go(f"/account?lang={language}", "account")
        person.says("This session", "Cette session", language, "the current session marked")
        # Earlier journeys left sessions of this user too; the other browser's is the newest of them, listed first.
        others = len(person.driver.find_elements(By.CSS_SELECTOR, "form[action='/account/sessions/end']"))
        check(others >= 1, f"{person.name}: no other session to end")
        person.click("form[action='/account/sessions/end'] button", "ended")
        person.says("That session has ended.", "Cette session a pris fin.", language, "ended")
        other.go(f"/account?lang={language}", "signed-out")
        check("/signin" in other.url(), f"{other.name}: the ended session still opens the account page")
        check(len(person.driver.find_elements(By.CSS_SELECTOR, "form[action='/account/sessions/end']")) == others - 1,
              f"{person.name}: ending one session ended more")
        person.click("form[action='/account/sessions/end-others'] button", "ended-others")
        check(not person.driver.find_elements(By.CSS_SELECTOR, "form[action='/account/sessions/end']"),
              f"{person.name}: other sessions are left")


@journey
def expired_password(language, name):
    """Once the password is older than the policy allows, sign-in asks for a new one before anything else."""
    age(name, "password_changed_at", days=100)
    with Person(f"expired-password-{language}") as person:
        person.sign_in(user_id(name), PASSWORD, language)
        check("/signin/expired" in person.url(), f"{person.name}: sign-in did not ask for a new password")
        person.says("Your password has expired", "Votre mot de passe a expiré", language, "expired")
        person.go("/register", "no-way-round")
        check("/signin/expired" in person.url(), f"{person.name}: registration opened before the password was changed")
        person.type("current", PASSWORD)
        person.type("new", NEW_PASSWORD)
        person.type("confirm", NEW_PASSWORD)
        person.click("form[action='/signin/expired'] button", "changed")
        check("/signin/expired" not in person.url(), f"{person.name}: the new password was not taken")
    with Person(f"expired-password-changed-{language}") as person:
        person.signs_in_with(user_id(name), NEW_PASSWORD, language)


@journey
def error_pages(language, name):
    """What a person meets off the path: a page that does not exist, a reset step without a reset (back to the
    start), the admin portal opened by someone who is not an administrator."""
    with Person(f"errors-{language}") as person:
        person.go(f"/no-such-page?lang={language}", "not-found")
        person.says("This page does not exist.", "Cette page n’existe pas.", language, "not found")
        person.go(f"/reset/password?lang={language}", "no-reset")
        person.says("Who are you?", "Qui êtes-vous ?", language, "a reset step without a reset starts one")
        person.sign_in(user_id(name), PASSWORD, language)
        person.go("/admin/policy", "not-an-administrator")
        person.says("Your administrator has not enabled you", "Votre administrateur ne vous a pas autorisé", language, "refused")


@journey
def contact_administrator(language, name):
    """A user with no method cannot be verified: "Contact your administrator" mails the global administrators."""
    with Person(f"contact-admin-{language}") as person:
        person.who_are_you(user_id(name), language)
        person.says("We could not verify your account", "Nous n’avons pas pu vérifier votre compte", language, "cannot verify")
        before = len(mails(ADMIN))
        person.click("form[action='/reset/contact'] button", "contacted")
        person.says("We have asked your administrators", "Nous avons demandé à vos administrateurs", language, "contacted")
        check(user_id(name) in mailed_text(ADMIN, before), f"{person.name}: the administrators' mail does not name the user")


@journey
def wasnt_me(language, name):
    """The reset notice's "This wasn't me" link (docs/behaviour.md#this-wasnt-me): a confirmation first, then the
    account is signed out, resets are blocked, and the link cannot be used twice."""
    text = mailed_text(user_id(name), 0)
    found = re.search(r"https?://[^/\s]+(/wasnt-me/[A-Za-z0-9_-]{43}\?lang=(en|fr))", text)
    check(found is not None, f"wasnt-me-{language}: no link in the reset notice")
    check(found.group(2) == language, f"wasnt-me-{language}: the link is not in the notice's language")
    with Person(f"wasnt-me-{language}") as person:
        person.go(found.group(1), "confirmation")
        person.says("Yes, this wasn't me", "Oui, ce n’était pas moi", language, "confirmation")
        person.click("form[action^='/wasnt-me/'] button", "reported")
        person.says("Thank you for telling us", "Merci de nous avoir prévenus", language, "reported")
        person.go(found.group(1), "used-link")
        person.says("This link cannot be used", "Ce lien ne peut pas être utilisé", language, "used link")
        person.who_are_you(user_id(name), language)
        person.says("Please use another option.", "Veuillez utiliser une autre option.", language, "reset blocked")


@journey
def two_gate_reset(language, name, answers):
    """With two methods required: the texted code, then the security questions."""
    with Person(f"two-gate-reset-{language}") as person:
        person.who_are_you(user_id(name), language)
        person.click("input[value='mobileSMS']", "first-option")
        person.click("form[action='/reset/option'] button", "phone")
        person.text_me(MOBILES[name])
        check("/reset/verify" in person.url(), f"{person.name}: the second gate was skipped")
        person.says("step 2 of 2", "2 sur 2", language, "second gate")
        person.click("input[value='securityQuestions']", "second-option")
        person.click("form[action='/reset/option'] button", "questions")
        for label in person.driver.find_elements(By.CSS_SELECTOR, "form[action='/reset/questions'] label"):
            person.type(label.get_attribute("for"), answers.get(label.text, "?"))
        person.click("form[action='/reset/questions'] button", "answered")
        person.new_password(language)
        person.signs_in_with(user_id(name), NEW_PASSWORD, language)


@journey
def recovery_codes(language, name):
    """Recovery codes (docs/behaviour.md#recovery-codes): made at registration, shown once and confirmed by typing one
    back; then a reset whose first gate is another of them, typed in lower case without its dashes, and whose second
    is the texted code."""
    with Person(f"register-recovery-codes-{language}") as person:
        person.sign_in(user_id(name), PASSWORD, language)
        check("/signin/interrupt" in person.url(), f"{person.name}: sign-in did not ask for a second method")
        person.click("a[href='/register']", "register")
        person.click("a[href='/register/recovery-codes']", "step-up")
        person.steps_up(MOBILES[name], language)
        person.click("a[href='/register/recovery-codes']", "recovery-codes")
        person.click("form[action='/register/recovery-codes'] button", "codes-shown")
        codes = [element.text for element in person.driver.find_elements(By.CSS_SELECTOR, "ol.recovery-codes code")]
        check(len(set(codes)) == 10, f"{person.name}: {len(codes)} codes shown")
        person.says("They will not be shown again", "Ils ne seront plus affichés", language, "shown once")
        person.type("code", codes[3])
        person.click("form[action='/register/recovery-codes/confirm'] button", "codes-confirmed")
        person.says("Thanks", "Merci", language, "codes confirmed")
        person.click("a[href='/register']", "register-done")
        person.says("10 of 10 codes left", "Il reste 10 codes sur 10", language, "codes counted")
        person.click("form[action='/register/finish'] button", "account")
        check(person.url().endswith("/account"), f"{person.name}: two methods did not complete the registration")
    with Person(f"reset-recovery-code-{language}") as person:
        person.who_are_you(user_id(name), language)
        person.says("Enter one of my recovery codes", "Entrez l’un de mes codes de récupération", language, "the option")
        person.click("input[value='recoveryCode']", "recovery-code-chosen")
        person.click("form[action='/reset/option'] button", "recovery-code")
        person.type("code", codes[7].replace("-", "").lower())
        person.click("form[action='/reset/recovery-code'] button", "recovery-code-passed")
        person.says("step 2 of 2", "2 sur 2", language, "second gate")
        check(not person.driver.find_elements(By.CSS_SELECTOR, "input[value='recoveryCode']"), f"{person.name}: the method was offered twice")
        person.click("input[value='mobileSMS']", "second-option")
        person.click("form[action='/reset/option'] button", "phone")
        person.text_me(MOBILES[name])
        person.new_password(language)
        person.signs_in_with(user_id(name), NEW_PASSWORD, language)


@journey
def passkeys(language, name):
    """Passkeys (docs/behaviour.md#passkeys), on one device: a passkey named and added at the registration portal,
    after the step-up; "Sign in with a passkey" alone; a reset whose gate is the passkey; then its removal."""
    device = "My laptop" if language == "en" else "Mon portable"
    with Person(f"passkey-{language}") as person:
        person.holds_passkeys()
        person.sign_in(user_id(name), PASSWORD, language)
        check("/signin/interrupt" in person.url(), f"{person.name}: sign-in did not ask to register")
        person.click("a[href='/register']", "register")
        # The administrator's pre-populated phone would serve a reset: it proves who is adding a passkey.
        person.click("a[href='/register/passkey']", "step-up")
        person.steps_up(MOBILES[name], language)
        person.click("a[href='/register/passkey']", "passkey")
        person.says("You have no passkey yet.", "Vous n’avez pas encore de clé d’accès.", language, "no passkey yet")
        person.type("name", device)
        person.click("#passkey-add", "thanks")
        person.says("Thanks", "Merci", language, "passkey added")
        credentials = person.driver.get_credentials()
        check(len(credentials) == 1, f"{person.name}: the device holds {len(credentials)} passkeys")
        check(all(c.rp_id == "localhost" and c.is_resident_credential for c in credentials),
              f"{person.name}: the passkey is not a discoverable one for localhost")
        person.click("a[href='/register']", "register-done")
        person.says("Passkeys registered: 1", "Clés d’accès enregistrées : 1", language, "passkey counted")
        person.click("a[href='/register/passkey']", "passkey-listed")
        listed = person.passkeys_listed()
        check(len(listed) == 1 and listed[0][0] == device, f"{person.name}: the passkeys listed are {listed}")
        person.click("a[href='/register']", "register-again")
        person.click("form[action='/register/finish'] button", "account")
        check(person.url().endswith("/account"), f"{person.name}: finish did not lead to the account")

        # Sign-in with the passkey alone, no user ID, no password: with the button, then from the autofill.
        person.click("form[action='/signout'] button", "signed-out")
        check("/signin" in person.url(), f"{person.name}: signing out did not lead to the sign-in page")
        person.click("#passkey-signin", "signed-in-with-passkey")
        check(person.url().endswith("/account"), f"{person.name}: the passkey did not sign in")
        person.click("form[action='/signout'] button", "signed-out-again")
        with person.passkey_autofill():
            person.driver.get(f"{base}/signin?lang={language}")
            check(poll(lambda: person.url().endswith("/account")), f"{person.name}: the passkey picked in the autofill did not sign in")
            person.page("signed-in-from-autofill")

        # A reset whose gate is the passkey.
        person.click("form[action='/signout'] button", "signed-out-for-reset")
        person.who_are_you(user_id(name), language)
        person.says("Use a passkey", "Utiliser une clé d’accès", language, "the option")
        person.click("input[value='passkey']", "option-chosen")
        person.click("form[action='/reset/option'] button", "passkey-gate")
        person.says("Use my passkey", "Utiliser ma clé d’accès", language, "the gate's button")
        person.click("#passkey-use", "passkey-used")
        check("/reset/password" in person.url(), f"{person.name}: the passkey did not open the new password page")
        person.new_password(language)
        person.signs_in_with(user_id(name), NEW_PASSWORD, language)

        # The passkey removed: a new sign-in is a new session, which the step-up asks again of.
        person.go(f"/register?lang={language}", "register-to-remove")
        person.click("a[href='/register/passkey']", "step-up-to-remove")
        if "/reset/verify" in person.url():
            person.steps_up(MOBILES[name], language)
            person.click("a[href='/register/passkey']", "passkey-to-remove")
        listed = person.passkeys_listed()
        check(len(listed) == 1 and listed[0][0] == device and listed[0][2] not in ("Never", "Jamais"),
              f"{person.name}: before the removal, the passkeys listed are {listed}")
        person.click("form[action='/register/passkey/remove'] button", "removed")
        check(not person.passkeys_listed(), f"{person.name}: the passkeys listed after the removal are {person.passkeys_listed()}")
        person.says("You have no passkey yet.", "Vous n’avez pas encore de clé d’accès.", language, "passkey removed")
        person.driver.remove_virtual_authenticator()


# Administration


@journey
def policy_change(language):
    """An administrator offers security questions, requires two methods and makes passwords expire after 90 days:
    ticking the method shows its options, and the save is audited."""
    with Person(f"admin-policy-{language}") as admin:
        admin.sign_in(ADMIN, PASSWORD, language)
        admin.go(f"/admin/policy?lang={language}", "policy")
        options = admin.find("#customQuestions")
        check(not options.is_displayed(), f"{admin.name}: question options shown while questions are off")
        admin.click("input[name='methods'][value='securityQuestions']", "questions-ticked")
        check(options.is_displayed(), f"{admin.name}: question options still hidden")
        admin.type("methodsRequired", "2")
        admin.type("passwordExpiryDays", "90")
        admin.click("form.policy button[type=submit]", "saved")
        check("saved=1" in admin.url(), f"{admin.name}: the policy was not saved")
        admin.go(f"/admin/audit?lang={language}&f.target=methods", "audit")
        check("securityQuestions" in admin.text(), f"{admin.name}: the change is not in the audit log")


@journey
def offer_recovery_codes(language):
    """An administrator adds recovery codes to the methods offered."""
    with Person(f"admin-recovery-codes-{language}") as admin:
        admin.sign_in(ADMIN, PASSWORD, language)
        admin.go(f"/admin/policy?lang={language}", "policy")
        admin.says("Recovery codes", "Codes de récupération", language, "the method's label")
        admin.click("input[name='methods'][value='recoveryCodes']", "recovery-codes-ticked")
        admin.click("form.policy button[type=submit]", "saved")
        check("saved=1" in admin.url(), f"{admin.name}: the policy was not saved")


@journey
def pre_population(language, name, number):
    """An administrator finds a user and fills in their mobile phone: a malformed number is refused, kept in the
    form, and the corrected one saved."""
    with Person(f"admin-prepopulate-{language}") as admin:
        admin.sign_in(ADMIN, PASSWORD, language)
        admin.go(f"/admin/users?lang={language}", "users")
        admin.type("search", name)
        admin.click("form.search button", "found")
        admin.click(f"a[href*='{name}']", "user")
        admin.type("mobilePhone", "06 12")
        admin.click("form:has(#mobilePhone) button[type=submit]", "malformed")
        check(admin.driver.find_elements(By.CSS_SELECTOR, ".notice.error"), f"{admin.name}: a malformed number was saved")
        check(admin.find("#mobilePhone").get_attribute("value") == "06 12", f"{admin.name}: the typed number was lost")
        admin.type("mobilePhone", number)
        admin.click("form:has(#mobilePhone) button[type=submit]", "saved")
        check(admin.driver.find_elements(By.CSS_SELECTOR, ".notice.ok"), f"{admin.name}: no confirmation")
        check(admin.find("#mobilePhone").get_attribute("value").replace(" ", "") == international(number),
              f"{admin.name}: the saved number is {admin.find('#mobilePhone').get_attribute('value')}")


@journey
def report_export(language, name):
    """The reset report filtered on one user, exported as CSV: the file holds that user's resets only."""
    downloads = pathlib.Path(tempfile.mkdtemp())
    with Person(f"admin-report-{language}", downloads=downloads) as admin:
        admin.sign_in(ADMIN, PASSWORD, language)
        admin.go(f"/admin/reports/resets?lang={language}", "resets")
        everything = len(admin.driver.find_elements(By.CSS_SELECTOR, "tbody tr"))
        admin.find("input[name='f.user']").send_keys(name)
        admin.click("form.report-filters button[type=submit]", "filtered")
        rows = admin.driver.find_elements(By.CSS_SELECTOR, "tbody tr")
        check(0 < len(rows) < everything, f"{admin.name}: the filter kept {len(rows)} of {everything} rows")
        admin.find("a[href*='format=csv']").click()
        files = poll(lambda: list(downloads.glob("*.csv")))
        check(files, f"{admin.name}: no CSV was downloaded")
        if files:
            lines = list(csv.reader(files[0].read_text(encoding="utf-8-sig").splitlines()))
            check(len(lines) - 1 == len(rows) and all(name in line[0] for line in lines[1:]),
                  f"{admin.name}: the CSV holds {lines}")


@journey
def axe_finds_what_it_should():
    """The checker itself: a page with an image without a text alternative must be reported, or the silence of the
    journeys proves nothing."""
    with Browser("axe-self-check", out) as browser:
        browser.driver.get("data:text/html,<html lang=en><title>t</title><main><img src='x.png'></main></html>")
        violations = browser.axe_violations()
        check(any(v["id"] == "image-alt" and v["impact"] == "critical" for v in violations), "axe did not find a missing alt")


try:
    axe_finds_what_it_should()
    registration("en", "reg-en", "+33 6 12 34 56 01")
    registration("fr", "reg-fr", "+33 6 12 34 56 02")
    registration("en", "phone-en", "+33 6 12 34 56 03", size=PHONE)
    registration("fr", "phone-fr", "+33 6 12 34 56 04", size=PHONE)
    registration("en", "call-en", "+33 6 12 34 56 05", channel="voice")
    registration("en", "keyboard-en", "+33 6 12 34 56 06", keyboard=True)
    email_registration("en", "mail-en", "mail-en@example.org")
    reconfirmation("en", "reg-en")
    step_up("en", "reg-en", "+33 6 12 34 56 01", "reg-en@example.org")
    step_up("fr", "reg-fr", "+33 6 12 34 56 02", "reg-fr@example.org")
    reset("en", "reset-en")
    reset("fr", "reset-fr", size=PHONE)
    reset("en", "keyboard-reset-en", keyboard=True)
    noscript_reset("fr", "noscript-fr")
    expired_reset("fr", "late-fr")
    sign_in_captcha("fr", "reg-fr")
    unlock("en", "unlock-en")
    contact_administrator("en", "nobody-en")
    access_pass_reset("en", "pass-en")
    access_pass_reset("fr", "pass-fr")
    change_password("en", "change-en")
    change_password("fr", "change-fr", size=PHONE)
    your_sessions("en", "reg-en")
    your_sessions("fr", "reg-fr")
    report_export("en", "reset-en")
    set_policy("methods", "mobilePhone,email,authenticatorApp")
    authenticator_journey("en", "totp-en")
    authenticator_journey("fr", "totp-fr")
    set_policy("methods", "mobilePhone,email,passkey")
    passkeys("en", "passkey-en")
    passkeys("fr", "passkey-fr")
    set_policy("methods", "mobilePhone,email")
    wasnt_me("en", "reset-en")
    wasnt_me("fr", "reset-fr")
    # Two methods from here on.
    pre_population("en", "twogates-fr", "+33 6 55 55 55 55")
    MOBILES["twogates-fr"] = "+33 6 55 55 55 55"
    policy_change("fr")
    two_gate_reset("fr", "twogates-fr", questions_registration("fr", "twogates-fr"))
    expired_password("fr", "expired-fr")
    error_pages("en", "reg-en")
    error_pages("fr", "reg-fr")
    offer_recovery_codes("en")
    recovery_codes("en", "codes-en")
    recovery_codes("fr", "codes-fr")
finally:
    server.terminate()
    server.wait()
    webhook.shutdown()

finish(f"journeys: every step passed, screenshots in {out}")
