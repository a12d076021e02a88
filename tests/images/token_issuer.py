#!/usr/bin/env python3
"""A minimal bearer-token issuer for the registry tests (docs/images.md), loopback only.

docker-registry's `auth: token:` checks RS256 JWTs whose header carries the signing certificate
(x5c) chained to its rootcertbundle. No Debian package issues them, so this does: GET
/token?service=S&scope=repository:NAME:ACTIONS answers {"token": JWT} granting the asked
actions, to anyone for pull and to USER:PASS (Basic) for push. Signed with `openssl dgst`
(python3's standard library has no RSA).

Usage: token_issuer.py PORT KEY.pem CERT.pem ISSUER USER:PASS   (prints "ready" when listening)
Every request is appended to PORT.log beside the key, so tests can see the exchange.
"""
import base64
import http.server
import json
import os
import subprocess
import sys
import time
import urllib.parse

port, key, cert, issuer, creds = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5]
log_path = os.path.join(os.path.dirname(key), f"{port}.log")


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def cert_der() -> str:
    der = subprocess.run(["openssl", "x509", "-in", cert, "-outform", "DER"],
                         check=True, capture_output=True).stdout
    return base64.b64encode(der).decode()


X5C = cert_der()


def make_token(service: str, access: list) -> str:
    now = int(time.time())
    header = {"typ": "JWT", "alg": "RS256", "x5c": [X5C]}
    claims = {"iss": issuer, "sub": "vessel-test", "aud": service, "exp": now + 300,
              "nbf": now - 10, "iat": now, "jti": str(now) + str(os.getpid()), "access": access}
    signing_input = b64url(json.dumps(header).encode()) + "." + b64url(json.dumps(claims).encode())
    sig = subprocess.run(["openssl", "dgst", "-sha256", "-sign", key], input=signing_input.encode(),
                         check=True, capture_output=True).stdout
    return signing_input + "." + b64url(sig)


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        url = urllib.parse.urlparse(self.path)
        query = urllib.parse.parse_qs(url.query)
        auth = self.headers.get("Authorization", "")
        authenticated = auth == "Basic " + base64.b64encode(creds.encode()).decode()
        with open(log_path, "a") as log:
            log.write(f"GET {url.path} service={query.get('service', [''])[0]} "
                      f"scope={query.get('scope', [''])[0]} basic={'yes' if auth else 'no'}\n")
        if url.path != "/token":
            self.send_error(404)
            return
        if auth and not authenticated:
            self.send_error(401)
            return
        access = []
        for scope in query.get("scope", []):
            kind, name, actions = scope.split(":")
            granted = [a for a in actions.split(",") if a == "pull" or authenticated]
            access.append({"type": kind, "name": name, "actions": granted})
        body = json.dumps({"token": make_token(query.get("service", [""])[0], access)}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


server = http.server.HTTPServer(("127.0.0.1", port), Handler)
print("ready", flush=True)
server.serve_forever()
