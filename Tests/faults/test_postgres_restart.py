"""Fault test 2: PostgreSQL stopped (`pg_ctl stop -m fast`) and started again under a steady load.

Usage: test_postgres_restart.py SESAME_BIN

Starts its own throwaway cluster with scripts/postgres (it is stopped mid-test, so it cannot be one shared with other
tests), one server on it, and a steady load from a few threads: GET /reset, GET /signin, "Who are you?" (CAPTCHA
solved) and sign-ins, plus /health/ready polled every 100 ms and /health/live every 500 ms. After a healthy baseline
PostgreSQL is stopped with `scripts/postgres pause` (pg_ctl -m fast), kept down 5 s, and started again with
`scripts/postgres resume` (pg_ctl -w: it returns once the cluster accepts connections).

While it is down: every request gets an HTTP answer (no connection dropped or left without a reply), every 5xx is a
503 or the site's own error page, /health/ready answers 503 within 3 s (the README promises 2 s), /health/live stays
200, the process stays up. Once it is back: from RECOVERY_WINDOW seconds after PostgreSQL accepts connections,
every request succeeds and readiness is 200 again until the end (15 s more), with no 5xx at all.

RECOVERY_WINDOW is 10 s. postgres-nio's pool retries a failed connection after 100 ms x 1.25^(n-1) (PoolStateMachine
.calculateBackoff); about 12 failed attempts fit in a 5 s outage, so the next try comes at most ~1.5 s after
PostgreSQL is back, and the store abandons any call after its own 10 s deadline (PostgresStore.access), so a call
queued at the moment PostgreSQL returned is settled within 10 s either way. A pool that has not recovered 10 s after
the database did is stuck.
"""
import argparse
import os
import random
import re
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from faultlib import (  # noqa: E402
    remove_unless_kept,
    Browser, Dropped, PostgresCluster, Server, check, cli, fresh_database, info, new_secret_file, ok, raw_request, run_test,
    seeded_random, solve, strong_password)

RECOVERY_WINDOW = 10.0
OUTAGE = float(os.environ.get("FAULTS_PG_OUTAGE", "5"))
BASELINE = 5.0
AFTER = 15.0
LOAD_THREADS = 6


class Sample:
    __slots__ = ("kind", "start", "end", "status", "error_page", "dropped", "detail")

    def __init__(self, kind, start, end, status=None, error_page=False, dropped=None, detail=""):
        self.kind, self.start, self.end, self.status = kind, start, end, status
        self.error_page, self.dropped, self.detail = error_page, dropped, detail

    def __repr__(self):
        return f"{self.kind} at {self.start:.2f}s: {self.dropped or self.status} ({self.end - self.start:.2f}s) {self.detail}"


def body(binary):
    rng, seed = seeded_random("the PostgreSQL restart test")
    folder = tempfile.mkdtemp(prefix="sesame-faults-pg-restart-")
    info(f"work folder {folder}")
    cluster = PostgresCluster(os.path.join(folder, "postgres"))
    database = fresh_database(cluster.url, "sesame_faults_restart")
    env = {"SESAME_DATA_DIR": os.path.join(folder, "data"), "SESAME_DATABASE_URL": database,
           "SESAME_SECRET_FILE": new_secret_file(folder)}
    users = []
    for index in range(4):
        user_id, password = f"steady{index}@faults.example", strong_password(rng)
        cli(binary, env, "user", "add", user_id, "--password", password, "--mobile", f"+33 6 40 00 00 {index:02d}")
        users.append((user_id, password))
    server = Server(binary, folder, env)
    server.start()

    origin = time.monotonic()
    now = lambda: time.monotonic() - origin  # noqa: E731
    samples, lock, stop = [], threading.Lock(), threading.Event()

    def record(sample):
        with lock:
            samples.append(sample)

    def timed(kind, call, expected):
        start = now()
        try:
            reply = call()
        except Dropped as error:
            record(Sample(kind, start, now(), dropped=str(error)))
            return None
        good = reply.status in expected
        text = " ".join(reply.body[:300].split())
        record(Sample(kind, start, now(), reply.status, reply.is_error_page,
                      detail="" if good else f"{reply.location or ''} {text}"))
        return reply if good else None

    def load(worker):
        local = random.Random(seed * 10 + worker)
        counter = 0
        while not stop.is_set() and counter < 100_000:
            counter += 1
            forwarded = f"10.{20 + worker}.{counter // 250 % 250}.{counter % 250 + 1}"
            browser = Browser(server.port, forwarded_for=forwarded, timeout=30)
            roll = local.random()
            if roll < 0.35:
                timed("GET /reset", lambda: browser.get("/reset"), {200})
            elif roll < 0.7:
                timed("GET /signin", lambda: browser.get("/signin"), {200})
            elif roll < 0.85:
                page = timed("GET /reset", lambda: browser.get("/reset"), {200})
                if page is not None:
                    token = re.search(r'name="captcha" value="([^"]+)"', page.body).group(1)
                    bits = int(re.search(r'data-bits="(\d+)"', page.body).group(1))
                    user_id = local.choice(users)[0]
                    timed("POST /reset", lambda: browser.post("/reset", {"userID": user_id, "captcha": token, "solution": solve(token, bits)}),
                          {303})
            else:
                if timed("GET /signin", lambda: browser.get("/signin"), {200}) is not None:
                    user_id, password = local.choice(users)
                    timed("POST /signin", lambda: browser.post("/signin", {"userID": user_id, "password": password}), {303})
            stop.wait(0.02)

    def probe(path, timeout):
        start = now()
        try:
            reply = raw_request(server.port, "GET", path, timeout=timeout)
            record(Sample(path, start, now(), reply.status, detail=reply.body[:200] if reply.status != 200 else ""))
        except OSError as error:
            record(Sample(path, start, now(), dropped=f"{type(error).__name__}: {error}"))

    def poll(path, every, timeout):
        """A probe every `every` seconds, each on its own thread, so that a slow answer does not thin the samples."""
        probes = []
        while not stop.wait(every) and len(probes) < 2000:
            probes.append(threading.Thread(target=probe, args=(path, timeout), daemon=True))
            probes[-1].start()
        for thread in probes:
            thread.join(timeout + 5)

    threads = [threading.Thread(target=load, args=(w,), daemon=True) for w in range(LOAD_THREADS)]
    threads += [threading.Thread(target=poll, args=("/health/ready", 0.1, 30), daemon=True),
                threading.Thread(target=poll, args=("/health/live", 0.5, 30), daemon=True)]
    for thread in threads:
        thread.start()

    time.sleep(BASELINE)
    down_begin = now()
    cluster.pause()
    down = now()
    info(f"PostgreSQL stopped (pg_ctl stop -m fast) at {down_begin:.2f}-{down:.2f} s")
    time.sleep(OUTAGE)
    up_begin = now()
    cluster.resume()
    up = now()
    info(f"PostgreSQL started again at {up_begin:.2f} s, accepting connections at {up:.2f} s")
    alive_during = server.alive()
    deadline = up + RECOVERY_WINDOW + AFTER
    while now() < deadline:
        time.sleep(0.2)
    stop.set()
    for thread in threads:
        thread.join(40)
    check(all(not t.is_alive() for t in threads), "every load thread ended (no request left hanging past its 30 s timeout)")
    with lock:
        taken = sorted(samples, key=lambda s: s.start)
    with open(os.path.join(folder, "samples.txt"), "w") as f:
        f.write(f"stop {down_begin:.2f}-{down:.2f} start {up_begin:.2f}-{up:.2f}\n" + "\n".join(map(repr, taken)) + "\n")

    baseline = [s for s in taken if s.end < down_begin]
    check(len(baseline) > 50 and all(s.status is not None and s.status < 400 for s in baseline),
          f"a healthy baseline before the stop ({len(baseline)} requests, all answered without error)",
          "\n".join(map(repr, [s for s in baseline if s.status is None or s.status >= 400][:10])))

    check(alive_during and server.alive(), "the server process stayed up through the outage")
    during = [s for s in taken if s.end >= down_begin and s.start < up + RECOVERY_WINDOW]
    dropped = [s for s in during if s.dropped]
    check(not dropped, f"every one of the {len(during)} requests made around the outage got an HTTP answer (none dropped)",
          "\n".join(map(repr, dropped[:10])))
    unclean = [s for s in during if s.status >= 500 and not (s.status == 503 or (s.status == 500 and s.error_page))]
    check(not unclean, "every 5xx around the outage is a 503 or the site's error page with its support code",
          "\n".join(map(repr, unclean[:10])))
    statuses = {}
    for s in during:
        statuses[f"{s.kind} {s.status}"] = statuses.get(f"{s.kind} {s.status}", 0) + 1
    info(f"answers around the outage: {dict(sorted(statuses.items()))}")
    slowest = max((s for s in during if s.kind not in ("/health/ready", "/health/live")), key=lambda s: s.end - s.start)
    info(f"slowest page around the outage: {slowest!r}")

    ready_down = [s for s in taken if s.kind == "/health/ready" and s.start >= down + 0.5 and s.end <= up_begin]
    check(ready_down and all(s.status == 503 for s in ready_down),
          f"/health/ready answered 503 throughout the outage ({len(ready_down)} polls)",
          "\n".join(map(repr, [s for s in ready_down if s.status != 503][:10])))
    slow_ready = [s for s in ready_down if s.end - s.start > 3.0]
    check(not slow_ready, f"each of those 503s came within 3 s (slowest {max(s.end - s.start for s in ready_down):.2f} s; "
          "the README promises 2 s)", "\n".join(map(repr, slow_ready[:10])))
    live = [s for s in taken if s.kind == "/health/live" and s.start >= down_begin]
    check(all(s.status == 200 for s in live), f"/health/live answered 200 throughout ({len(live)} polls)",
          "\n".join(map(repr, [s for s in live if s.status != 200][:10])))

    ready = [s for s in taken if s.kind == "/health/ready"]
    first_bad = next((s for s in ready if s.start >= down_begin and s.status != 200), None)
    last_bad = next((s for s in reversed(ready) if s.status != 200), None)
    if first_bad and last_bad:
        ok(f"/health/ready reported not-ready from {first_bad.start:.2f} s to {last_bad.end:.2f} s "
           f"({last_bad.end - first_bad.start:.1f} s; PostgreSQL was stopped at {down_begin:.2f} s and accepted "
           f"connections again at {up:.2f} s)")
    failed = [s for s in taken if s.end >= down_begin and (s.dropped or s.status >= 400)]
    if failed:
        last = max(failed, key=lambda s: s.end)
        info(f"{len(failed)} requests failed around the outage; the last one ended {last.end - up:+.2f} s from the moment "
             f"PostgreSQL accepted connections again: {last!r}"[:300])
    else:
        info("no request failed around the outage (those in flight waited for PostgreSQL)")

    after = [s for s in taken if s.start >= up + RECOVERY_WINDOW]
    bad_after = [s for s in after if s.dropped or s.status >= 400]
    check(len(after) > 50 and not bad_after,
          f"from {RECOVERY_WINDOW:.0f} s after PostgreSQL was back, every request succeeded for {AFTER:.0f} s "
          f"({len(after)} requests, readiness included): no stuck pool", "\n".join(map(repr, bad_after[:10])))
    five_after = [s for s in taken if s.start >= up + RECOVERY_WINDOW and s.status and s.status >= 500]
    check(not five_after, "no 5xx after the recovery window")
    log = server.log()
    check(server.alive() and "Fatal error" not in log, "the server is still running, with no crash in its log")
    server.stop()
    cluster.remove()
    remove_unless_kept(folder)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("binary")
    args = parser.parse_args()
    run_test("PostgreSQL stopped and started again under load", lambda: body(os.path.abspath(args.binary)))


if __name__ == "__main__":
    main()
