"""Drive `exopartner serve` through the whole lifecycle from Python.

A client in another language, standard library only, signing its own
requests with EXO2-HMAC-SHA256 from the published description:

    message = METHOD + " " + PATH + "\n" + BODY + "\n" + QUERY VALUES + "\n" + "\n" + EXPIRES
    signature = base64(HMAC-SHA256(secret, message))

Usage: python3 lifecycle.py BASE_URL KEY SECRET   (BASE_URL ends in /v1.alpha)
Prints one line per step; exits non-zero on the first unexpected answer.
"""
import base64
import hashlib
import hmac
import json
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

BASE, KEY, SECRET = sys.argv[1], sys.argv[2], sys.argv[3]


def call(method, path, query=None, body=None, sign=True, secret=SECRET):
    url = urllib.parse.urlsplit(BASE + path)
    qs = urllib.parse.urlencode(query or {})
    data = b"" if body is None else json.dumps(body).encode()
    expires = str(int(time.time()) + 600)
    names = sorted((query or {}).keys())
    message = "\n".join([
        method + " " + url.path,
        data.decode(),
        "".join(str(query[n]) for n in names),
        "",
        expires,
    ])
    sig = base64.b64encode(hmac.new(secret.encode(), message.encode(), hashlib.sha256).digest()).decode()
    header = "EXO2-HMAC-SHA256 credential=" + KEY
    if names:
        header += ",signed-query-args=" + ";".join(names)
    header += ",expires=" + expires + ",signature=" + sig
    req = urllib.request.Request(BASE + path + ("?" + qs if qs else ""), data=data or None, method=method)
    if sign:
        req.add_header("Authorization", header)
    if body is not None:
        req.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(req) as resp:
            raw = resp.read()
            return resp.status, (json.loads(raw) if raw else None)
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"null")


def expect(step, got, status):
    code, body = got
    if code != status:
        sys.exit("%s: status %d, want %d: %r" % (step, code, status, body))
    print("%s: %d" % (step, code))
    return body


org = expect("create", call("POST", "/distributor/organization", body={
    "display-name": "Python Client AG",
    "owner-email": "owner@python.example",
    "client-id": "py-1",
    "billing-address": {"name": "Python Client AG", "street-name": "Seestrasse", "building-number": "1",
                        "city": "Zurich", "postal-code": "8002", "country": "CH"},
}), 200)
oid = org["id"]
assert org["status"] == "active" and org["client-id"] == "py-1", org
assert expect("get", call("GET", "/distributor/organization/" + oid), 200)["id"] == oid
assert expect("suspend", call("PUT", "/distributor/organization/%s:suspend" % oid), 200)["status"] == "suspended"
assert expect("activate", call("PUT", "/distributor/organization/%s:activate" % oid), 200)["status"] == "active"
expect("metering", call("POST", "/metering:apply", body={
    "organization": oid,
    "usage": [{"product": "partner", "variable": "license_product", "quantity": 3.1415}],
}), 204)
usage = expect("usage", call("GET", "/distributor/organization/%s/usage" % oid, query={"period": time.strftime("%Y-%m", time.gmtime())}), 200)
assert usage and usage[0]["usage"][0]["quantity"] == 3.1415, usage
assert any(o["id"] == oid for o in expect("list", call("GET", "/distributor/organization"), 200)["organizations"])
expect("terminate", call("DELETE", "/distributor/organization/%s:terminate" % oid), 200)
expect("activate after terminate", call("PUT", "/distributor/organization/%s:activate" % oid), 409)
expect("schedule purge", call("PUT", "/distributor/organization/%s:schedule-purge" % oid), 202)
expect("unsigned", call("GET", "/distributor/organization", sign=False), 401)
expect("wrong secret", call("GET", "/distributor/organization", secret="not-the-secret"), 403)
expect("bad country", call("POST", "/distributor/organization", body={
    "display-name": "X", "owner-email": "x@x.example",
    "billing-address": {"name": "X", "street-name": "S", "city": "C", "postal-code": "1", "country": "ch"},
}), 400)
expect("unknown id", call("GET", "/distributor/organization/00000000-0000-4000-8000-000000000000"), 404)
print("python lifecycle: ok")
