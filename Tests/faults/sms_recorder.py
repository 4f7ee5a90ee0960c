"""A recording SMS/voice webhook for the fault tests: answers 200 to every JSON POST and appends it, one JSON object a
line, to --out (with the time it arrived and whether its X-Sesame-Signature matched --secret). Loopback only.

Usage: sms_recorder.py --port PORT|0 --out FILE --port-file FILE [--secret S]
"""
import argparse
import hashlib
import hmac
import json
import os
import signal
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--out", required=True)
    parser.add_argument("--port-file", required=True)
    parser.add_argument("--secret")
    args = parser.parse_args()
    lock = threading.Lock()
    out = open(args.out, "a", encoding="utf-8")

    class Handler(BaseHTTPRequestHandler):
        # HTTP/1.0: one request a connection, so that nothing lingers once the recorder is stopped.
        protocol_version = "HTTP/1.0"

        def do_POST(self):
            length = int(self.headers.get("Content-Length") or 0)
            if length > 1_000_000:
                self.send_error(413)
                return
            body = self.rfile.read(length)
            try:
                record = json.loads(body)
            except ValueError:
                self.send_error(400)
                return
            if not isinstance(record, dict):
                self.send_error(400)
                return
            signature = self.headers.get("X-Sesame-Signature")
            if args.secret:
                expected = "sha256=" + hmac.new(args.secret.encode(), body, hashlib.sha256).hexdigest()
                record["signatureOK"] = signature is not None and hmac.compare_digest(signature, expected)
            record["receivedAt"] = time.time()
            record["path"] = self.path
            with lock:
                out.write(json.dumps(record, sort_keys=True) + "\n")
                out.flush()
            reply = b'{"ok":true}'
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(reply)))
            self.end_headers()
            self.wfile.write(reply)

        def log_message(self, *_):
            pass

    ThreadingHTTPServer.allow_reuse_address = True
    ThreadingHTTPServer.daemon_threads = True
    ThreadingHTTPServer.request_queue_size = 256
    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    tmp = args.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write(str(server.server_address[1]))
    os.replace(tmp, args.port_file)
    signal.signal(signal.SIGTERM, lambda *_: threading.Thread(target=server.shutdown).start())
    try:
        server.serve_forever(poll_interval=0.1)
    finally:
        server.server_close()
        out.close()


if __name__ == "__main__":
    main()
