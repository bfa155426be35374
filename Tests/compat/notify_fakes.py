"""Receivers for the notification tests: a fake Telegram Bot API, a webhook receiver that checks
each body's HMAC-SHA256 signature, and an SMTP server (aiosmtpd) that requires STARTTLS and a
login. A control server lets the test read what arrived and script failures.

Prints one JSON line with the ports and the CA file, then serves until its stdin closes."""

import base64
import datetime
import email
import email.header
import hashlib
import hmac
import json
import os
import ssl
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
import ipaddress

LOCK = threading.Lock()
STATE = {
    "sent": [],  # Telegram sendMessage calls: token, chat_id, text, time
    "refused": [],  # Telegram calls answered with an error: status, time
    "updates": {},  # token -> [update]
    "next_update": 1,
    "fail429": 0,
    "retry_after": 2,
    "webhook_secret": "",
    "received": [],  # webhook bodies: path, body, valid, key, time
    "mail": [],
    "webhook_down_until": 0.0,
}
SMTP_USER = "ctp-notifier"
SMTP_PASSWORD = "smtp-password-for-tests"


def reply(handler, status, obj):
    data = json.dumps(obj).encode()
    handler.send_response(status)
    handler.send_header("Content-Type", "application/json")
    handler.send_header("Content-Length", str(len(data)))
    handler.end_headers()
    handler.wfile.write(data)


def read_json(handler):
    length = int(handler.headers.get("Content-Length") or 0)
    raw = handler.rfile.read(length) if length else b""
    return raw, (json.loads(raw) if raw else {})


class Telegram(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_POST(self):
        _, body = read_json(self)
        parts = self.path.strip("/").split("/")
        if len(parts) != 2 or not parts[0].startswith("bot"):
            return reply(self, 404, {"ok": False, "error_code": 404, "description": "Not Found"})
        token, method = parts[0][3:], parts[1]
        if token == "1:bad-token-bad-token-bad-token":
            with LOCK:
                STATE["refused"].append({"status": 401, "time": time.time()})
            return reply(self, 401, {"ok": False, "error_code": 401, "description": "Unauthorized"})
        if method == "sendMessage":
            with LOCK:
                if STATE["fail429"] > 0:
                    STATE["fail429"] -= 1
                    STATE["refused"].append({"status": 429, "time": time.time()})
                    after = STATE["retry_after"]
                    return reply(self, 429, {"ok": False, "error_code": 429, "description": f"Too Many Requests: retry after {after}",
                                             "parameters": {"retry_after": after}})
                STATE["sent"].append({"token": token, "chat_id": str(body.get("chat_id")), "text": body.get("text"), "time": time.time()})
            return reply(self, 200, {"ok": True, "result": {"message_id": len(STATE["sent"])}})
        if method == "getUpdates":
            offset = int(body.get("offset") or 0)
            with LOCK:
                queue = [u for u in STATE["updates"].get(token, []) if u["update_id"] >= offset]
                STATE["updates"][token] = queue
            return reply(self, 200, {"ok": True, "result": queue})
        return reply(self, 404, {"ok": False, "error_code": 404, "description": "Not Found: method not found"})


class Webhook(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_POST(self):
        raw, _ = read_json(self)
        header = self.headers.get("X-CTP-Signature") or ""
        valid = False
        with LOCK:
            secret = STATE["webhook_secret"]
        try:
            fields = dict(part.split("=", 1) for part in header.split(","))
            mac = hmac.new(secret.encode(), (fields["t"] + ".").encode() + raw, hashlib.sha256).hexdigest()
            valid = hmac.compare_digest(mac, fields["v1"]) and abs(time.time() - int(fields["t"])) < 300
        except Exception:
            valid = False
        with LOCK:
            STATE["received"].append({"path": self.path, "body": raw.decode(), "valid": valid, "signed": bool(header),
                                      "key": self.headers.get("Idempotency-Key"), "time": time.time()})
        reply(self, 200, {"ok": True})


class Mail:
    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content)
        subject = str(email.header.make_header(email.header.decode_header(message["Subject"] or "")))
        body = message.get_payload(decode=True).decode("utf-8")
        with LOCK:
            STATE["mail"].append({"from": envelope.mail_from, "to": envelope.rcpt_tos, "subject": subject, "body": body,
                                  "tls": session.ssl is not None, "login": session.authenticated, "time": time.time()})
        return "250 OK"


def authenticate(server, session, envelope, mechanism, auth_data):
    ok = isinstance(auth_data, LoginPassword) and auth_data.login.decode() == SMTP_USER and auth_data.password.decode() == SMTP_PASSWORD
    return AuthResult(success=ok)


class Control(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_GET(self):
        with LOCK:
            snapshot = {k: STATE[k] for k in ("sent", "refused", "received", "mail")}
        reply(self, 200, snapshot)

    def do_POST(self):
        _, body = read_json(self)
        with LOCK:
            if self.path == "/update":
                token = body["token"]
                update = {"update_id": STATE["next_update"], "message": {"message_id": STATE["next_update"], "chat": {"id": int(body["chat_id"]), "type": "private"},
                                                                         "date": int(time.time()), "text": body["text"]}}
                STATE["next_update"] += 1
                STATE["updates"].setdefault(token, []).append(update)
            elif self.path == "/fail429":
                STATE["fail429"] = int(body["count"])
                STATE["retry_after"] = int(body["retry_after"])
            elif self.path == "/webhook-secret":
                STATE["webhook_secret"] = body["secret"]
            elif self.path == "/webhook-down":
                threading.Thread(target=take_down, args=(float(body["seconds"]),), daemon=True).start()
            else:
                return reply(self, 404, {"error": "unknown"})
        reply(self, 200, {"ok": True})


SERVERS = {}


def serve(name, handler, port=0):
    server = ThreadingHTTPServer(("127.0.0.1", port), handler)
    server.daemon_threads = True
    SERVERS[name] = server
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server.server_address[1]


def take_down(seconds):
    """The webhook receiver stops listening (connections are refused) and comes back on its port."""
    server = SERVERS["webhook"]
    port = server.server_address[1]
    server.shutdown()
    server.server_close()
    time.sleep(seconds)
    while True:
        try:
            serve("webhook", Webhook, port)
            return
        except OSError:
            time.sleep(0.1)


def certificate(folder):
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=2))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    cert_path, key_path = os.path.join(folder, "smtp.pem"), os.path.join(folder, "smtp.key")
    with open(cert_path, "wb") as f:
        f.write(cert.public_bytes(serialization.Encoding.PEM))
    with open(key_path, "wb") as f:
        f.write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    return cert_path, key_path


def main():
    folder = sys.argv[1] if len(sys.argv) > 1 else tempfile.mkdtemp()
    cert_path, key_path = certificate(folder)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert_path, key_path)
    smtp = Controller(Mail(), hostname="127.0.0.1", port=0, tls_context=context, require_starttls=True, authenticator=authenticate,
                      auth_require_tls=True, auth_required=True)
    # aiosmtpd 1.4 takes port 0 literally only through its server's socket: pick a free one.
    import socket
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        smtp.port = probe.getsockname()[1]
    smtp.start()
    ports = {"telegram": serve("telegram", Telegram), "webhook": serve("webhook", Webhook), "control": serve("control", Control),
             "smtp": smtp.port, "ca_file": cert_path, "smtp_user": SMTP_USER, "smtp_password": SMTP_PASSWORD}
    print(json.dumps(ports), flush=True)
    sys.stdin.read()
    smtp.stop()


if __name__ == "__main__":
    main()
