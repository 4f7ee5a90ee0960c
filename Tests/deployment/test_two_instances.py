"""A reset that starts on one Sesame instance and finishes on the other, through nginx (scripts/two-instances).

Run by scripts/test. Standard library only: a cookie-keeping HTTP client, the CAPTCHA's proof of work, and the
codes read from the instances' development outbox. Exits non-zero on the first failed check.
"""
import hashlib
import http.cookiejar
import os
import re
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def check(condition, message):
    if not condition:
        print("FAILED:", message, file=sys.stderr)
        sys.exit(1)
    print("ok:", message)


class Browser:
    def __init__(self, base):
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), NoRedirect())
        self.csrf = None

    def request(self, path, fields=None):
        data = None
        if fields is not None:
            fields = dict(fields, _csrf=self.csrf)
            data = urllib.parse.urlencode(fields).encode()
        try:
            response = self.opener.open(self.base + path, data=data, timeout=30)
            status, body, location = response.status, response.read().decode(), response.headers.get("Location")
        except urllib.error.HTTPError as error:
            status, body, location = error.code, error.read().decode(), error.headers.get("Location")
        token = re.search(r'name="_csrf" value="([^"]+)"', body)
        if token:
            self.csrf = token.group(1)
        return status, body, location


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def solve(token, bits):
    counter = 0
    while True:
        digest = hashlib.sha256(f"{token}:{counter}".encode()).digest()
        value = int.from_bytes(digest, "big")
        if value >> (256 - bits) == 0:
            return str(counter)
        counter += 1


def code_for(folder, number, after):
    """The newest code sent to `number` by either instance since `after` codes were sent."""
    deadline = time.time() + 10
    while time.time() < deadline:
        codes = []
        for log in ("a.log", "b.log"):
            with open(os.path.join(folder, log), encoding="utf-8", errors="replace") as f:
                codes += re.findall(r"sms to " + re.escape(number) + r" \[\w+\]\n(\d{6}) ", f.read())
        if len(codes) > after:
            return codes[-1], len(codes)
        time.sleep(0.1)
    check(False, f"a code was sent to {number}")


def requests_served(folder, log):
    with open(os.path.join(folder, log), encoding="utf-8", errors="replace") as f:
        return len(re.findall(r"hb\.request\.path=/reset", f.read()))


def main():
    folder = tempfile.mkdtemp(prefix="sesame-two-instances-")
    url = subprocess.run([os.path.join(ROOT, "scripts/two-instances"), "up", folder, *sys.argv[1:2]],
                         check=True, capture_output=True, text=True).stdout.strip()
    try:
        env = dict(line.split("=", 1) for line in open(os.path.join(folder, "env")).read().split())
        cli = {**os.environ, "SESAME_DATABASE_URL": env["SESAME_DATABASE_URL"], "SESAME_SECRET_FILE": env["SESAME_SECRET_FILE"]}
        subprocess.run([env["SESAME_BIN"], "user", "add", "alice@contoso.com", "--password", "Zq8#Lw4!Vr2k",
                        "--mobile", "+33 6 12 34 56 78"], check=True, env=cli, capture_output=True)
        browser = Browser(url)
        status, page, _ = browser.request("/reset")
        check(status == 200, "the reset portal answers through nginx")
        token = re.search(r'name="captcha" value="([^"]+)"', page).group(1)
        bits = int(re.search(r'data-bits="(\d+)"', page).group(1))
        status, _, location = browser.request("/reset", {"userID": "alice@contoso.com", "captcha": token, "solution": solve(token, bits)})
        check(location == "/reset/verify", f"'Who are you?' accepted the user ({status})")
        browser.request("/reset/verify")
        browser.request("/reset/option", {"option": "mobileSMS"})
        browser.request("/reset/verify")
        browser.request("/reset/phone", {"number": "06 12 34 56 78"})
        status, page, _ = browser.request("/reset/verify")
        check(status == 200 and 'name="code"' in page, "the code was sent")
        code, _ = code_for(folder, "+33612345678", 0)
        status, _, location = browser.request("/reset/code", {"code": code})
        check(location in ("/reset/verify", "/reset/password"), "the code was accepted")
        browser.request("/reset/password")
        status, page, _ = browser.request("/reset/password", {"new": "Yt7$Mx3!Ps9j", "confirm": "Yt7$Mx3!Ps9j"})
        check("Your password has been reset" in page, "the password was reset")
        served = (requests_served(folder, "a.log"), requests_served(folder, "b.log"))
        check(all(count > 0 for count in served), f"both instances served the reset's pages (a: {served[0]}, b: {served[1]})")
        signin = Browser(url)
        signin.request("/signin")
        status, _, location = signin.request("/signin", {"userID": "alice@contoso.com", "password": "Yt7$Mx3!Ps9j"})
        # The policy asks new users to register their methods at sign-in: the interrupt comes after a right password.
        check(location in ("/account", "/signin/interrupt?kind=register"), f"the new password signs in, through either instance ({status} {location})")
    finally:
        subprocess.run([os.path.join(ROOT, "scripts/two-instances"), "down", folder], check=False)


if __name__ == "__main__":
    main()
