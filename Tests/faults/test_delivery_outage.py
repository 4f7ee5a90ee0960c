"""Fault test 3: the SMTP server and the SMS webhook both down for a minute.

Usage: test_delivery_outage.py SESAME_BIN

`serve --demo` on SQLite, with SESAME_SMTP_URL at the project's SMTP sink (scripts/smtp-sink, its plain port) and
SESAME_SMS_PROVIDER=webhook at the recording webhook (Tests/faults/sms_recorder.py, with a signing secret). Both are
stopped, messages that must go out are triggered, both stay down for OUTAGE seconds (60) from the moment they were
stopped, and both come back on the same ports (the sink through Tests/faults/smtp_sink_again.py, since
scripts/smtp-sink picks free ports).

What the delivery queue promises (Sources/SesameDelivery/DeliveryQueue.swift) decides what "arrives" means:

* Notices are posted without waiting and retried on transient failures (a refused connection is one) with backoff
  0.5 s, doubling, at most 60 s, at most 8 attempts: attempt 8 comes ~63.5 s (plus up to 1 s of worker poll per
  attempt) after the first. So a notice queued during a 60 s outage must arrive once the services are back, exactly
  once. Tested with three kinds, queued while both services are down: the "contact your administrator" request
  (bob, who cannot verify, to the global administrator), the contact-change notice (alice verifies, during the
  outage, a code she received before it, replacing her authentication email: the old address is told), and the
  reset notice (dave finishes, during the outage, a reset whose SMS code came before it).
* A code is sent with `send`, which waits 8 s (pageWait) for the outcome; then the page shows "Oops! We encountered
  an unexpected error while contacting you." (not a 5xx), the message is marked failed and the flow drops the code.
  Such a code must never arrive later (it could not be used), and "try again" once the services are back must send
  exactly one new code that works. Tested with a registration code by email and by SMS (alice, signed in) and a
  reset code by SMS (carol).

Meanwhile the server must never answer 5xx: a light load of GET /reset, GET /signin and /health/ready runs through
the outage, besides the pages above.
"""
import argparse
import email
import email.policy
import glob
import json
import os
import re
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from faultlib import (  # noqa: E402
    remove_unless_kept,
    PROCESSES, ROOT, Browser, Dropped, SMSRecorder, Server, check, cli, fail, info, ok, raw_request, run_test,
    signed_in_browser, sms_code, strong_password, wait_until, who_are_you)

OUTAGE = float(os.environ.get("FAULTS_DELIVERY_OUTAGE", "60"))
ARRIVAL_WAIT = 60.0
OOPS = "Oops! We encountered an unexpected error while contacting you."


class Sink:
    """The project's SMTP sink: started with scripts/smtp-sink, stopped by its process id, started again on the
    same ports; reads the Maildir it writes."""

    def __init__(self, folder):
        self.folder = folder
        subprocess.run([os.path.join(ROOT, "scripts/smtp-sink"), folder], check=True, timeout=60, stdin=subprocess.DEVNULL,
                       capture_output=True)
        with open(os.path.join(folder, "sink.json")) as f:
            self.ports = json.load(f)
        self.saved = os.path.join(folder, "ports.json")
        with open(self.saved, "w") as f:
            json.dump(self.ports, f)
        self.pid = int(open(os.path.join(folder, "sink.pid")).read())
        self.process = None
        PROCESSES.add(self.stop)

    @property
    def port(self):
        return self.ports["plain"]

    def stop(self):
        if self.process is not None:
            if self.process.poll() is None:
                self.process.terminate()
                self.process.wait(10)
            return
        if self.pid and gone(self.pid) is False:
            os.kill(self.pid, 15)
            wait_until(lambda: gone(self.pid), 10, what="the SMTP sink stopped")

    def start_again(self):
        os.remove(os.path.join(self.folder, "sink.json"))
        with open(os.path.join(self.folder, "sink-again.log"), "ab") as log:
            self.process = subprocess.Popen(
                [os.path.join(ROOT, ".venv/bin/python"), os.path.join(os.path.dirname(os.path.abspath(__file__)), "smtp_sink_again.py"),
                 self.saved, "--dir", self.folder, "--cert", os.path.join(self.folder, "cert.pem"),
                 "--key", os.path.join(self.folder, "key.pem")],
                stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, close_fds=True, start_new_session=True)
        wait_until(lambda: os.path.exists(os.path.join(self.folder, "sink.json")), 20,
                   what="the SMTP sink listens again on its ports")
        with open(os.path.join(self.folder, "sink.json")) as f:
            again = json.load(f)
        check(again["plain"] == self.ports["plain"], f"the SMTP sink is back on the same port ({self.port})")

    def mails(self):
        found = []
        for path in sorted(glob.glob(os.path.join(self.ports["maildir"], "new", "*"))):
            with open(path, "rb") as f:
                message = email.message_from_binary_file(f, policy=email.policy.default)
            body = message.get_body(preferencelist=("plain",))
            found.append({"to": str(message["To"]), "subject": str(message["Subject"]),
                          "text": body.get_content() if body is not None else "", "path": path})
        return found

    def to(self, address, subject_part=None):
        return [m for m in self.mails() if address in m["to"] and (subject_part is None or subject_part in m["subject"])]


def gone(pid):
    """Whether process `pid` has ended (a zombie counts as ended)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split(")")[-1].split()[0] == "Z"
    except FileNotFoundError:
        return True


def refuses(port):
    try:
        raw_request(port, "GET", "/", timeout=2)
        return False
    except ConnectionRefusedError:
        return True
    except OSError:
        return False


def body(binary):
    folder = tempfile.mkdtemp(prefix="sesame-faults-delivery-")
    info(f"work folder {folder}; outage {OUTAGE:.0f} s")
    sink = Sink(os.path.join(folder, "smtp"))
    recorder = SMSRecorder(os.path.join(folder, "sms"), secret="delivery-webhook-secret")
    recorder.start()
    env = {
        "SESAME_DATA_DIR": os.path.join(folder, "data"),
        "SESAME_SMTP_URL": f"smtp://127.0.0.1:{sink.port}", "SESAME_MAIL_FROM": "Sesame <sesame@faults.example>",
        "SESAME_SMS_PROVIDER": "webhook", "SESAME_SMS_WEBHOOK_URL": recorder.url,
        "SESAME_SMS_WEBHOOK_SECRET": "delivery-webhook-secret",
    }
    import random
    rng = random.Random(7)
    carol_password, dave_password, dave_new, carol_new = (strong_password(rng) for _ in range(4))
    cli(binary, env, "user", "add", "carol@contoso.example", "--password", carol_password, "--given-name", "Carol",
        "--surname", "Petit", "--mobile", "+33 6 55 00 00 01")
    cli(binary, env, "user", "add", "dave@contoso.example", "--password", dave_password, "--given-name", "Dave",
        "--surname", "Moreau", "--mobile", "+33 6 55 00 00 02", "--alternate-email", "dave.moreau@example.org")
    server = Server(binary, folder, env, args=["--demo"])
    server.start()
    demo = dict(re.findall(r"^\s+(\S+@contoso\.example)\s+password: (\S+)", server.log(), re.M))
    check({"alice@contoso.example", "bob@contoso.example", "admin@contoso.example"} <= set(demo),
          "serve --demo printed the demo users' passwords")

    # Before the outage: alice registers an authentication email and asks for a code to replace it (kept for
    # later); dave receives his reset code by SMS (kept for later). Both arrive at once, the services being up.
    alice = signed_in_browser(server.port, "alice@contoso.example", demo["alice@contoso.example"], forwarded_for="10.5.0.1")
    first, second, third = "alice.first@example.org", "alice.second@example.org", "alice.third@example.org"

    def email_code(browser, address, seen):
        reply = browser.post("/register/email", {"address": address})
        if reply.status != 200 or 'name="code"' not in reply.body:
            fail(f"the registration code to {address}: {reply.status} {reply.body[:300]}")
        mail = wait_until(lambda: sink.to(address)[seen:] or None, 15, what=f"the code email to {address}")
        return sms_code(mail[0]["text"])

    def step_up(browser):
        """alice's pre-populated address would serve a reset: it proves who changes her methods, for ten minutes
        (docs/behaviour.md#step-up). Done while the services are up; a new sign-in would drop it."""
        reply = browser.get("/register/email")
        check(reply.status == 303 and reply.location == "/reset/verify", "a change of alice's methods asks for a step-up")
        browser.get("/reset/verify")
        seen = len(sink.to("alice.martin@example.org"))
        browser.post("/reset/option", {"option": "email"})
        mail = wait_until(lambda: sink.to("alice.martin@example.org")[seen:] or None, 15, what="the step-up code email")
        browser.get("/reset/verify")
        browser.post("/reset/code", {"code": sms_code(mail[0]["text"])})
        check(browser.get("/reset/verify").location == "/register", "the step-up by email leads back to the registration")

    step_up(alice)
    # A second session of alice's, so that the two code pages of the outage do not share one pending code.
    alice_sms = signed_in_browser(server.port, "alice@contoso.example", demo["alice@contoso.example"], forwarded_for="10.5.0.4")
    step_up(alice_sms)
    alice.get("/register/email")
    reply = alice.post("/register/verify", {"code": email_code(alice, first, 0)})
    check(reply.status == 200 and "Thanks" in reply.body, f"alice registered {first} (the sink is up)")
    alice.get("/register/email")
    change_code = email_code(alice, second, 0)
    ok(f"alice received a code to replace it with {second}, not used yet")

    dave = Browser(server.port, forwarded_for="10.5.0.2")
    reply = who_are_you(dave, "dave@contoso.example")
    check(reply.status == 303, "dave starts a reset")
    dave.get("/reset/verify")
    dave.post("/reset/option", {"option": "mobileSMS"})
    dave.get("/reset/verify")
    dave.post("/reset/phone", {"number": "06 55 00 00 02"})
    dave_code = recorder.code_after("+33655000002", 0, timeout=15)
    check(dave_code is not None, "dave's reset code came by SMS (the webhook is up)")

    before = {"mails": len(sink.mails()), "sms": len(recorder.refresh())}

    # The outage.
    outage_start = time.monotonic()
    sink.stop()
    recorder.stop()
    check(refuses(sink.port) and refuses(recorder.port), f"the SMTP sink and the SMS webhook are down (ports {sink.port} and "
          f"{recorder.port} refuse connections)")

    statuses, lock, stop = [], threading.Lock(), threading.Event()

    def note(what, reply):
        with lock:
            statuses.append((what, reply.status if reply is not None else "dropped"))
        return reply

    def load():
        paths = ["/reset", "/signin", "/health/ready"]
        count = 0
        while not stop.wait(0.2) and count < 2000:
            path = paths[count % 3]
            count += 1
            try:
                note("GET " + path, raw_request(server.port, "GET", path, timeout=30))
            except OSError:
                note("GET " + path, None)

    loader = threading.Thread(target=load, daemon=True)
    loader.start()
    outcomes = {}

    def safe(name, action):
        try:
            outcomes[name] = action()
        except Dropped as error:
            outcomes[name] = ("dropped", str(error))
        except Exception as error:  # noqa: BLE001 (reported below)
            outcomes[name] = ("error", f"{type(error).__name__}: {error}")

    def contact_request():
        bob = Browser(server.port, forwarded_for="10.5.0.3")
        first_page = note("POST /reset (bob)", who_are_you(bob, "bob@contoso.example"))
        contacted = note("POST /reset/contact", bob.post("/reset/contact", {}))
        return first_page.status, "We could not verify your account" in first_page.body, contacted.status, \
            "We have asked your administrators" in contacted.body

    def contact_change():
        reply = note("POST /register/verify (alice)", alice.post("/register/verify", {"code": change_code}))
        return reply.status, "Thanks" in reply.body

    def reset_notice():
        note("GET /reset/verify (dave)", dave.get("/reset/verify"))
        code = note("POST /reset/code (dave)", dave.post("/reset/code", {"code": dave_code}))
        note("GET /reset/password (dave)", dave.get("/reset/password"))
        done = note("POST /reset/password (dave)", dave.post("/reset/password", {"new": dave_new, "confirm": dave_new}))
        return code.status, code.location, done.status, "Your password has been reset" in done.body

    def registration_email_code():
        started = time.monotonic()
        reply = note("POST /register/email (alice)", alice.post("/register/email", {"address": third}))
        return reply.status, OOPS in reply.body, time.monotonic() - started

    def registration_sms_code():
        signed = alice_sms
        signed.get("/register/phone")
        started = time.monotonic()
        reply = note("POST /register/phone (alice)", signed.post("/register/phone", {"country": "FR", "number": "06 98 76 54 32", "channel": "sms"}))
        return reply.status, OOPS in reply.body, time.monotonic() - started

    carol = Browser(server.port, forwarded_for="10.5.0.5")

    def reset_code():
        note("POST /reset (carol)", who_are_you(carol, "carol@contoso.example"))
        carol.get("/reset/verify")
        carol.post("/reset/option", {"option": "mobileSMS"})
        carol.get("/reset/verify")
        started = time.monotonic()
        reply = note("POST /reset/phone (carol)", carol.post("/reset/phone", {"number": "06 55 00 00 01"}))
        return reply.status, OOPS in reply.body, 'href="/reset/verify"' in reply.body, time.monotonic() - started

    # The notices first (each queued within a second or two of the stop), then the three codes at once.
    for name, action in [("contact request", contact_request), ("contact change", contact_change), ("reset notice", reset_notice)]:
        safe(name, action)
    queued_by = time.monotonic() - outage_start
    workers = [threading.Thread(target=safe, args=(name, action), daemon=True) for name, action in
               [("registration email code", registration_email_code), ("registration SMS code", registration_sms_code),
                ("reset SMS code", reset_code)]]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(40)
    info(f"the notices were queued by {queued_by:.1f} s into the outage; the code pages answered by "
         f"{time.monotonic() - outage_start:.1f} s")
    check(outcomes.get("contact request") == (200, True, 200, True),
          "bob (no method) asked for his administrator during the outage: the page says the administrators were asked",
          repr(outcomes.get("contact request")))
    check(outcomes.get("contact change") == (200, True),
          f"alice replaced {first} by {second} during the outage (\"Thanks\")", repr(outcomes.get("contact change")))
    check(outcomes.get("reset notice") == (303, "/reset/verify", 200, True) or
          outcomes.get("reset notice") == (303, "/reset/password", 200, True),
          "dave finished his reset during the outage with the code he had (\"Your password has been reset\")",
          repr(outcomes.get("reset notice")))
    for name in ("registration email code", "registration SMS code"):
        status, oops, took = outcomes.get(name, (None, None, 0))
        check(status == 422 and oops, f"the {name} page answered \"Oops! …\" (422, no 5xx) after {took:.1f} s "
              "(the page waits 8 s for the message to leave)", repr(outcomes.get(name)))
    status, oops, try_again, took = outcomes.get("reset SMS code", (None, None, None, 0))
    check(status == 422 and oops and try_again, f"carol's reset code page answered \"Oops! …\" with \"try again\" (422) after {took:.1f} s",
          repr(outcomes.get("reset SMS code")))

    remaining = OUTAGE - (time.monotonic() - outage_start)
    check(remaining > 0, f"the triggers fit in the outage ({OUTAGE - remaining:.1f} s of {OUTAGE:.0f} s)")
    time.sleep(remaining)
    check(len(sink.mails()) == before["mails"] and len(recorder.refresh()) == before["sms"],
          "nothing was delivered while both were down")
    sink.start_again()
    recorder.start()
    check(recorder.port and not refuses(recorder.port), f"the SMS webhook is back on the same port ({recorder.port})")
    back = time.monotonic()
    info(f"both back {back - outage_start:.1f} s after they were stopped")

    # Every notice arrives, once.
    expected = {
        "contact request to the global administrator": ("ada.admin@example.org", "asks for a password reset"),
        f"contact-change notice to {first}": (first, "changed"),
        "reset notice to dave": ("dave.moreau@example.org", "password was reset"),
    }
    arrived = wait_until(lambda: all(sink.to(*spec) for spec in expected.values()), ARRIVAL_WAIT, interval=0.25)
    took = time.monotonic() - back
    missing = [name for name, spec in expected.items() if not sink.to(*spec)]
    check(arrived, f"every notice queued during the outage arrived once the services were back ({took:.1f} s after)",
          f"missing: {missing}; server log: {server.log_path}\n" +
          "\n".join(line for line in server.log().splitlines() if line.endswith("message not sent"))[-3000:])
    time.sleep(3)
    counts = {name: len(sink.to(*spec)) for name, spec in expected.items()}
    check(all(n == 1 for n in counts.values()), f"each notice arrived exactly once {counts}")

    # No stale code: the codes whose pages gave up are never delivered.
    stale = [m for m in sink.mails()[before["mails"]:] if third in m["to"]]
    stale_sms = [m for m in recorder.refresh()[before["sms"]:] if m["to"] in ("+33698765432", "+33655000001")]
    check(not stale and not stale_sms, "no code whose page said \"Oops!\" was delivered afterwards",
          f"{stale} {stale_sms}")
    with lock:
        stop.set()
    loader.join(40)
    bad = [entry for entry in statuses if entry[1] == "dropped" or entry[1] >= 500]
    check(len(statuses) > 100 and not bad, f"the server answered every request during the outage, none with a 5xx ({len(statuses)} requests)",
          repr(bad[:10]))

    # "Try again": one new code each, arriving once, and working.
    alice.get("/register/email")
    reply = alice.post("/register/email", {"address": third})
    check(reply.status == 200 and 'name="code"' in reply.body, "alice asks again for a code to " + third)
    mails = wait_until(lambda: sink.to(third) or None, 15, what=f"the new code to {third}")
    reply = alice.post("/register/verify", {"code": sms_code(mails[0]["text"])})
    check(reply.status == 200 and "Thanks" in reply.body, f"the new email code arrived and registered {third}")
    reply = alice_sms.post("/register/phone", {"country": "FR", "number": "06 98 76 54 32", "channel": "sms"})
    check(reply.status == 200 and 'name="code"' in reply.body, "alice asks again for a code by SMS")
    code = recorder.code_after("+33698765432", 0, timeout=15)
    reply = alice_sms.post("/register/verify", {"code": code or ""})
    check(code and reply.status == 200 and "Thanks" in reply.body, "the new SMS code arrived and registered alice's authentication phone")
    reply = carol.get("/reset/verify")
    carol.post("/reset/option", {"option": "mobileSMS"})
    carol.get("/reset/verify")
    reply = carol.post("/reset/phone", {"number": "06 55 00 00 01"})
    check(reply.status == 303, "carol tries again: the code is sent")
    code = recorder.code_after("+33655000001", 0, timeout=15)
    reply = carol.post("/reset/code", {"code": code or ""})
    carol.get("/reset/password")
    done = carol.post("/reset/password", {"new": carol_new, "confirm": carol_new})
    check(code and reply.status == 303 and "Your password has been reset" in done.body,
          "the new reset code arrived and carol's reset completed")
    notice_to_second = wait_until(lambda: sink.to(second, "changed") or None, 15, what=f"the contact-change notice to {second}")
    carol_notice = wait_until(lambda: sink.to("carol@contoso.example", "password was reset") or None, 15,
                              what="carol's reset notice (to her user ID, she has no email)")
    time.sleep(2)
    sms_after = {number: len(recorder.to(number)) for number in ("+33698765432", "+33655000001")}
    # Alice's first authentication phone is told to her authentication email, third (docs/behaviour.md#notices).
    wait_until(lambda: sink.to(third, "Added to your") or None, 15, what=f"the notice to {third} of the phone added")
    mails_after = {third: len(sink.to(third, "verification code")), "phone added": len(sink.to(third, "Added to your")),
                   second: len(sink.to(second, "changed")), "carol@contoso.example": len(sink.to("carol@contoso.example"))}
    # second heard of each change alice proved: as the new address (first → second), then as the old (→ third).
    check(sms_after == {"+33698765432": 1, "+33655000001": 1}
          and mails_after == {third: 1, "phone added": 1, second: 2, "carol@contoso.example": 1}
          and len(notice_to_second) >= 1 and len(carol_notice) == 1,
          f"every message after the outage arrived exactly once (SMS {sms_after}, email {mails_after})")
    signatures = [m.get("signatureOK") for m in recorder.refresh()]
    check(all(signatures), f"every SMS the webhook received was signed with the shared secret ({len(signatures)})")
    check(server.alive() and "Fatal error" not in server.log(), "the server is still running")
    server.stop()
    remove_unless_kept(folder)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("binary")
    args = parser.parse_args()
    run_test(f"SMTP and the SMS webhook down for {OUTAGE:.0f} s", lambda: body(os.path.abspath(args.binary)))


if __name__ == "__main__":
    main()
