"""Passkeys from an outside client: Yubico's `fido2` (PyPI) against a running Sesame (docs/behaviour.md#passkeys).

Starts its own `sesame serve` (SQLite in a temporary data folder, the development console outbox) on a free port with
SESAME_PUBLIC_URL=http://localhost:PORT, and drives its pages over HTTP as a browser would, with `fido2.client.
Fido2Client` as the browser's WebAuthn client: it reads the options the page's `data-options` carries, checks the
relying party ID against the origin, writes clientDataJSON, and talks CTAP2 to an authenticator. The authenticator is
a software one written here (`SoftwareAuthenticator`, a `fido2.ctap.CtapDevice` answering makeCredential and
getAssertion), whose keys are `cryptography`'s (ES256 on P-256, Ed25519) and whose bytes are fido2's own data classes
(AuthenticatorData, AttestedCredentialData, COSE keys, CBOR): bytes made by an implementation independent of Sesame's.
Every answer that Sesame should accept is first checked by fido2's own relying party (`fido2.server.Fido2Server`), and
every tampered one shown to be refused by it too, so that a failure here is Sesame's, not the authenticator's.

The cases, each asserting the server's answer:
  1. ES256 registration accepted ("Finish" then counts it as the policy's one method), sign-in with it accepted
     (303 /account), and the session opens /account.
  2. Ed25519 (EdDSA, alg -8) registration and sign-in accepted.
  3. A wrong origin in clientDataJSON (http://evil.localhost:PORT, which fido2's client accepts for RP ID localhost):
     registration 422, sign-in 401.
  (Each refused registration is also found in the server's log with the reason expected: wrongOrigin,
  wrongRelyingParty, userNotVerified.)
  4. A wrong RP ID (authenticator data hashing another host): registration 422, sign-in 401.
  5. A replayed assertion (the same successful answer posted again): refused.
  6. No user verification (UP only): registration 422, sign-in 401.
  7. A counter that went back (5, then 3, then 5 again): refused, and audited as "Passkey refused: counter went back";
     the passkey still works with a counter above the stored one.
  8. A reset through the passkey gate (a one-gate policy): an assertion over the sign-in page's challenge and one
     without UV refused (422) first, then the new-password page, the new password set, and a sign-in with it.

Usage: .venv/bin/python Tests/passkeys/test_passkeys.py SESAME_BINARY   (scripts/test runs it)
Exits non-zero when any case fails; PASSKEYS_KEEP=1 keeps the data folder and the server's log.
"""
import hashlib
import html
import json
import os
import re
import shutil
import sys
import tempfile
import time
import traceback

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from fido2 import cbor
from fido2.client import DefaultClientDataCollector, Fido2Client, UserInteraction
from fido2.cose import ES256, EdDSA
from fido2.ctap import CtapDevice, CtapError
from fido2.ctap2 import Ctap2
from fido2.hid import CAPABILITY, CTAPHID
from fido2.server import Fido2Server
from fido2.utils import websafe_encode
from fido2.webauthn import Aaguid, AttestedCredentialData, AuthenticatorData

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "faults"))
from faultlib import PROCESSES, Browser, Server, cli, free_port, who_are_you  # noqa: E402

PASSWORD = "Passkey-Pass-48#kq"
NEW_PASSWORD = "Yt7$Mx3!Ps9j-Reset"
DOMAIN = "contoso.example"


# MARK: The software authenticator

class Credential:
    def __init__(self, rp_id, user_id, algorithm):
        self.id = os.urandom(32)
        self.rp_id = rp_id
        self.user_id = user_id
        self.algorithm = algorithm
        self.counter = 0
        if algorithm == ES256.ALGORITHM:
            self.private_key = ec.generate_private_key(ec.SECP256R1())
            self.public_key = ES256.from_cryptography_key(self.private_key.public_key())
        elif algorithm == EdDSA.ALGORITHM:
            self.private_key = ed25519.Ed25519PrivateKey.generate()
            self.public_key = EdDSA.from_cryptography_key(self.private_key.public_key())
        else:
            raise ValueError(f"algorithm {algorithm}")

    def sign(self, message):
        if self.algorithm == ES256.ALGORITHM:
            return self.private_key.sign(message, ec.ECDSA(hashes.SHA256()))  # DER, as WebAuthn's ES256 wants
        return self.private_key.sign(message)  # Ed25519: the raw 64 bytes

    @property
    def attested(self):
        """What a relying party keeps of the credential: fido2's AttestedCredentialData."""
        return AttestedCredentialData.create(Aaguid.NONE, self.id, self.public_key)


class SoftwareAuthenticator(CtapDevice):
    """A CTAP2 authenticator in memory, for `Fido2Client`: resident keys, built-in user verification, attestation
    "none". Its knobs make it misbehave as a test needs: `user_verified=False` leaves the UV flag out whatever was
    asked, `rp_id_for_hash` hashes another relying party ID into the authenticator data, `next_counter` is the
    signature counter of the next assertion (then it counts on from there)."""

    def __init__(self, algorithms=(ES256.ALGORITHM,)):
        self.algorithms = list(algorithms)
        self.credentials = []
        self.user_verified = True
        self.rp_id_for_hash = None
        self.next_counter = None
        self.pending = []

    @property
    def capabilities(self):
        return CAPABILITY.CBOR

    @classmethod
    def list_devices(cls):
        return iter(())

    def call(self, cmd, data=b"", event=None, on_keepalive=None):
        if cmd != CTAPHID.CBOR:
            raise CtapError(CtapError.ERR.INVALID_COMMAND)
        command, request = data[0], cbor.decode(data[1:]) if len(data) > 1 else {}
        try:
            if command == Ctap2.CMD.GET_INFO:
                response = self.get_info()
            elif command == Ctap2.CMD.MAKE_CREDENTIAL:
                response = self.make_credential(request)
            elif command == Ctap2.CMD.GET_ASSERTION:
                response = self.get_assertion(request)
            elif command == Ctap2.CMD.GET_NEXT_ASSERTION:
                if not self.pending:
                    raise CtapError(CtapError.ERR.NOT_ALLOWED)
                response = self.pending.pop(0)
            elif command == Ctap2.CMD.SELECTION:
                response = None
            else:
                raise CtapError(CtapError.ERR.INVALID_COMMAND)
        except CtapError as error:
            return bytes([error.code])
        return b"\x00" + (cbor.encode(response) if response is not None else b"")

    def get_info(self):
        return {
            1: ["FIDO_2_0"],
            3: bytes(Aaguid.NONE),
            4: {"rk": True, "up": True, "uv": True, "plat": False},
            5: 4096,
            # A PIN/UV protocol is declared (fido2's client wants one) but never used: with "uv" and no
            # "pinUvAuthToken", the client asks for the built-in user verification (option uv=true).
            6: [2, 1],
            10: [{"type": "public-key", "alg": alg} for alg in self.algorithms],
        }

    def flags(self, user_present, attested=False):
        flags = AuthenticatorData.FLAG(0)
        if user_present:
            flags |= AuthenticatorData.FLAG.UP
            if self.user_verified:
                flags |= AuthenticatorData.FLAG.UV
        if attested:
            flags |= AuthenticatorData.FLAG.AT
        return flags

    def rp_id_hash(self, rp_id):
        return hashlib.sha256((self.rp_id_for_hash or rp_id).encode()).digest()

    def make_credential(self, request):
        rp, user, parameters = request[2], request[3], request[4]
        excluded = {descriptor["id"] for descriptor in request.get(5) or []}
        if any(c.id in excluded and c.rp_id == rp["id"] for c in self.credentials):
            raise CtapError(CtapError.ERR.CREDENTIAL_EXCLUDED)
        # The first of the relying party's algorithms this authenticator has: the server's order of preference.
        algorithm = next((p["alg"] for p in parameters if p.get("type") == "public-key" and p["alg"] in self.algorithms), None)
        if algorithm is None:
            raise CtapError(CtapError.ERR.UNSUPPORTED_ALGORITHM)
        credential = Credential(rp["id"], user["id"], algorithm)
        self.credentials.append(credential)
        auth_data = AuthenticatorData.create(
            self.rp_id_hash(rp["id"]), self.flags(True, attested=True), credential.counter, credential.attested)
        return {1: "none", 2: bytes(auth_data), 3: {}}

    def get_assertion(self, request):
        rp_id, client_data_hash = request[1], request[2]
        allowed = [descriptor["id"] for descriptor in request.get(3) or []]
        options = request.get(5) or {}
        user_present = options.get("up", True)
        found = [c for c in self.credentials if c.rp_id == rp_id and (not allowed or c.id in allowed)]
        if not found:
            raise CtapError(CtapError.ERR.NO_CREDENTIALS)
        responses = []
        for credential in reversed(found):  # the newest first, as authenticators do
            if user_present:  # a silent probe (up=false) neither counts nor asks
                credential.counter = self.next_counter if self.next_counter is not None else credential.counter + 1
                self.next_counter = None
            auth_data = AuthenticatorData.create(self.rp_id_hash(rp_id), self.flags(user_present), credential.counter)
            response = {1: {"type": "public-key", "id": credential.id}, 2: bytes(auth_data),
                        3: credential.sign(bytes(auth_data) + client_data_hash)}
            if not allowed:
                response[4] = {"id": credential.user_id}
            responses.append(response)
            if allowed or not user_present:
                break
        if len(responses) > 1:
            responses[0][5] = len(responses)
        self.pending = responses[1:]
        return responses[0]


class QuietInteraction(UserInteraction):
    """Touch and user verification always granted, without fido2's log lines."""

    def prompt_up(self):
        pass

    def request_uv(self, permissions, rp_id):
        return True


def webauthn_client(device, origin):
    """fido2's WebAuthn client at `origin`, with fido2's own RP ID check (which lets http://evil.localhost use the
    RP ID localhost: only the relying party's exact origin check stops it)."""
    return Fido2Client(device, DefaultClientDataCollector(origin), QuietInteraction())


# MARK: The test

class PasskeyTest:
    def __init__(self, binary):
        self.binary = binary
        self.folder = tempfile.mkdtemp(prefix="sesame-passkeys-")
        self.port = free_port()
        self.origin = f"http://localhost:{self.port}"
        self.evil_origin = f"http://evil.localhost:{self.port}"
        self.env = {"SESAME_DATA_DIR": os.path.join(self.folder, "data"), "SESAME_PUBLIC_URL": self.origin,
                    "SESAME_ENV": "development", "SESAME_SMS_PROVIDER": "console"}
        self.server = None
        self.addresses = 0
        # fido2's own relying party for localhost, to check the authenticator's bytes before Sesame sees them.
        self.reference = Fido2Server({"id": "localhost", "name": "Sesame"}, verify_origin=lambda origin: origin == self.origin)
        self.devices = {}

    # Setting up

    def start(self):
        cli(self.binary, self.env, "policy", "set", "methods", "passkey")
        cli(self.binary, self.env, "policy", "set", "methodsRequired", "1")
        for name in ["alice", "bob", "mallory-origin", "mallory-rp", "mallory-uv", "grace", "henry"]:
            cli(self.binary, self.env, "user", "add", self.user(name), "--password", PASSWORD, "--display-name", name.title())
        self.server = Server(self.binary, self.folder, self.env, port=self.port)
        self.server.start()
        print(f"    sesame serve on port {self.port}, SESAME_PUBLIC_URL={self.origin}, data in {self.folder}", flush=True)

    def stop(self):
        PROCESSES.cleanup()
        if os.environ.get("PASSKEYS_KEEP"):
            print(f"    kept {self.folder}")
        else:
            shutil.rmtree(self.folder, ignore_errors=True)

    @staticmethod
    def user(name):
        return f"{name}@{DOMAIN}"

    def browser(self):
        """A new browser from a new client address (loopback is a trusted proxy), so that the refusals this test
        provokes never add up to a network's throttle."""
        self.addresses += 1
        return Browser(self.port, forwarded_for=f"10.77.{self.addresses >> 8 & 255}.{self.addresses & 255}")

    # Pages

    @staticmethod
    def options(page, action):
        """The WebAuthn options of the form posting to `action`: its `data-options`, HTML-unescaped JSON."""
        match = re.search(r'<form[^>]*action="' + re.escape(action) + r'"[^>]*data-options="([^"]*)"', page.body)
        assert match, f"no form posting to {action} with data-options in the page ({page.status}):\n{page.body[:1500]}"
        return json.loads(html.unescape(match.group(1)))

    @staticmethod
    def says_not_accepted(page):
        return "That passkey was not accepted" in page.body

    def signed_in(self, name):
        browser = self.browser()
        assert browser.get("/signin").status == 200, "the sign-in page"
        reply = browser.post("/signin", {"userID": self.user(name), "password": PASSWORD})
        assert reply.status == 303, f"{name} signs in with the password: {reply.status} {reply.location}"
        return browser

    # Ceremonies

    def register(self, browser, device, name, origin=None):
        """GET /register/passkey, fido2 makes the credential, POST it; (reply, fido2's RegistrationResponse, options)."""
        page = browser.get("/register/passkey")
        assert page.status == 200, f"GET /register/passkey answered {page.status} {page.location} (a step-up?)"
        options = self.options(page, "/register/passkey")
        assert options["rp"]["id"] == "localhost", f"the relying party ID is SESAME_PUBLIC_URL's host: {options['rp']}"
        assert options["authenticatorSelection"]["userVerification"] == "required", options["authenticatorSelection"]
        response = webauthn_client(device, origin or self.origin).make_credential(options)
        fields = {"name": name, "attestationObject": websafe_encode(response.response.attestation_object),
                  "clientDataJSON": websafe_encode(response.response.client_data)}
        return browser.post("/register/passkey", fields), response, options

    def assertion(self, device, options, origin=None):
        """fido2 gets an assertion for `options`; (the form's fields, fido2's AuthenticationResponse)."""
        response = webauthn_client(device, origin or self.origin).get_assertion(options).get_response(0)
        fields = {"credentialID": websafe_encode(response.raw_id),
                  "authenticatorData": websafe_encode(response.response.authenticator_data),
                  "clientDataJSON": websafe_encode(response.response.client_data),
                  "signature": websafe_encode(response.response.signature),
                  "userHandle": websafe_encode(response.response.user_handle) if response.response.user_handle else ""}
        return fields, response

    def sign_in_with_passkey(self, device, origin=None):
        """GET /signin, fido2 answers its discoverable challenge, POST /signin/passkey; (browser, reply, fields,
        response, options)."""
        browser = self.browser()
        page = browser.get("/signin")
        assert page.status == 200, f"GET /signin answered {page.status}"
        options = self.options(page, "/signin/passkey")
        assert options["rpId"] == "localhost" and options["allowCredentials"] == [], \
            f"sign-in asks for a discoverable passkey of RP ID localhost: {options}"
        assert options["userVerification"] == "required", options
        fields, response = self.assertion(device, options, origin)
        return browser, browser.post("/signin/passkey", fields), fields, response, options

    # fido2's own relying party

    @staticmethod
    def state(options):
        return {"challenge": options["challenge"], "user_verification": "required"}

    def reference_register(self, response, options):
        """fido2's relying party's verdict on a registration: its credential, or the reason it refuses."""
        try:
            return self.reference.register_complete(self.state(options), response).credential_data
        except ValueError as error:
            return str(error)

    def reference_authenticate(self, device, response, options):
        try:
            self.reference.authenticate_complete(self.state(options), [c.attested for c in device.credentials], response)
            return None
        except ValueError as error:
            return str(error)

    def audit(self):
        return json.loads(cli(self.binary, self.env, "report", "audit", "--format", "json", "--days", "1"))

    # The cases

    def registers(self, name, algorithm, algorithms):
        """Registration of a passkey of `algorithm` for `name` (a user with no method, so no step-up), then a
        sign-in with it that opens /account."""
        device = SoftwareAuthenticator(algorithms)
        browser = self.signed_in(name)
        reply, response, options = self.register(browser, device, f"{name}'s key")
        assert [p["alg"] for p in options["pubKeyCredParams"]][:2] == [-7, -8], options["pubKeyCredParams"]
        credential = self.reference_register(response, options)
        assert not isinstance(credential, str), f"fido2's relying party refuses the registration: {credential}"
        assert credential.public_key.ALGORITHM == algorithm, f"the authenticator chose {credential.public_key.ALGORITHM}"
        assert reply.status == 200 and "Thanks" in reply.body, \
            f"registration of {name}'s {algorithm} passkey answered {reply.status}:\n{self.notice(reply)}"
        assert any(e["activity"] == "Register passkey" and e["target"] == self.user(name) for e in self.audit()), \
            "the audit log has the registration"
        # "Finish": the passkey alone meets the one-method policy, so sign-in no longer interrupts.
        overview = browser.get("/register")
        assert overview.status == 200, f"GET /register answered {overview.status}"
        finish = browser.post("/register/finish", {})
        assert finish.status == 303 and finish.location == "/account", \
            f"\"Finish\" with the passkey as the only method answered {finish.status} {finish.location}: {self.notice(finish)}"
        print(f"    {name}: registration of an alg {algorithm} passkey answered 200 Thanks; \"Finish\" 303 /account")
        passkey_browser, reply, fields, response, options = self.sign_in_with_passkey(device)
        assert self.reference_authenticate(device, response, options) is None, "fido2's relying party accepts the assertion"
        assert reply.status == 303 and reply.location == "/account", \
            f"sign-in with {name}'s passkey answered {reply.status} {reply.location}:\n{self.notice(reply)}"
        account = passkey_browser.get("/account")
        assert account.status == 200 and self.user(name) in account.body, \
            f"GET /account after the passkey sign-in answered {account.status} {account.location}"
        print(f"    {name}: sign-in with it answered 303 {reply.location}; GET /account 200 as {self.user(name)}")
        self.devices[name] = device
        return device

    @staticmethod
    def notice(reply):
        match = re.search(r'<p class="notice error"[^>]*>([^<]*)</p>', reply.body)
        return match.group(1) if match else reply.body[:800]

    def refused_registration(self, name, device, reason, origin=None):
        """A registration by `name` (a user of its own with no method, so no step-up, whatever another case left
        behind) that must be refused with 422, for `reason` (the PasskeyError the server logs)."""
        browser = self.signed_in(name)
        logged = self.registration_refusals()
        reply, response, options = self.register(browser, device, "mallory's key", origin)
        verdict = self.reference_register(response, options)
        assert isinstance(verdict, str), "fido2's relying party accepts the tampered registration: the test is wrong"
        assert reply.status == 422 and self.says_not_accepted(reply), \
            f"the registration answered {reply.status} (expected 422, not accepted): {self.notice(reply)}"
        deadline = time.monotonic() + 5
        while len(self.registration_refusals()) == len(logged) and time.monotonic() < deadline:
            time.sleep(0.05)
        fresh = self.registration_refusals()[len(logged):]
        assert len(fresh) == 1 and f".{reason})" in fresh[0], f"the server logs the refusal as {reason}: {fresh}"
        page = browser.get("/register/passkey")
        assert page.status == 200 and 'action="/register/passkey/remove"' not in page.body, \
            f"{name} has no passkey listed after the refusal ({page.status})"
        print(f"    registration refused: 422 \"{self.notice(reply)}\", logged as {reason} (fido2's relying party: {verdict})")

    def registration_refusals(self):
        """The server log's "passkey registration refused" lines (their reason, as notAccepted(...wrongOrigin))."""
        return re.findall(r"reason=(\S+) .*passkey registration refused", self.server.log())

    def refused_sign_in(self, device, origin=None):
        browser, reply, fields, response, options = self.sign_in_with_passkey(device, origin)
        verdict = self.reference_authenticate(device, response, options)
        assert reply.status == 401 and self.says_not_accepted(reply), \
            f"the sign-in answered {reply.status} {reply.location} (expected 401, not accepted)"
        assert browser.get("/account").status != 200, "no session after a refused sign-in"
        print(f"    sign-in refused: 401 \"{self.notice(reply)}\"" + (f" (fido2's relying party: {verdict})" if verdict else ""))
        return verdict

    def case_es256(self):
        self.registers("alice", ES256.ALGORITHM, [ES256.ALGORITHM])

    def case_ed25519(self):
        # An authenticator with Ed25519 alone: it must find -8 among the server's parameters.
        self.registers("bob", EdDSA.ALGORITHM, [EdDSA.ALGORITHM])

    def case_wrong_origin(self):
        self.refused_registration("mallory-origin", SoftwareAuthenticator(), "wrongOrigin", origin=self.evil_origin)
        verdict = self.refused_sign_in(self.devices["alice"], origin=self.evil_origin)
        assert verdict and "origin" in verdict, f"fido2's relying party refuses the origin too: {verdict}"

    def case_wrong_rp_id(self):
        device = SoftwareAuthenticator()
        device.rp_id_for_hash = "evil.localhost"
        self.refused_registration("mallory-rp", device, "wrongRelyingParty")
        alice = self.devices["alice"]
        alice.rp_id_for_hash = "evil.localhost"
        try:
            verdict = self.refused_sign_in(alice)
        finally:
            alice.rp_id_for_hash = None
        assert verdict and "RP ID" in verdict, f"fido2's relying party refuses the RP ID hash too: {verdict}"

    def case_replay(self):
        browser, reply, fields, response, options = self.sign_in_with_passkey(self.devices["alice"])
        assert reply.status == 303 and reply.location == "/account", f"the first post of the assertion answered {reply.status} {reply.location}"
        print(f"    first post: 303 {reply.location}")
        # The same bytes again, from another browser (an eavesdropper's replay) and from the same one.
        for who, replayer in [("another browser", self.browser()), ("the same browser", browser)]:
            assert replayer.get("/signin").status == 200
            again = replayer.post("/signin/passkey", fields)
            assert again.status == 401 and self.says_not_accepted(again), \
                f"the replay from {who} answered {again.status} {again.location} (expected 401)"
            print(f"    replay from {who}: 401 \"{self.notice(again)}\"")

    def case_no_user_verification(self):
        device = SoftwareAuthenticator()
        device.user_verified = False
        self.refused_registration("mallory-uv", device, "userNotVerified")
        alice = self.devices["alice"]
        alice.user_verified = False
        try:
            verdict = self.refused_sign_in(alice)
        finally:
            alice.user_verified = True
        assert verdict and "verif" in verdict.lower(), f"fido2's relying party refuses UP alone too: {verdict}"

    def case_counter(self):
        device = self.registers("grace", ES256.ALGORITHM, [ES256.ALGORITHM])
        device.next_counter = 5
        _, reply, _, _, _ = self.sign_in_with_passkey(device)
        assert reply.status == 303, f"a sign-in with counter 5 answered {reply.status}"
        print("    counter 5: 303")
        before = len([e for e in self.audit() if e["activity"] == "Passkey refused: counter went back"])
        for counter in (3, 5):
            device.next_counter = counter
            verdict = self.refused_sign_in(device)
            assert verdict is None, f"the assertion is otherwise good (fido2's relying party: {verdict})"
            print(f"    counter {counter} after 5: refused")
        events = [e for e in self.audit() if e["activity"] == "Passkey refused: counter went back"]
        assert len(events) - before == 2, f"two \"counter went back\" events in the audit log, not {len(events) - before}"
        event = events[0]
        assert event["target"] == self.user("grace") and event["status"] == "Failure" and event["supportCode"], \
            f"the audit event names grace, fails, and has the support code: {event}"
        print(f"    audit: {event['activity']!r} target {event['target']} status {event['status']} "
              f"reason {event['failureReason']!r}")
        device.next_counter = 6
        _, reply, _, _, _ = self.sign_in_with_passkey(device)
        assert reply.status == 303, f"a sign-in with counter 6 after the refusals answered {reply.status}"
        print("    counter 6: 303 (the stored counter stayed at 5)")

    def case_reset(self):
        device = SoftwareAuthenticator()
        browser = self.signed_in("henry")
        reply, _, _ = self.register(browser, device, "henry's key")
        assert reply.status == 200 and "Thanks" in reply.body, f"henry's registration answered {reply.status}"
        credential_id = websafe_encode(device.credentials[0].id)

        browser = self.browser()
        reply = who_are_you(browser, self.user("henry"))
        assert reply.status == 303 and reply.location == "/reset/verify", f"\"Who are you?\" answered {reply.status} {reply.location}"
        page = browser.get("/reset/verify")
        assert page.status == 200 and 'value="passkey"' in page.body, f"the gate offers the passkey ({page.status}):\n{page.body[:1500]}"
        reply = browser.post("/reset/option", {"option": "passkey"})
        assert reply.status == 303 and reply.location == "/reset/verify", f"choosing the passkey answered {reply.status} {reply.location}"

        def gate():
            page = browser.get("/reset/verify")
            assert page.status == 200, f"GET /reset/verify answered {page.status} {page.location}"
            options = self.options(page, "/reset/passkey")
            assert options["allowCredentials"] == [], \
                f"a reset's gate names no credential, whoever typed the user ID: {options['allowCredentials']}"
            return options

        # An assertion over another ceremony's challenge (the sign-in page's), by henry's own key: refused.
        signin_options = self.options(self.browser().get("/signin"), "/signin/passkey")
        gate()
        fields, _ = self.assertion(device, dict(signin_options, allowCredentials=[{"type": "public-key", "id": credential_id}]))
        reply = browser.post("/reset/passkey", fields)
        assert reply.status == 422 and self.says_not_accepted(reply), \
            f"a sign-in challenge's assertion at the gate answered {reply.status} {reply.location}"
        print(f"    gate, the sign-in page's challenge: 422 \"{self.notice(reply)}\"")
        # A refused assertion (no user verification): the gate page again, with the message.
        device.user_verified = False
        fields, _ = self.assertion(device, gate())
        device.user_verified = True
        reply = browser.post("/reset/passkey", fields)
        assert reply.status == 422 and self.says_not_accepted(reply), f"a gate assertion without UV answered {reply.status} {reply.location}"
        print(f"    gate, UP only: 422 \"{self.notice(reply)}\"")

        options = gate()
        fields, response = self.assertion(device, options)
        assert self.reference_authenticate(device, response, options) is None, "fido2's relying party accepts the assertion"
        reply = browser.post("/reset/passkey", fields)
        assert reply.status == 303, f"the gate's assertion answered {reply.status} {reply.location}:\n{self.notice(reply)}"
        hops = [f"POST /reset/passkey 303 {reply.location}"]
        location = reply.location
        for _ in range(3):
            if location == "/reset/password":
                break
            reply = browser.get(location)
            hops.append(f"GET {location} {reply.status} {reply.location or ''}".strip())
            assert reply.status in (302, 303), f"GET {location} answered {reply.status} (expected a redirect onwards)"
            location = reply.location
        page = browser.get("/reset/password")
        assert page.status == 200 and "Choose a new password" in page.body and 'action="/reset/password"' in page.body, \
            f"the new-password page ({page.status} {page.location}):\n{page.body[:1000]}"
        print("    " + ", ".join(hops) + ", GET /reset/password 200 \"Choose a new password\"")
        reply = browser.post("/reset/password", {"new": NEW_PASSWORD, "confirm": NEW_PASSWORD})
        assert reply.status == 200, f"setting the new password answered {reply.status} {reply.location}"
        signing = self.browser()
        signing.get("/signin")
        reply = signing.post("/signin", {"userID": self.user("henry"), "password": NEW_PASSWORD})
        assert reply.status == 303, f"henry signs in with the new password: {reply.status}"
        print(f"    new password set (200), and henry signs in with it (303 {reply.location})")


CASES = [
    ("1. ES256 registration and sign-in accepted, /account opens", "case_es256"),
    ("2. Ed25519 (alg -8) registration and sign-in accepted", "case_ed25519"),
    ("3. Wrong origin in clientDataJSON refused (registration 422, sign-in 401)", "case_wrong_origin"),
    ("4. Wrong RP ID hash refused (registration 422, sign-in 401)", "case_wrong_rp_id"),
    ("5. Replayed assertion refused", "case_replay"),
    ("6. UP without UV refused (registration 422, sign-in 401)", "case_no_user_verification"),
    ("7. Counter that went back refused and audited", "case_counter"),
    ("8. Reset through the passkey gate to the new password", "case_reset"),
]


def main():
    if len(sys.argv) != 2:
        print(f"usage: {sys.argv[0]} SESAME_BINARY", file=sys.stderr)
        sys.exit(2)
    if not __debug__:
        print("the checks are asserts: run without -O", file=sys.stderr)
        sys.exit(2)
    test = PasskeyTest(os.path.abspath(sys.argv[1]))
    results = []
    started = time.monotonic()
    try:
        test.start()
        for title, method in CASES:
            print(f"==> {title}", flush=True)
            try:
                getattr(test, method)()
                results.append((title, None))
            except Exception as error:  # noqa: BLE001 (every case runs and is reported)
                detail = f"{type(error).__name__}: {error}" if not isinstance(error, AssertionError) else str(error)
                print(f"    FAILED: {detail}", flush=True)
                if not isinstance(error, AssertionError):
                    traceback.print_exc()
                results.append((title, detail))
        alive = test.server.alive()
        if not alive:
            results.append(("the server ran to the end", f"it exited:\n{test.server.log_tail()}"))
    except Exception as error:  # noqa: BLE001
        traceback.print_exc()
        results.append(("setting up", f"{type(error).__name__}: {error}"))
    finally:
        failed = [r for r in results if r[1]]
        if failed and test.server is not None and test.server.log_path and os.path.exists(test.server.log_path):
            print("---- the server's log, last lines ----\n" + test.server.log_tail(60), file=sys.stderr)
        test.stop()
    print(f"\nPasskeys from an outside client (fido2), {time.monotonic() - started:.1f} s:")
    for title, error in results:
        print(f"  {'PASS' if not error else 'FAIL'}  {title}")
    passed = len(results) - len(failed)
    print(f"{passed} passed, {len(failed)} failed")
    sys.exit(1 if failed or not results else 0)


if __name__ == "__main__":
    main()
