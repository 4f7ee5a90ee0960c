"""The SMTP sink the tests send mail to: aiosmtpd on loopback, in five shapes.

plain     no TLS, no AUTH
starttls  STARTTLS, AUTH PLAIN/LOGIN required over TLS (user sesame, password from --password)
smtps     implicit TLS, AUTH
loginonly STARTTLS, AUTH LOGIN only
Every accepted message is written to a Maildir (`<dir>/maildir/new/`), under a name that sorts in arrival order.
Recipients whose local part starts with
"refused" get 550 and with "busy" get 451. When every server listens, `<dir>/sink.json` names their ports.
"""
import argparse
import asyncio
import email.generator
import json
import os
import signal
import socket
import ssl
import threading
import time

from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Mailbox
from aiosmtpd.smtp import AuthResult, LoginPassword


class Sink(Mailbox):
    def __init__(self, mail_dir):
        super().__init__(mail_dir)
        self.lock = threading.Lock()
        self.count = 0

    def handle_message(self, message):
        """Writes as Maildir does (tmp/, then a rename into new/), but under a name that sorts in arrival order:
        Maildir's own names do not pad the microseconds ("12.M99999" sorts after "12.M100000"), and the tests read "the
        mails after the first n" in name order. The lock keeps the names and the renames in one order across the
        listeners' threads."""
        with self.lock:
            self.count += 1
            name = f"{time.time_ns():020d}.{self.count:08d}.sesame"
            temporary = os.path.join(self.mail_dir, "tmp", name)
            with open(temporary, "wb") as f:
                email.generator.BytesGenerator(f, mangle_from_=False, maxheaderlen=0).flatten(message)
            os.rename(temporary, os.path.join(self.mail_dir, "new", name))

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        local = address.split("@")[0]
        if local.startswith("refused"):
            return "550 5.1.1 mailbox unavailable"
        if local.startswith("busy"):
            return "451 4.3.0 try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--dir", required=True)
    parser.add_argument("--cert", required=True)
    parser.add_argument("--key", required=True)
    parser.add_argument("--password", default="s3cret pass")
    args = parser.parse_args()

    def authenticator(server, session, envelope, mechanism, auth_data):
        ok = isinstance(auth_data, LoginPassword) and auth_data.login == b"sesame" and auth_data.password == args.password.encode()
        return AuthResult(success=ok, handled=False)

    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(args.cert, args.key)
    maildir = os.path.join(args.dir, "maildir")
    handler = Sink(maildir)
    auth = dict(authenticator=authenticator, auth_require_tls=True)
    shapes = {
        "plain": dict(),
        "starttls": dict(tls_context=context, **auth),
        "loginonly": dict(tls_context=context, auth_exclude_mechanism=["PLAIN"], **auth),
    }
    controllers = {}
    for name, kwargs in shapes.items():
        controllers[name] = Controller(handler, hostname="127.0.0.1", port=free_port(), server_hostname="localhost", **kwargs)
    # Implicit TLS: the listening socket itself is TLS; the readiness probe must then speak TLS too.
    client_context = ssl.create_default_context(cafile=args.cert)
    controllers["smtps"] = Controller(
        # aiosmtpd does not count implicit TLS as TLS for auth_require_tls; the socket is TLS all the same.
        handler, hostname="127.0.0.1", port=free_port(), server_hostname="localhost", ssl_context=context,
        authenticator=authenticator, auth_require_tls=False,
    )
    for name, controller in controllers.items():
        if name == "smtps":
            controller._trigger_server = lambda c=controller: smtps_probe(c, client_context)
        controller.start()
    info = {name: c.port for name, c in controllers.items()}
    info.update(maildir=maildir, cafile=args.cert, password=args.password)
    tmp = os.path.join(args.dir, "sink.json.tmp")
    with open(tmp, "w") as f:
        json.dump(info, f)
    os.replace(tmp, os.path.join(args.dir, "sink.json"))
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    stop.wait()
    for controller in controllers.values():
        controller.stop()


def smtps_probe(controller, context):
    with socket.create_connection((controller.hostname, controller.port), timeout=5) as raw:
        with context.wrap_socket(raw, server_hostname="localhost") as s:
            s.recv(1024)


if __name__ == "__main__":
    main()
