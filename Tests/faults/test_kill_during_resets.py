"""Fault test 1: `kill -9` of the server while 200 reset flows run at once, on SQLite or PostgreSQL.

Usage: test_kill_during_resets.py SESAME_BIN sqlite|postgres [POSTGRES_URL] [--users N]

200 users with a mobile phone are imported with `sesame user import`; a few of them register an authentication email
through the registration portal first. Then every user walks a reset at once (its own thread and client address):
"Who are you?" with the CAPTCHA solved, the SMS option, the full number, the code read from the recording webhook,
the code, a new password. At a seeded random point of that load the server gets SIGKILL. Before it starts again on
the same data, the SQLite file (a copy, with its WAL) must pass `PRAGMA integrity_check`. Then: every user exists,
the registrations are intact, a flow that ended on "Your password has been reset" signs in with its new password
and not the old one, a flow that had not sent its new password still signs in with the old one, a flow whose new
password was in flight signs in with exactly one of the two (never neither), and every unfinished flow, started
again from the beginning on the restarted server, completes.

A flow may end early in one documented, clean way: the code page says "Oops! We encountered an unexpected error
while contacting you." when the SMS did not leave within the page's 8 s (seen on PostgreSQL with the debug build on a
busy machine). Such a flow counts as unfinished and is started again after the restart (at most three times); any
other unexpected reply fails the test. The kill comes after a seeded number of replies, or as soon as fewer than a
tenth of the flows are still under way, so that it always lands in the middle of the load.
"""
import argparse
import os
import shutil
import sqlite3
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from faultlib import (  # noqa: E402
    remove_unless_kept,
    Browser, Dropped, SMSRecorder, Server, check, cli, fail, french_mobile, fresh_database, info, new_secret_file,
    ok, outbox_codes, psql, run_test, seeded_random, sign_in, strong_password, user_ids, user_sheet, wait_until,
    who_are_you)

DONE_TEXT = "Your password has been reset"
STEPS = ["who", "verify", "option", "verify-phone", "phone", "sms", "verify-code", "code", "password-form", "password"]


class FlowError(Exception):
    """A reply the flow did not expect (not a dropped connection)."""


class CleanEnding(Exception):
    """A documented ending that is not a success: the page said the code could not be sent ("Oops! …", with "try
    again"). The flow is then started again from the beginning."""


class Flow:
    def __init__(self, index, user_id, old, new, shown, e164):
        self.index, self.user_id, self.old, self.new, self.shown, self.e164 = index, user_id, old, new, shown, e164
        self.step = None          # the step in progress (its request may be in flight)
        self.done = False         # "Your password has been reset" was received
        self.password_sent = False
        self.dropped = None       # how the connection failed, if it did
        self.error = None         # an unexpected reply
        self.ended_cleanly = None  # a documented ending that is not success (e.g. "Oops" delivery page)


def walk(flow, port, recorder, forwarded_for, on_reply, deadline, stop=None):
    """One reset from "Who are you?" to the new password; sets flow.done, or raises Dropped / FlowError."""
    browser = Browser(port, forwarded_for=forwarded_for, timeout=60)

    def expect(step, reply, status, location=None, contains=None):
        on_reply()
        good = reply.status == status and (location is None or reply.location in location) and \
            (contains is None or contains in reply.body)
        if not good:
            raise FlowError(f"{step}: {reply.status} {reply.location or ''} {reply.body[:400]!r}")
        if time.monotonic() > deadline:
            raise FlowError(f"{step}: past the test's deadline")

    flow.step = "who"
    expect("who", who_are_you(browser, flow.user_id), 303, ["/reset/verify"])
    flow.step = "verify"
    expect("verify", browser.get("/reset/verify"), 200, contains='value="mobileSMS"')
    flow.step = "option"
    expect("option", browser.post("/reset/option", {"option": "mobileSMS"}), 303, ["/reset/verify"])
    flow.step = "verify-phone"
    expect("verify-phone", browser.get("/reset/verify"), 200, contains='name="number"')
    seen = len(recorder.to(flow.e164))
    flow.step = "phone"
    reply = browser.post("/reset/phone", {"number": flow.shown})
    if reply.status == 422 and "Oops! We encountered an unexpected error while contacting you." in reply.body:
        on_reply()
        raise CleanEnding("the code could not be sent within the page's 8 s (the documented \"Oops!\" page)")
    expect("phone", reply, 303, ["/reset/verify"])
    flow.step = "sms"
    code = recorder.code_after(flow.e164, seen, timeout=20, stop=stop)
    if code is None and stop is not None and stop.is_set():
        raise Dropped("no SMS before the server was killed")
    if code is None:
        raise FlowError(f"phone: the page said the code was sent, yet no SMS reached the webhook for {flow.e164}")
    flow.step = "verify-code"
    expect("verify-code", browser.get("/reset/verify"), 200, contains='name="code"')
    flow.step = "code"
    expect("code", browser.post("/reset/code", {"code": code}), 303, ["/reset/verify", "/reset/password"])
    flow.step = "password-form"
    expect("password-form", browser.get("/reset/password"), 200, contains='name="new"')
    flow.step = "password"
    flow.password_sent = True
    expect("password", browser.post("/reset/password", {"new": flow.new, "confirm": flow.new}), 200, contains=DONE_TEXT)
    flow.done = True
    flow.step = None


def integrity(path):
    """PRAGMA integrity_check on a copy of the database and its WAL, leaving the original for the server to recover."""
    folder = tempfile.mkdtemp(prefix="integrity-", dir=os.path.dirname(path))
    copy = os.path.join(folder, "copy.sqlite")
    shutil.copy(path, copy)
    if os.path.exists(path + "-wal"):
        shutil.copy(path + "-wal", copy + "-wal")
    connection = sqlite3.connect(copy)
    try:
        result = [row[0] for row in connection.execute("PRAGMA integrity_check")]
        users = connection.execute("SELECT count(*) FROM users").fetchone()[0]
    finally:
        connection.close()
        shutil.rmtree(folder, ignore_errors=True)
    return result, users


def body(binary, store, postgres_url, count):
    rng, seed = seeded_random(f"the kill -9 test on {store}")
    folder = tempfile.mkdtemp(prefix=f"sesame-faults-kill-{store}-")
    info(f"work folder {folder}")
    recorder = SMSRecorder(os.path.join(folder, "sms"), secret="fault-webhook-secret")
    recorder.start()
    env = {
        "SESAME_DATA_DIR": os.path.join(folder, "data"), "SESAME_SMS_PROVIDER": "webhook",
        "SESAME_SMS_WEBHOOK_URL": recorder.url, "SESAME_SMS_WEBHOOK_SECRET": "fault-webhook-secret",
    }
    if store == "postgres":
        env["SESAME_DATABASE_URL"] = fresh_database(postgres_url, "sesame_faults_kill")
        env["SESAME_SECRET_FILE"] = new_secret_file(folder)
        info(f"database {env['SESAME_DATABASE_URL']}")

    # The users, imported in one command (each with a different mobile number: 5 sends an hour per number).
    flows = []
    rows = ["userID,displayName,givenName,surname,password,mobilePhone"]
    for index in range(count):
        shown, e164 = french_mobile(index, series=30 if store == "sqlite" else 31)
        user_id = f"load{index:03d}@faults.example"
        flow = Flow(index, user_id, strong_password(rng), strong_password(rng), shown, e164)
        flows.append(flow)
        rows.append(f"{user_id},Load {index},Load,Tester,{flow.old},{shown}")
    csv_path = os.path.join(folder, "users.csv")
    with open(csv_path, "w") as f:
        f.write("\n".join(rows) + "\n")
    started = time.monotonic()
    summary = cli(binary, env, "user", "import", csv_path, timeout=300).strip().splitlines()[-1]
    check(summary == f"{count} created, 0 updated, 0 failed", f"{count} users with a mobile phone imported with `sesame user import` "
          f"({time.monotonic() - started:.1f} s: {summary})")

    server = Server(binary, folder, env)
    server.start()

    # Registrations made before the load: an authentication email for a few users, through the portal (the code
    # comes from the development outbox in the server's log), then "Finish".
    registered = {}
    for flow in rng.sample(flows, 5):
        address = f"reg{flow.index:03d}@mail.faults.example"
        browser = Browser(server.port, forwarded_for=f"10.9.{flow.index // 250}.{flow.index % 250 + 1}")
        browser.get("/signin")
        reply = browser.post("/signin", {"userID": flow.user_id, "password": flow.old})
        if reply.status != 303:
            fail(f"{flow.user_id} cannot sign in before the load: {reply.status} {reply.body[:300]}")
        # The imported mobile phone would serve a reset: it proves who adds the address (docs/behaviour.md#step-up).
        reply = browser.get("/register/email")
        if reply.status != 303 or reply.location != "/reset/verify":
            fail(f"{flow.user_id}: adding an email did not ask for a step-up: {reply.status} {reply.location}")
        browser.get("/reset/verify")
        browser.post("/reset/option", {"option": "mobileSMS"})
        browser.get("/reset/verify")
        seen = len(recorder.to(flow.e164))
        browser.post("/reset/phone", {"number": flow.shown})
        code = recorder.code_after(flow.e164, seen, timeout=20)
        browser.get("/reset/verify")
        reply = browser.post("/reset/code", {"code": code})
        if reply.status != 303 or browser.get("/reset/verify").location != "/register":
            fail(f"{flow.user_id}: the step-up by text did not lead back to the registration")
        browser.get("/register/email")
        reply = browser.post("/register/email", {"address": address})
        if reply.status != 200 or 'name="code"' not in reply.body:
            fail(f"registration email code for {flow.user_id}: {reply.status} {reply.body[:300]}")
        code = wait_until(lambda: (outbox_codes(server.log(), "email", address) or [None])[-1], 10,
                          what=f"the registration code for {address} in the development outbox")
        reply = browser.post("/register/verify", {"code": code})
        if reply.status != 200 or "Thanks" not in reply.body:
            fail(f"registration of {address}: {reply.status} {reply.body[:300]}")
        reply = browser.post("/register/finish", {})
        if reply.status != 303 or reply.location != "/account":
            fail(f"registration finish of {flow.user_id}: {reply.status} {reply.location} {reply.body[:300]}")
        registered[flow.user_id] = address
    ok(f"{len(registered)} users registered an authentication email through the portal before the load")

    # The load, and the kill at a seeded point of it: after `target` replies of the expected ~10 per flow, or
    # sooner if flows end early (an "Oops!" page) and fewer than a tenth of them are still under way, so that the
    # kill always lands in the middle of the load.
    total_steps = count * len(STEPS)
    target = rng.randint(int(total_steps * 0.15), int(total_steps * 0.85))
    replies = [0]
    ended = [0]
    lock = threading.Condition()
    killed = threading.Event()
    kill_info = {}

    def on_reply():
        with lock:
            replies[0] += 1
            if replies[0] >= target:
                lock.notify_all()

    def time_to_kill():
        return replies[0] >= target or count - ended[0] <= count // 10

    load_deadline = time.monotonic() + 240

    # Staggered starts (seeded), so that the kill finds flows at every step, some done and some not begun.
    delays = {flow.index: rng.uniform(0, 4) for flow in flows}

    def run(flow):
        if killed.wait(delays[flow.index]):
            return
        try:
            walk(flow, server.port, recorder, f"10.1.{flow.index // 250}.{flow.index % 250 + 1}", on_reply, load_deadline, killed)
        except Dropped as error:
            flow.dropped = str(error)
        except CleanEnding as error:
            flow.ended_cleanly = str(error)
        except FlowError as error:
            flow.error = str(error)
        except Exception as error:  # noqa: BLE001 (reported below)
            flow.error = f"{type(error).__name__}: {error}"
        finally:
            with lock:
                ended[0] += 1
                lock.notify_all()

    def killer():
        with lock:
            lock.wait_for(time_to_kill, timeout=150)
        kill_info["replies"] = replies[0]
        kill_info["under way"] = count - ended[0]
        kill_info["in_flight"] = {f.index: f.step for f in flows if f.step is not None and not f.done}
        kill_info["done"] = sum(f.done for f in flows)
        server.kill9()
        killed.set()

    threads = [threading.Thread(target=run, args=(flow,), daemon=True) for flow in flows]
    killer_thread = threading.Thread(target=killer, daemon=True)
    load_started = time.monotonic()
    for thread in threads:
        thread.start()
    killer_thread.start()
    killer_thread.join(180)
    check(killed.is_set() and kill_info["under way"] > 0,
          f"the server was killed with SIGKILL after {kill_info.get('replies')} of ~{total_steps} replies (target {target}), "
          f"{time.monotonic() - load_started:.1f} s into the load, with {kill_info.get('under way')} flows under way")
    for thread in threads:
        thread.join(max(1, load_deadline - time.monotonic()))
    check(all(not t.is_alive() for t in threads), "every flow stopped once the server was gone")
    errors = [f for f in flows if f.error]
    if errors:
        fail(f"{len(errors)} flows got an unexpected reply before the kill; first ones:\n" +
             "\n".join(f"  {f.user_id}: {f.error}" for f in errors[:5]) +
             f"\nserver log: {server.log_path}")
    first_log = server.log()
    check("page failed" not in first_log, "no page failed (500) before the kill",
          "\n".join(line for line in first_log.splitlines() if "page failed" in line)[:2000])
    done = [f for f in flows if f.done]
    in_flight_password = [f for f in flows if f.password_sent and not f.done]
    by_step = {}
    for f in flows:
        if not f.done:
            where = "ended on Oops" if f.ended_cleanly else (f.step or "not started")
            by_step[where] = by_step.get(where, 0) + 1
    info(f"at the kill: {len(done)} flows done; unfinished flows by step in progress: {by_step}")
    oops = [f for f in flows if f.ended_cleanly]
    if oops:
        info(f"{len(oops)} flows ended before the kill on the documented \"Oops!\" page (code not sent within 8 s); "
             "they are started again below")

    # The database as the kill left it.
    if store == "sqlite":
        result, users = integrity(os.path.join(folder, "data", "sesame.sqlite"))
        check(result == ["ok"], f"PRAGMA integrity_check on the SQLite file (and its WAL) left by the kill is ok ({result[:5]})")
        check(users == count, f"the SQLite file holds all {count} users ({users})")
    else:
        users = int(psql(env["SESAME_DATABASE_URL"], "SELECT count(*) FROM users"))
        check(users == count, f"the PostgreSQL database holds all {count} users ({users})")

    took = server.start()
    check(server.alive(), f"the server starts again on the same data ({took:.2f} s to ready)")
    present = user_ids(binary, env)
    check(all(f.user_id in present for f in flows) and len(present) == count, f"every one of the {count} users still exists (`sesame user list`)")
    for user_id, address in registered.items():
        sheet = user_sheet(binary, env, user_id)
        if sheet.get("authenticationEmail") != address or not sheet.get("registeredAt"):
            fail(f"the registration of {user_id} made before the kill is not intact: {sheet}")
    ok(f"the {len(registered)} registrations made before the load are intact (authentication email and registeredAt)")

    # Every user signs in with exactly the password its flow says, and never with neither.
    def passwords(flow):
        xff = f"10.2.{flow.index // 250}.{flow.index % 250 + 1}"
        return sign_in(server.port, flow.user_id, flow.old, xff), sign_in(server.port, flow.user_id, flow.new, xff)

    with ThreadPoolExecutor(8) as pool:
        states = dict(zip((f.index for f in flows), pool.map(passwords, flows)))
    neither = [f.user_id for f in flows if states[f.index] == (False, False)]
    check(not neither, "no user is left with neither the old nor the new password working",
          f"{len(neither)} users: {neither[:10]}")
    wrong_done = [f.user_id for f in done if states[f.index] != (False, True)]
    check(not wrong_done, f"each of the {len(done)} flows that ended on \"{DONE_TEXT}\" before the kill signs in with its new "
          "password and not with the old one", f"{wrong_done[:10]}")
    not_sent = [f for f in flows if not f.done and not f.password_sent]
    wrong_unsent = [f.user_id for f in not_sent if states[f.index] != (True, False)]
    check(not wrong_unsent, f"each of the {len(not_sent)} flows that had not sent a new password still signs in with the old one only",
          f"{wrong_unsent[:10]}")
    applied = sum(states[f.index] == (False, True) for f in in_flight_password)
    ok(f"{len(in_flight_password)} flows had their new password in flight at the kill: {applied} took effect, "
       f"{len(in_flight_password) - applied} did not; each signs in with exactly one of the two")

    # Every unfinished flow, from the beginning, on the restarted server.
    # A flow whose new password took effect starts again as its user would: from that password to a fresh one (the
    # same one again is refused as the password in use).
    unfinished = [f for f in flows if not f.done]
    for f in unfinished:
        if states[f.index] == (False, True):
            f.old, f.new = f.new, strong_password(rng)
        f.step, f.password_sent, f.dropped, f.error, f.ended_cleanly = None, False, None, None, None
    resume_deadline = time.monotonic() + 240
    resume_started = time.monotonic()

    clean_endings = []

    def resume(flow):
        # An "Oops!" page (the code did not leave within 8 s) is a documented ending: the user starts again, at most
        # twice more. Anything else unexpected fails the flow.
        for attempt in range(3):
            try:
                walk(flow, server.port, recorder, f"10.{3 + attempt}.{flow.index // 250}.{flow.index % 250 + 1}", lambda: None,
                     resume_deadline)
                return
            except CleanEnding as error:
                clean_endings.append(flow.user_id)
                flow.error = str(error)
            except (Dropped, FlowError) as error:
                flow.error = str(error)
                return
            except Exception as error:  # noqa: BLE001
                flow.error = f"{type(error).__name__}: {error}"
                return

    with ThreadPoolExecutor(64) as pool:
        list(pool.map(resume, unfinished))
    if clean_endings:
        info(f"{len(clean_endings)} resumed flows first ended on the \"Oops!\" page and were started again")
    failed = [f for f in unfinished if not f.done]
    check(not failed, f"each of the {len(unfinished)} unfinished flows, started again from \"Who are you?\", completes "
          f"({time.monotonic() - resume_started:.1f} s)", "\n".join(f"  {f.user_id}: {f.error}" for f in failed[:10]))
    with ThreadPoolExecutor(8) as pool:
        after = list(pool.map(passwords, unfinished))
    wrong = [f.user_id for f, state in zip(unfinished, after) if state != (False, True)]
    check(not wrong, "after that, each of them signs in with its new password and not with the old one", f"{wrong[:10]}")
    check(server.alive() and "page failed" not in server.log(), "the restarted server stayed up and no page failed (500)",
          "\n".join(line for line in server.log().splitlines() if "page failed" in line)[:2000])

    server.stop()
    if store == "sqlite":
        result, users = integrity(os.path.join(folder, "data", "sesame.sqlite"))
        check(result == ["ok"] and users == count, f"after a clean stop, PRAGMA integrity_check is ok again and all {count} users are there")
    remove_unless_kept(folder)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("binary")
    parser.add_argument("store", choices=["sqlite", "postgres"])
    parser.add_argument("postgres_url", nargs="?")
    parser.add_argument("--users", type=int, default=200)
    args = parser.parse_args()
    if args.store == "postgres" and not args.postgres_url:
        parser.error("postgres needs POSTGRES_URL")
    run_test(f"kill -9 during {args.users} concurrent reset flows ({args.store})",
             lambda: body(os.path.abspath(args.binary), args.store, args.postgres_url, args.users))


if __name__ == "__main__":
    main()
