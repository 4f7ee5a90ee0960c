"""Starts the project's SMTP sink (Tests/tools/smtp_sink.py) again on the ports an earlier run of it used.

scripts/smtp-sink picks free ports and writes them to FOLDER/sink.json; to bring the same "mail server" back after an
outage, this runs that very sink with its port picker replaced by the ports of the earlier sink.json, in the order the
sink asks for them (plain, starttls, loginonly, then smtps).

Usage (with the .venv's python, which has aiosmtpd): smtp_sink_again.py OLD_SINK_JSON --dir FOLDER --cert C --key K
"""
import json
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "Tests", "tools"))

import smtp_sink  # noqa: E402


def main():
    with open(sys.argv[1]) as f:
        ports = json.load(f)
    order = iter([ports["plain"], ports["starttls"], ports["loginonly"], ports["smtps"]])
    smtp_sink.free_port = lambda: next(order)
    sys.argv = [os.path.join(ROOT, "Tests", "tools", "smtp_sink.py"), *sys.argv[2:]]
    smtp_sink.main()


if __name__ == "__main__":
    main()
