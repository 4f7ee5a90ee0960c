"""Timing: can an outsider tell a real account from an unknown user ID by how long Sesame takes to answer?

Starts its own `sesame serve` (SQLite, development outbox) with a few users, then times, interleaved in random order,
a few hundred requests of each kind an outsider can send about a user ID:
  - a wrong password at POST /signin, for a real user, a disabled one and an unknown user ID;
  - "Who are you?" (POST /reset) for a real user who cannot reset, a disabled one with methods and an unknown ID;
  - the same post without cookies (it reports a real user's attempt, an unknown ID's not);
  - "Contact your administrator" (POST /reset/contact) after each of those, a fresh user ID each time (only a
    user's first request in the hour emails the administrators), with 30 administrators to email.
Each real or disabled account is compared with the unknown ID by a two-sided Mann-Whitney rank test; the test fails
when a difference is significant (p below 0.001 over the eight comparisons), and prints the medians either way. Every request comes from its
own address (X-Forwarded-For; loopback is a trusted proxy), so that the per-network limits stay out of the way.

Usage: timing_test.py SESAME_BINARY [--samples N] [--seed N]   (docs/security.md#enumeration)
"""
import argparse
import math
import os
import random
import re
import shutil
import sys
import tempfile
import time
import urllib.parse

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "faults"))
from faultlib import Browser, Server, check, cli, fail, info, ok, raw_request, run_test, solve, who_are_you  # noqa: E402

# Significant at 0.001 over all the comparisons together (Bonferroni), so that a run fails by chance about once in
# a thousand.
ALPHA = 0.001
WARM_UP = 10
PASSWORD = "Timing-Pass-48#kq"


def mann_whitney(first, second):
    """Two-sided p-value of the rank-sum test (normal approximation with the tie correction)."""
    pooled = sorted([(value, 0) for value in first] + [(value, 1) for value in second])
    ranks = [0.0] * len(pooled)
    ties = 0.0
    index = 0
    while index < len(pooled):
        end = index
        while end + 1 < len(pooled) and pooled[end + 1][0] == pooled[index][0]:
            end += 1
        for position in range(index, end + 1):
            ranks[position] = (index + end) / 2 + 1
        count = end - index + 1
        ties += count ** 3 - count
        index = end + 1
    n1, n2 = len(first), len(second)
    rank_sum = sum(rank for rank, (_, group) in zip(ranks, pooled) if group == 0)
    u = rank_sum - n1 * (n1 + 1) / 2
    n = n1 + n2
    variance = n1 * n2 / 12 * ((n + 1) - ties / (n * (n - 1)))
    if variance <= 0:
        return 1.0
    z = (u - n1 * n2 / 2) / math.sqrt(variance)
    return math.erfc(abs(z) / math.sqrt(2))


def expect(condition, message):
    """`check` without its line of output: this runs thousands of times."""
    if not condition:
        fail(message)


def median(values):
    ordered = sorted(values)
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


class Addresses:
    """A new client address for every request."""

    def __init__(self):
        self.next = 0

    def __call__(self):
        self.next += 1
        return f"10.{(self.next >> 16) & 255}.{(self.next >> 8) & 255}.{self.next & 255}"


def body(binary, samples, seed):
    folder = tempfile.mkdtemp(prefix="sesame-timing-")
    env = {"SESAME_DATA_DIR": os.path.join(folder, "data")}
    cli(binary, env, "user", "add", "alice@contoso.example", "--password", PASSWORD, "--mobile", "+33 6 55 00 00 01")
    cli(binary, env, "user", "add", "nomethod@contoso.example", "--password", PASSWORD)
    cli(binary, env, "user", "import", write_users(folder, samples + WARM_UP))
    server = Server(binary, folder, env)
    server.start()
    address = Addresses()
    rng = random.Random(seed)

    def sign_in(user_id):
        browser = Browser(server.port, forwarded_for=address())
        browser.get("/signin")
        started = time.perf_counter()
        reply = browser.post("/signin", {"userID": user_id, "password": "not the password"})
        elapsed = time.perf_counter() - started
        expect(reply.status == 401, f"a wrong password for {user_id} answered {reply.status}, not 401")
        return elapsed

    def reset_start(user_id):
        browser = Browser(server.port, forwarded_for=address())
        page = browser.get("/reset")
        token = re.search(r'name="captcha" value="([^"]+)"', page.body).group(1)
        bits = int(re.search(r'data-bits="(\d+)"', page.body).group(1))
        fields = {"userID": user_id, "captcha": token, "solution": solve(token, bits)}
        started = time.perf_counter()
        reply = browser.post("/reset", fields)
        elapsed = time.perf_counter() - started
        expect(reply.status == 200 and "We could not verify your account" in reply.body,
               f"\"Who are you?\" for {user_id} answered {reply.status}")
        return elapsed

    def contact(user_id):
        browser = Browser(server.port, forwarded_for=address())
        expect(who_are_you(browser, user_id).status == 200, f"\"Who are you?\" for {user_id}")
        started = time.perf_counter()
        reply = browser.post("/reset/contact", {})
        elapsed = time.perf_counter() - started
        expect(reply.status == 200 and "We have asked your administrators" in reply.body,
               f"\"Contact your administrator\" for {user_id} answered {reply.status}")
        return elapsed

    def without_cookies(user_id):
        started = time.perf_counter()
        reply = raw_request(server.port, "POST", "/reset", body=urllib.parse.urlencode({"userID": user_id}),
                            headers={"Content-Type": "application/x-www-form-urlencoded", "X-Forwarded-For": address()})
        elapsed = time.perf_counter() - started
        expect(reply.status == 403, f"a post without cookies for {user_id} answered {reply.status}, not 403")
        return elapsed

    unknown = "ghost@contoso.example"
    cases = {
        "sign-in, wrong password": (sign_in, ["alice@contoso.example", "dora@contoso.example", unknown]),
        "who are you?": (reset_start, ["nomethod@contoso.example", "dora@contoso.example", unknown]),
        "who are you? without cookies": (without_cookies, ["alice@contoso.example", "dora@contoso.example", unknown]),
        "contact your administrator": (contact, ["known-{n}@contoso.example", "disabled-{n}@contoso.example", "ghost-{n}@contoso.example"]),
    }
    jobs = [(case, user_id) for case, (_, users) in cases.items() for user_id in users]
    times = {job: [] for job in jobs}
    for round_number in range(WARM_UP + samples):
        rng.shuffle(jobs)
        for case, user_id in jobs:
            elapsed = cases[case][0](user_id.replace("{n}", str(round_number)))
            if round_number >= WARM_UP:
                times[(case, user_id)].append(elapsed)
    check(server.alive(), "the server ran to the end")
    server.stop()
    shutil.rmtree(folder, ignore_errors=True)

    comparisons = sum(len(users) - 1 for _, users in cases.values())
    significant = []
    for case, (_, users) in cases.items():
        baseline = times[(case, users[-1])]
        for user_id in users[:-1]:
            measured = times[(case, user_id)]
            p = mann_whitney(measured, baseline)
            line = (f"{case}: {user_id} median {median(measured) * 1000:.2f} ms, unknown {median(baseline) * 1000:.2f} ms, "
                    f"difference {(median(measured) - median(baseline)) * 1000:+.2f} ms, p = {p:.3g} ({samples} samples each)")
            info(line)
            if p < ALPHA / comparisons:
                significant.append(line)
    if significant:
        fail("an outsider can tell these accounts from an unknown user ID by timing:\n  " + "\n  ".join(significant))
    ok(f"no timing difference at p < {ALPHA} between real, disabled and unknown accounts ({samples} samples each)")


def write_users(folder, rounds):
    """By the import (the only command that sets `enabled`): a disabled user with a method, 30 helpdesk
    administrators, and for every round a user without methods and a disabled one, to ask the administrators about."""
    path = os.path.join(folder, "users.csv")
    with open(path, "w", encoding="utf-8") as f:
        f.write("userID,displayName,givenName,surname,password,mobilePhone,officePhone,alternateEmail,groups,roles,enabled\n")
        f.write(f"dora@contoso.example,Dora,Dora,Lenoir,{PASSWORD},+33 6 55 00 00 04,,,,,false\n")
        for index in range(30):
            f.write(f"helpdesk-{index}@contoso.example,Helpdesk {index},,,,,,helpdesk-{index}@example.org,,helpdeskAdmin,true\n")
        for index in range(rounds):
            f.write(f"known-{index}@contoso.example,Known {index},,,,,,,,,true\n")
            f.write(f"disabled-{index}@contoso.example,Disabled {index},,,,+33 6 55 01 {index // 100:02d} {index % 100:02d},,,,,false\n")
    return path


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("binary")
    parser.add_argument("--samples", type=int, default=200)
    parser.add_argument("--seed", type=int, default=int(time.time()))
    arguments = parser.parse_args()
    info(f"seed {arguments.seed}")
    run_test("timing", lambda: body(os.path.abspath(arguments.binary), arguments.samples, arguments.seed))


if __name__ == "__main__":
    main()
