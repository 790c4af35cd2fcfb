"""schemathesis hooks for scripts/fuzz.sh (loaded through SCHEMATHESIS_HOOKS).

Two things the OpenAPI document states but cannot make a generator obey:

1. The content of two string formats of the push-credential bodies. `token` (APNS) has
   `format: pkcs8-pem` and `googleServiceAccountCredentials` (FCM_HTTP_V1) has
   `format: google-service-account-json`; the strategies below generate values of the shapes
   the server accepts for them, and only those, as a JSON schema cannot spell them out.

2. Rules that depend on what the server holds, each answered with 400 and stated in the
   document's 400 descriptions:
   - a push credential's `type` cannot change on replace;
   - an application's `type` cannot change on replace;
   - push credentials belong to native applications only;
   - an application has at most one push credential of each type.
   A positive (schema-valid) request that breaks one of them is not valid data, so it is not
   generated: `ServerState` follows the server's state from the seed file it was started with and
   from every answer it gives, and `filter_case` drops such positive cases before they are sent.
   Every case that is sent is still judged by every check, and negative cases are left alone.
   The filter sees each request as it is sent because scripts/schemathesis.toml turns off the
   links schemathesis infers from field names, which write body fields after generation.
   Likewise, only worker and service applications have a client secret (the application's
   `_links.secret` says so): `/secret` of another application is 404 by design, so it is not
   asked for an application known to have none, in either mode (the check that a created
   resource can be found, ST302, judges any 404 after a create). Ids never seen are still tried.

The server runs with `--tenancy auto` (the default): an environment or application id never
seen before is provisioned on first use as a native application without push credentials.
"""

from __future__ import annotations

import atexit
import base64
import collections
import json
import os
import sys
import threading
import uuid

import schemathesis
from hypothesis import strategies as st

# --- 1. String formats -------------------------------------------------------------------------


def _der(tag: int, content: bytes) -> bytes:
    """One DER TLV."""
    length = len(content)
    if length < 0x80:
        header = bytes([length])
    else:
        octets = length.to_bytes((length.bit_length() + 7) // 8, "big")
        header = bytes([0x80 | len(octets)]) + octets
    return bytes([tag]) + header + content


def _oid(dotted: str) -> bytes:
    first, second, *rest = (int(arc) for arc in dotted.split("."))
    body = bytearray([40 * first + second])
    for arc in rest:
        chunk = [arc & 0x7F]
        arc >>= 7
        while arc:
            chunk.append(0x80 | (arc & 0x7F))
            arc >>= 7
        body.extend(reversed(chunk))
    return _der(0x06, bytes(body))


# The AlgorithmIdentifier of an Apple .p8 key (EC P-256), and two other common ones.
_ALGORITHMS = [
    _der(0x30, _oid("1.2.840.10045.2.1") + _oid("1.2.840.10045.3.1.7")),
    _der(0x30, _oid("1.2.840.113549.1.1.1") + b"\x05\x00"),
    _der(0x30, _oid("1.3.101.112")),
]


@st.composite
def pkcs8_pem(draw: st.DrawFn) -> str:
    """A PEM-armoured PKCS#8 `PrivateKeyInfo`, wrapped and padded in the ways people paste keys."""
    algorithm = draw(st.sampled_from(_ALGORITHMS))
    private_key = draw(st.binary(min_size=1, max_size=200))
    der = _der(0x30, _der(0x02, b"\x00") + algorithm + _der(0x04, private_key))
    encoded = base64.b64encode(der).decode()
    width = draw(st.sampled_from([64, 76, len(encoded)]))
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    lines = [encoded[i : i + width] for i in range(0, len(encoded), width)]
    pem = newline.join(["-----BEGIN PRIVATE KEY-----", *lines, "-----END PRIVATE KEY-----"])
    before = draw(st.sampled_from(["", " ", "\n"]))
    after = draw(st.sampled_from(["", newline, "\n\n", " "]))
    return before + pem + after


_SERVICE_ACCOUNT_REQUIRED = ("type", "project_id", "private_key", "client_email")


@st.composite
def google_service_account_json(draw: st.DrawFn) -> str:
    """A Google service-account key file: a JSON object with `"type": "service_account"` and
    non-empty string `project_id`, `private_key` and `client_email`, other members optional."""
    text = st.text(min_size=1, max_size=40)
    account = {
        "type": "service_account",
        "project_id": draw(text),
        "private_key": draw(st.one_of(text, pkcs8_pem())),
        "client_email": draw(text),
    }
    extra = draw(
        st.dictionaries(
            st.text(max_size=20).filter(lambda key: key not in _SERVICE_ACCOUNT_REQUIRED),
            st.one_of(st.none(), st.booleans(), st.integers(), text),
            max_size=4,
        )
    )
    account.update(extra)
    order = draw(st.permutations(list(account)))
    indent = draw(st.sampled_from([None, 2]))
    return json.dumps({key: account[key] for key in order}, indent=indent)


schemathesis.openapi.format("pkcs8-pem", pkcs8_pem())
schemathesis.openapi.format("google-service-account-json", google_service_account_json())


# --- 2. Rules that depend on the server's state -------------------------------------------------

APPLICATIONS = "/v1/environments/{environmentId}/applications"
APPLICATION = APPLICATIONS + "/{applicationId}"
CREDENTIALS = APPLICATION + "/pushCredentials"
CREDENTIAL = CREDENTIALS + "/{pushCredentialId}"
SECRET = APPLICATION + "/secret"


def _id(value: object) -> str | None:
    """The canonical spelling of a UUID, as the server parses it; `None` if it is not one."""
    try:
        return str(uuid.UUID(str(value)))
    except ValueError:
        return None


class ServerState:
    """What the server holds, as far as the rules above need it."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        # (environment id, application id) -> application type
        self.applications: dict[tuple[str, str], str] = {}
        # (environment id, application id) -> {push credential id: type}
        self.credentials: dict[tuple[str, str], dict[str, str]] = {}

    def load_seed(self, path: str) -> None:
        with open(path, encoding="utf-8") as file:
            seed = json.load(file)
        for environment in seed.get("environments", []):
            for application in environment.get("applications", []):
                key = (_id(environment["id"]), _id(application["id"]))
                self.applications[key] = application["type"]
                self.credentials[key] = {
                    _id(credential["id"]): credential["type"]
                    for credential in application.get("pushCredentials", [])
                }

    def application_type(self, key: tuple[str, str]) -> str:
        # An application never seen is provisioned as a native one on first use.
        return self.applications.get(key, "NATIVE_APP")

    def learn(self, case: schemathesis.Case, response: schemathesis.Response) -> None:
        """Follows one answer: only successful ones change anything."""
        if not 200 <= response.status_code < 300:
            return
        path, method = case.operation.path, case.method.upper()
        parameters = case.path_parameters or {}
        environment = _id(parameters.get("environmentId"))
        application = _id(parameters.get("applicationId"))
        key = (environment, application)
        body = _json(response) if response.status_code != 204 else None
        with self.lock:
            if path == APPLICATIONS and method == "POST" and isinstance(body, dict):
                self._application(body)
            elif path == APPLICATIONS and method == "GET" and isinstance(body, dict):
                for item in body.get("_embedded", {}).get("applications", []):
                    self._application(item)
            elif path == APPLICATION and method in ("GET", "PUT") and isinstance(body, dict):
                self._application(body)
            elif path == CREDENTIALS and method == "GET" and isinstance(body, dict):
                items = body.get("_embedded", {}).get("pushCredentials", [])
                self.credentials[key] = {_id(item.get("id")): item.get("type") for item in items}
            elif path in (CREDENTIALS, CREDENTIAL) and isinstance(body, dict):
                # One credential, created, read or replaced.
                self.credentials.setdefault(key, {})[_id(body.get("id"))] = body.get("type")
            elif path == CREDENTIAL and method == "DELETE":
                self.credentials.get(key, {}).pop(_id(parameters.get("pushCredentialId")), None)
            elif path == APPLICATION and method == "DELETE":
                self.credentials.pop(key, None)

    def _application(self, resource: dict) -> None:
        key = (_id(resource.get("environment", {}).get("id")), _id(resource.get("id")))
        if None not in key and isinstance(resource.get("type"), str):
            self.applications[key] = resource["type"]

    def has_no_secret(self, case: schemathesis.Case) -> bool:
        """Whether this asks for the secret of an application known to have none."""
        if case.operation.path != SECRET:
            return False
        parameters = case.path_parameters or {}
        key = (_id(parameters.get("environmentId")), _id(parameters.get("applicationId")))
        with self.lock:
            known = self.applications.get(key)
        return known is not None and known not in ("WORKER", "SERVICE")

    def breaks_a_rule(self, case: schemathesis.Case) -> bool:
        """Whether the server must refuse this request because of what it holds."""
        if not isinstance(case.body, dict):
            return False
        path, method = case.operation.path, case.method.upper()
        parameters = case.path_parameters or {}
        key = (_id(parameters.get("environmentId")), _id(parameters.get("applicationId")))
        if None in key:
            return False  # not an id: 404
        requested = case.body.get("type")
        with self.lock:
            if path == CREDENTIALS and method == "POST":
                held = self.credentials.get(key, {}).values()
                return self.application_type(key) != "NATIVE_APP" or requested in held
            if path == CREDENTIAL and method == "PUT":
                stored = self.credentials.get(key, {}).get(_id(parameters.get("pushCredentialId")))
                return stored is not None and requested != stored
            if path == APPLICATION and method == "PUT":
                return requested != self.application_type(key)
        return False


def _json(response: schemathesis.Response) -> object:
    try:
        return response.json()
    except Exception:  # noqa: BLE001 - an answer that is not JSON changes nothing here
        return None


STATE = ServerState()
if os.environ.get("FUZZ_SEED_FILE"):
    STATE.load_seed(os.environ["FUZZ_SEED_FILE"])
# Cases dropped, per operation, so that a run shows how much the rules above keep out.
DROPPED: collections.Counter[str] = collections.Counter()


@atexit.register
def _report_dropped() -> None:
    total = sum(DROPPED.values())
    print(f"fuzz_hooks: {total} generated cases not sent (state rules)", file=sys.stderr)
    for label, count in sorted(DROPPED.items()):
        print(f"fuzz_hooks:   {count:5} {label}", file=sys.stderr)


@schemathesis.hook
def after_call(
    context: schemathesis.HookContext, case: schemathesis.Case, response: schemathesis.Response
) -> None:
    STATE.learn(case, response)


@schemathesis.hook
def filter_case(context: schemathesis.HookContext, case: schemathesis.Case) -> bool:
    meta = case.meta
    positive = meta is not None and meta.generation.mode.is_positive
    if STATE.has_no_secret(case) or (positive and STATE.breaks_a_rule(case)):
        DROPPED[f"{case.method.upper()} {case.operation.path}"] += 1
        return False
    return True
