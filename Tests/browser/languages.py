#!/usr/bin/env python3
"""Sesame's pages in other languages, in headless Chromium (docs/localization.md#checks):

- Arabic, German, Japanese and Russian: the sign-in, "Who are you?" and the reset's choice of gates, an error page,
  the forced registration and its phone, email and questions pages, the account, change password and every
  administration page, on a desktop and on a phone-sized screen; each checked with axe-core and for sideways
  scrolling, with a screenshot. Arabic is laid out right to left (`<html dir="rtl">`), while its phone and code
  fields and its phone numbers stay left to right; the language menu on every page lists each language in its own
  name and switches to it.
- Pseudo-localisation: a copy of the server whose English catalogues are rewritten with accented letters and 40 %
  longer, in brackets (`[Šîĝñ îñ ~~]`). On every page above, any word of plain ASCII letters outside the data the page
  shows (names, addresses) is a text that does not come from a catalogue; and no page may scroll sideways on a phone
  with the longer texts.

Usage: languages.py SESAME_BINARY OUTPUT_DIR
"""
import json
import math
import pathlib
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

from selenium.webdriver.common.by import By

from browser import Browser, check, finish

binary, out = pathlib.Path(sys.argv[1]).resolve(), pathlib.Path(sys.argv[2])
out.mkdir(parents=True, exist_ok=True)
PHONE = 375

# Letters replaced by accented ones in the pseudo-localised catalogue: every text from a catalogue then has none of
# plain ASCII, and an ASCII word on a page is a hard-coded string (or data).
ACCENTED = dict(zip("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ",
                    "åƀçðéƒĝĥîĵķļɱñöþǫŕšţûṽŵẋýžÅƁÇÐÉƑĜĤÎĴĶĻṀÑÖÞǪŔŠŢÛṼŴẊÝŽ"))
# The ICU pieces a pseudo-localisation leaves alone: placeholders, plural heads and selectors, branch ends.
SYNTAX = re.compile(r"\{[A-Za-z_][A-Za-z0-9_]*\}|\{[A-Za-z_][A-Za-z0-9_]*, plural,|(?:=\d+|zero|one|two|few|many|other) \{|\}|#")


# For each text on the page holding a phone number (+33 6•• •• •• 78) on one line: where its "+" and its last digit
# are drawn.
PHONE_ORDER = """
    const found = [], walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    while (walker.nextNode()) {
      const node = walker.currentNode, match = node.textContent.match(/\\+\\d[\\d •]*\\d/);
      if (!match || node.parentElement.closest('select')) continue;
      const box = i => { const r = document.createRange(); r.setStart(node, i); r.setEnd(node, i + 1); return r.getBoundingClientRect(); };
      const plus = box(match.index), last = box(match.index + match[0].length - 1);
      // A number broken over two lines says nothing of its direction.
      if (Math.abs(plus.y - last.y) < 2) found.push([plus.x, last.x]);
    }
    return found;"""


def pseudo(text):
    parts, last = [], 0
    for match in SYNTAX.finditer(text):
        parts.append("".join(ACCENTED.get(c, c) for c in text[last:match.start()]))
        parts.append(match.group(0))
        last = match.end()
    parts.append("".join(ACCENTED.get(c, c) for c in text[last:]))
    # 40 % longer, in words of up to five letters: a long word is a line no narrow screen can break.
    padding = math.ceil(len(re.sub(SYNTAX, "", text)) * 0.4)
    words = ["~" * min(5, padding - start) for start in range(0, padding, 6)]
    return "[" + "".join(parts) + "".join(" " + word for word in words) + "]"


def pseudo_copy(folder):
    """The binary beside copies of its resource bundles (where it looks first), with English pseudo-localised."""
    shutil.copy2(binary, folder / "sesame")
    for bundle in binary.parent.glob("*.resources"):
        shutil.copytree(bundle, folder / bundle.name)
    for english in list(folder.glob("*.resources/Messages/en.json")) + list(folder.glob("*.resources/Countries/en.json")):
        table = json.loads(english.read_text())
        english.write_text(json.dumps({key: pseudo(text) for key, text in table.items()}, ensure_ascii=False))
    return folder / "sesame"


def serve(executable, data):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    log = open(data / "serve.log", "w")
    server = subprocess.Popen([executable, "serve", "--demo", "--data", str(data), "--port", str(port)],
                              stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    for _ in range(600):
        try:
            if urllib.request.urlopen(f"{base}/health/ready").status == 200:
                break
        except OSError:
            time.sleep(0.05)
    else:
        server.kill()
        raise SystemExit(f"sesame serve did not start: {(data / 'serve.log').read_text()[-2000:]}")
    passwords = dict(re.findall(r"(\S+@contoso\.example)\s+password: (\S+)", (data / "serve.log").read_text()))
    return server, base, passwords


def sign_in(browser, user, password, language):
    browser.driver.get(f"{browser.base}/signin?lang={language}")
    browser.type("userID", user)
    browser.type("password", password)
    with browser.navigation():
        browser.find("form[action='/signin'] button").click()


def tour(browser, passwords, language, each_page):
    """The pages of the check, in `language`; `each_page(label)` looks at each."""
    def visit(path, label):
        browser.driver.get(f"{browser.base}{path}")
        browser.page(label)
        each_page(label)

    visit(f"/signin?lang={language}", "signin")
    visit("/reset", "who-are-you")
    # The page's script solves the CAPTCHA; alice's mobile number, pre-populated, is offered as a gate.
    browser.type("userID", "alice@contoso.example")
    browser.click("form[action='/reset'] button", "reset-options")
    each_page("reset-options")
    visit("/no-such-page", "not-found")
    browser.driver.delete_all_cookies()
    sign_in(browser, "alice@contoso.example", passwords["alice@contoso.example"], language)
    check("/signin/interrupt" in browser.url(), f"{browser.name}: alice was not asked to register")
    browser.page("interrupt")
    each_page("interrupt")
    for page in ("", "/phone", "/email", "/questions"):
        visit(f"/register{page}", "register" + page.replace("/", "-"))
    visit("/account", "account")
    visit("/account/password", "change-password")
    browser.driver.delete_all_cookies()
    sign_in(browser, "admin@contoso.example", passwords["admin@contoso.example"], language)
    for page in ("policy", "users", "users/import", "branding", "reports/resets", "reports/registrations", "audit"):
        visit(f"/admin/{page}", "admin-" + page.replace("/", "-"))


def real_languages(base, passwords):
    for language in ("ar", "de", "ja", "ru"):
        for width in (1280, PHONE):
            name = f"{language}-{'phone' if width == PHONE else 'desktop'}"
            with Browser(f"language-{name}", out, base, width, 900 if width > PHONE else 740) as browser:
                def looks(label, browser=browser, language=language):
                    html = browser.find("html")
                    check(html.get_attribute("lang") == language, f"{browser.name} {label}: lang={html.get_attribute('lang')}")
                    direction = "rtl" if language == "ar" else "ltr"
                    check(html.get_attribute("dir") == direction, f"{browser.name} {label}: dir={html.get_attribute('dir')}")
                    check(browser.driver.execute_script("return getComputedStyle(document.body).direction") == direction,
                          f"{browser.name} {label}: the body is not laid out {direction}")
                    for field in browser.driver.find_elements(By.CSS_SELECTOR, "input[type=tel], input[inputmode=numeric], input[type=email]"):
                        check(browser.driver.execute_script("return getComputedStyle(arguments[0]).direction", field) == "ltr",
                              f"{browser.name} {label}: a phone, code or address field is not left to right")
                    # A phone number inside a right-to-left sentence still reads left to right: its "+" is drawn
                    # left of its last digit (docs/localization.md#right-to-left).
                    for plus, last in browser.driver.execute_script(PHONE_ORDER):
                        check(plus < last, f"{browser.name} {label}: a phone number is drawn right to left")
                    menu = browser.driver.find_elements(By.CSS_SELECTOR, "details.languages a[hreflang]")
                    check(len(menu) == 43, f"{browser.name} {label}: the language menu lists {len(menu)} languages")
                tour(browser, passwords, language, looks)
    # The menu switches language, and the choice is remembered.
    with Browser("language-menu", out, base) as browser:
        browser.driver.get(f"{base}/reset?lang=en")
        browser.find("details.languages summary").click()
        with browser.navigation():
            browser.find("details.languages a[hreflang='de']").click()
        browser.page("menu-german")
        check(browser.find("html").get_attribute("lang") == "de", "the menu did not switch to German")
        browser.driver.get(f"{base}/signin")
        check(browser.find("html").get_attribute("lang") == "de", "the German choice was not remembered")


def pseudo_localised(base, passwords):
    data_words = {"Contoso", "Sesame", "Ada", "Admin", "Alice", "Martin", "Bob", "Durand"}
    found = {}
    with Browser("pseudo", out, base, PHONE, 740) as browser:
        def hard_coded(label):
            # Visible texts outside form values, tables of data and the language menu (each language's own name).
            texts = browser.driver.execute_script("""
                const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
                const texts = [];
                while (walker.nextNode()) {
                  const node = walker.currentNode, parent = node.parentElement;
                  if (!parent || parent.closest('details.languages, td, option, script, style, noscript, code')) continue;
                  if (parent.closest('[hidden]') || getComputedStyle(parent).display === 'none') continue;
                  if (node.textContent.trim()) texts.push(node.textContent.trim());
                }
                return texts;""")
            for text in texts:
                words = [w for w in re.findall(r"[A-Za-z]{3,}", re.sub(r"\S+@\S+", "", text)) if w not in data_words]
                if words:
                    found.setdefault(f"{label}: {text[:80]}", words)
        tour(browser, passwords, "en", hard_coded)
    check(not found, "texts that come from no catalogue:\n  " + "\n  ".join(f"{where} {words}" for where, words in found.items()))


with tempfile.TemporaryDirectory() as real_data, tempfile.TemporaryDirectory() as pseudo_data, \
        tempfile.TemporaryDirectory() as pseudo_folder:
    server, base, passwords = serve(binary, pathlib.Path(real_data))
    try:
        real_languages(base, passwords)
    finally:
        server.terminate()
        server.wait()
    server, base, passwords = serve(pseudo_copy(pathlib.Path(pseudo_folder)), pathlib.Path(pseudo_data))
    try:
        pseudo_localised(base, passwords)
    finally:
        server.terminate()
        server.wait()

finish(f"languages: ar, de, ja and ru on desktop and phone, and the pseudo-localised pages, checked; screenshots in {out}")
