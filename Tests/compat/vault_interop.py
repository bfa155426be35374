"""Python's side of the vault interop tests: Fernet (cryptography) and bcrypt.

Reads one JSON request on stdin, prints one JSON answer. Secrets travel on stdin, never argv.
  {"op": "fernet_encrypt", "key": K, "plaintext": P}   -> {"token": T}
  {"op": "fernet_decrypt", "key": K, "token": T}       -> {"plaintext": P}
  {"op": "bcrypt_hash", "password": P}                 -> {"hash": H}   (cost 12)
  {"op": "bcrypt_check", "password": P, "hash": H}     -> {"ok": bool}
"""
import json
import sys

import bcrypt
from cryptography.fernet import Fernet


def main():
    request = json.load(sys.stdin)
    op = request["op"]
    if op == "fernet_encrypt":
        answer = {"token": Fernet(request["key"].encode()).encrypt(request["plaintext"].encode()).decode()}
    elif op == "fernet_decrypt":
        answer = {"plaintext": Fernet(request["key"].encode()).decrypt(request["token"].encode()).decode()}
    elif op == "bcrypt_hash":
        answer = {"hash": bcrypt.hashpw(request["password"].encode(), bcrypt.gensalt(rounds=12)).decode()}
    elif op == "bcrypt_check":
        answer = {"ok": bcrypt.checkpw(request["password"].encode(), request["hash"].encode())}
    else:
        raise SystemExit(f"unknown op {op}")
    json.dump(answer, sys.stdout)


if __name__ == "__main__":
    main()
