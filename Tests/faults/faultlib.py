"""Shared pieces of the fault-survival tests (Tests/faults, run by scripts/faults).

Standard library only. Everything talks to 127.0.0.1. Every server this module starts gets stdin /dev/null, closed
descriptors and a session of its own, and is stopped by process id when the test ends (`Processes.cleanup`).
"""
import hashlib
import http.client
import http.cookies
import json
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.parse

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
HERE = os.path.dirname(os.path.abspath(__file__))


# MARK: Reporting

def ok(message):
    print("ok:", message, flush=True)


def info(message):
    print("   ", message, flush=True)


class TestFailure(Exception):
    pass


def check(condition, message, detail=None):
    """Prints `ok: message`, or raises with the message (and detail) on the first failure."""
    if not condition:
        raise TestFailure(message + (f"\n{detail}" if detail else ""))
    ok(message)


def fail(message):
    raise TestFailure(message)


def run_test(name, body):
    """Runs `body()`, prints its duration, and exits non-zero with a clear message on the first failure."""
    started = time.monotonic()
    print(f"==> {name}", flush=True)
    try:
        body()
    except TestFailure as error:
        PROCESSES.cleanup()
        print(f"FAILED ({time.monotonic() - started:.1f} s): {name}: {error}", file=sys.stderr, flush=True)
        sys.exit(1)
    except BaseException:
        PROCESSES.cleanup()
        raise
    PROCESSES.cleanup()
    print(f"passed in {time.monotonic() - started:.1f} s: {name}", flush=True)


def remove_unless_kept(folder):
    """Removes a test's work folder, unless FAULTS_KEEP asks to keep it."""
    if os.environ.get("FAULTS_KEEP"):
        info(f"kept {folder}")
    else:
        shutil.rmtree(folder, ignore_errors=True)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(predicate, timeout, interval=0.05, what=None):
    """Polls `predicate` until it returns something truthy or `timeout` seconds pass (then `None`, or a failure
    when `what` names what was expected)."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() >= deadline:
            if what:
                fail(f"{what} (waited {timeout} s)")
            return None
        time.sleep(interval)


# MARK: Processes

class Processes:
    """Every process these tests start, so that a failure stops them all (by process id, never by name)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.items = []

    def add(self, stop):
        with self.lock:
            self.items.append(stop)

    def cleanup(self):
        with self.lock:
            items, self.items = self.items[::-1], []
        for stop in items:
            try:
                stop()
            except Exception as error:  # noqa: BLE001 (cleanup goes on)
                print(f"    (cleanup: {error})", file=sys.stderr)


PROCESSES = Processes()


def terminate(process, grace=10):
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(grace)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(10)


class Server:
    """One `sesame serve` process with its log; started, killed with SIGKILL, restarted on the same data and port."""

    def __init__(self, binary, folder, env, name="server", port=None, args=()):
        self.binary, self.folder, self.name, self.args = binary, folder, name, list(args)
        self.env = {**os.environ, **env}
        self.port = port or free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.process = None
        self.starts = 0
        self.log_path = None
        os.makedirs(folder, exist_ok=True)
        PROCESSES.add(self.stop)

    def start(self, timeout=60):
        self.starts += 1
        self.log_path = os.path.join(self.folder, f"{self.name}.{self.starts}.log")
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(
                [self.binary, "serve", "--host", "127.0.0.1", "--port", str(self.port), *self.args],
                stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, env=self.env, close_fds=True,
                start_new_session=True)
        started = time.monotonic()

        def ready():
            if self.process.poll() is not None:
                fail(f"{self.name} exited with status {self.process.returncode} while starting; its log:\n{self.log_tail()}")
            try:
                return raw_request(self.port, "GET", "/health/ready", timeout=2).status == 200
            except OSError:
                return False
        wait_until(ready, timeout, interval=0.05, what=f"{self.name} answers /health/ready")
        return time.monotonic() - started

    def alive(self):
        return self.process is not None and self.process.poll() is None

    def kill9(self):
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(10)

    def stop(self):
        if self.process is not None:
            terminate(self.process)

    def log(self, which=None):
        path = self.log_path if which is None else os.path.join(self.folder, f"{self.name}.{which}.log")
        with open(path, encoding="utf-8", errors="replace") as f:
            return f.read()

    def all_logs(self):
        return "".join(self.log(i) for i in range(1, self.starts + 1))

    def log_tail(self, lines=40):
        return "\n".join(self.log().splitlines()[-lines:])


def cli(binary, env, *args, timeout=120, check_status=True):
    """Runs a `sesame` command; its standard output."""
    result = subprocess.run([binary, *args], env={**os.environ, **env}, stdin=subprocess.DEVNULL, capture_output=True,
                            text=True, timeout=timeout, close_fds=True)
    if check_status and result.returncode != 0:
        fail(f"sesame {' '.join(args[:2])} failed ({result.returncode}): {result.stderr.strip()[-2000:]}")
    return result.stdout


def user_sheet(binary, env, user_id):
    text = cli(binary, env, "user", "show", user_id)
    return dict(line.split(": ", 1) if ": " in line else (line.rstrip(":"), "") for line in text.splitlines())


def user_ids(binary, env):
    lines = cli(binary, env, "user", "list").splitlines()[1:]
    return {line.split("\t")[0] for line in lines if line}


def new_secret_file(folder):
    path = os.path.join(folder, "secret.key")
    with open(path, "w") as f:
        f.write(os.urandom(32).hex())
    os.chmod(path, 0o600)
    return path


# MARK: PostgreSQL

def fresh_database(url, prefix):
    """Creates an empty database next to the one `url` names; its URL."""
    name = f"{prefix}_{int(time.time())}_{os.getpid()}_{random.randrange(10**6)}"
    result = subprocess.run(["psql", url, "-qc", f"CREATE DATABASE {name}"], capture_output=True, text=True, timeout=60,
                            stdin=subprocess.DEVNULL)
    if result.returncode != 0:
        fail(f"cannot create a database at {url}: {result.stderr.strip()}")
    return url.rsplit("/", 1)[0] + "/" + name


def psql(url, sql):
    result = subprocess.run(["psql", url, "-qAtc", sql], capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
    if result.returncode != 0:
        fail(f"psql failed: {result.stderr.strip()}")
    return result.stdout.strip()


class PostgresCluster:
    """A throwaway cluster of scripts/postgres, which this test may stop and start again."""

    def __init__(self, folder):
        self.folder = folder
        self.url = subprocess.run([os.path.join(ROOT, "scripts/postgres"), "start", folder], check=True,
                                  capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL).stdout.strip()
        PROCESSES.add(self.remove)

    def pause(self):
        """`pg_ctl stop -m fast`, keeping the data (scripts/postgres pause)."""
        subprocess.run([os.path.join(ROOT, "scripts/postgres"), "pause", self.folder], check=True, timeout=60,
                       stdin=subprocess.DEVNULL, capture_output=True)

    def resume(self):
        """Starts it again on the same port and waits until it accepts connections (pg_ctl -w)."""
        subprocess.run([os.path.join(ROOT, "scripts/postgres"), "resume", self.folder], check=True, timeout=60,
                       stdin=subprocess.DEVNULL, capture_output=True)

    def remove(self):
        subprocess.run([os.path.join(ROOT, "scripts/postgres"), "stop", self.folder], check=False, timeout=60,
                       stdin=subprocess.DEVNULL, capture_output=True)


# MARK: HTTP

class Reply:
    def __init__(self, status, headers, body):
        self.status, self.headers, self.body = status, headers, body
        self.location = headers.get("Location")

    def __repr__(self):
        return f"<{self.status} {self.location or ''} {len(self.body)} bytes>"

    @property
    def is_error_page(self):
        """The site's own error page, with a support code."""
        return 'class="support"' in self.body and "<code>" in self.body


def raw_request(port, method, path, body=None, headers=None, timeout=30):
    """One request on a new connection. Raises OSError (or http.client's errors, which are OSErrors or
    HTTPException) when the connection is refused or dropped without an answer."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        data = response.read().decode("utf-8", errors="replace")
        return Reply(response.status, {k: v for k, v in response.getheaders()} | {"Set-Cookie*": response.headers.get_all("Set-Cookie") or []}, data)
    finally:
        connection.close()


class Dropped(Exception):
    """The connection failed or closed before an answer."""


class Browser:
    """A cookie-keeping, CSRF-carrying client that does not follow redirects; `forwarded_for` sets the client
    address the server believes (loopback is a trusted proxy), so that per-address throttles see many clients."""

    def __init__(self, port, forwarded_for=None, timeout=30):
        self.port, self.forwarded_for, self.timeout = port, forwarded_for, timeout
        self.cookies = {}
        self.csrf = None

    def request(self, method, path, fields=None):
        headers = {"Accept-Language": "en"}
        if self.forwarded_for:
            headers["X-Forwarded-For"] = self.forwarded_for
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if fields is not None:
            fields = dict(fields, _csrf=self.csrf or "")
            body = urllib.parse.urlencode(fields)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            reply = raw_request(self.port, method, path, body=body, headers=headers, timeout=self.timeout)
        except (OSError, http.client.HTTPException) as error:
            raise Dropped(f"{method} {path}: {type(error).__name__}: {error}") from None
        for header in reply.headers.get("Set-Cookie*", []):
            cookie = http.cookies.SimpleCookie()
            cookie.load(header)
            for name, morsel in cookie.items():
                self.cookies[name] = morsel.value
        token = re.search(r'name="_csrf" value="([^"]+)"', reply.body)
        if token:
            self.csrf = token.group(1)
        return reply

    def get(self, path):
        return self.request("GET", path)

    def post(self, path, fields):
        return self.request("POST", path, fields)


def solve(token, bits):
    """The CAPTCHA's proof of work, as the page's script does it."""
    for counter in range(1 << min(bits + 10, 30)):
        value = int.from_bytes(hashlib.sha256(f"{token}:{counter}".encode()).digest(), "big")
        if value >> (256 - bits) == 0:
            return str(counter)
    fail(f"no solution to a {bits}-bit CAPTCHA in {1 << min(bits + 10, 30)} tries")


def who_are_you(browser, user_id):
    """GET /reset, solve the CAPTCHA, POST "Who are you?"; the reply to the POST."""
    page = browser.get("/reset")
    if page.status != 200:
        return page
    token = re.search(r'name="captcha" value="([^"]+)"', page.body).group(1)
    bits = int(re.search(r'data-bits="(\d+)"', page.body).group(1))
    return browser.post("/reset", {"userID": user_id, "captcha": token, "solution": solve(token, bits)})


def sign_in(port, user_id, password, forwarded_for=None):
    """Whether `password` signs `user_id` in (a redirect onwards), or not (401); anything else fails the test."""
    browser = Browser(port, forwarded_for=forwarded_for)
    browser.get("/signin")
    reply = browser.post("/signin", {"userID": user_id, "password": password})
    if reply.status in (302, 303) and reply.location in ("/account", "/signin/interrupt?kind=register", "/signin/interrupt?kind=reconfirm"):
        return True
    if reply.status == 401:
        return False
    fail(f"sign-in of {user_id} answered {reply.status} {reply.location} (expected a redirect or 401):\n{reply.body[:600]}")


def signed_in_browser(port, user_id, password, forwarded_for=None):
    browser = Browser(port, forwarded_for=forwarded_for)
    browser.get("/signin")
    reply = browser.post("/signin", {"userID": user_id, "password": password})
    check(reply.status in (302, 303), f"{user_id} signs in ({reply.status} {reply.location})")
    return browser


# MARK: The SMS webhook recorder (a separate process: Tests/faults/sms_recorder.py)

class SMSRecorder:
    """Starts Tests/faults/sms_recorder.py, which answers 200 to every POST and appends its JSON to a file; reads
    that file back. Stop and start again on the same port to simulate the provider going away."""

    def __init__(self, folder, secret=None):
        self.folder = folder
        self.path = os.path.join(folder, "sms.jsonl")
        self.secret = secret
        self.port = None
        self.process = None
        self.lock = threading.Lock()
        self.arrived = threading.Condition(self.lock)
        self.reader = None
        self.pending = ""
        self.messages = []
        self.closed = threading.Event()
        os.makedirs(folder, exist_ok=True)
        PROCESSES.add(self.stop)
        PROCESSES.add(self.closed.set)
        threading.Thread(target=self._tail, daemon=True).start()

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}/sms"

    def start(self):
        port_file = os.path.join(self.folder, "recorder.port")
        if os.path.exists(port_file):
            os.remove(port_file)
        args = [sys.executable, os.path.join(HERE, "sms_recorder.py"), "--port", str(self.port or 0), "--out", self.path,
                "--port-file", port_file]
        if self.secret:
            args += ["--secret", self.secret]
        with open(os.path.join(self.folder, "recorder.log"), "ab") as log:
            self.process = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                                            close_fds=True, start_new_session=True)

        def listening():
            if self.process.poll() is not None:
                fail(f"the SMS recorder exited ({self.process.returncode}); see {self.folder}/recorder.log")
            return os.path.exists(port_file) and open(port_file).read().strip()
        self.port = int(wait_until(listening, 20, what="the SMS recorder listens"))

    def stop(self):
        if self.process is not None:
            terminate(self.process, grace=5)

    def refresh(self):
        """Reads what the recorder appended since the last look; every message so far."""
        with self.lock:
            if self.reader is None:
                if not os.path.exists(self.path):
                    return list(self.messages)
                self.reader = open(self.path, encoding="utf-8")
            self.pending += self.reader.read()
            complete, _, self.pending = self.pending.rpartition("\n")
            fresh = [json.loads(line) for line in complete.splitlines() if line.strip()]
            if fresh:
                self.messages.extend(fresh)
                self.arrived.notify_all()
            return list(self.messages)

    def _tail(self):
        for _ in range(50 * 3600):  # an hour at most
            if self.closed.wait(0.02):
                return
            self.refresh()

    def to(self, number):
        return [m for m in self.refresh() if m.get("to") == number]

    def code_after(self, number, seen, timeout=15, stop=None):
        """The code of the first SMS to `number` after the first `seen`, waiting up to `timeout` seconds (or until the
        `stop` event is set); `None` when none came."""
        deadline = time.monotonic() + timeout
        with self.lock:
            while True:
                found = [m for m in self.messages if m.get("to") == number]
                if len(found) > seen:
                    return sms_code(found[seen]["text"])
                left = deadline - time.monotonic()
                if left <= 0 or (stop is not None and stop.is_set()):
                    return None
                self.arrived.wait(min(left, 0.2))


def sms_code(text):
    match = re.search(r"\b(\d{6})\b", text)
    return match.group(1) if match else None


def outbox_codes(log_text, channel, destination):
    """Codes the development console outbox printed for `destination`, oldest first."""
    pattern = re.compile(re.escape(f"{channel} to {destination} [") + r"\w+\]\n(.*?)\n──", re.S)
    return [sms_code(block) for block in pattern.findall(log_text) if sms_code(block)]


def seeded_random(name):
    """The run's random source: FAULTS_SEED when set, else a fresh seed that is printed so that a run can be repeated."""
    seed = int(os.environ.get("FAULTS_SEED") or random.SystemRandom().randrange(1, 10**9))
    print(f"    seed {seed} (FAULTS_SEED={seed} repeats this run of {name})", flush=True)
    return random.Random(seed), seed


def strong_password(rng):
    """A password the policy accepts: 14 random characters of all four classes."""
    lower, upper, digits, symbols = "abcdefghijkmnopqrstuvwxyz", "ABCDEFGHJKLMNPQRSTUVWXYZ", "23456789", "#!%+=?"
    chars = [rng.choice(lower) for _ in range(5)] + [rng.choice(upper) for _ in range(4)] + \
            [rng.choice(digits) for _ in range(3)] + [rng.choice(symbols) for _ in range(2)]
    rng.shuffle(chars)
    return "".join(chars)


def french_mobile(index, series=20):
    """A distinct, valid French mobile number for each index: (+33 6 SS XX XX XX, E.164)."""
    digits = f"{index:06d}"
    national = f"6{series:02d}{digits}"
    return f"+33 {national[0]} {national[1:3]} {national[3:5]} {national[5:7]} {national[7:9]}", "+33" + national
