"""After `make test`: no log or output of the whole run contains a secret the tests used.

Usage: scan_logs.py ARTIFACTS_DIR

The tests write every secret they hand to the system (simulator API secrets, stored keys' secrets,
master keys, passwords) to ARTIFACTS_DIR/secrets-seen.txt, and keep the logs of every data
directory they used under ARTIFACTS_DIR/run-logs/ (rotated files included); the processes' own
output is in ARTIFACTS_DIR/*.out. Every file under ARTIFACTS_DIR is searched for every secret.
Exits 1 naming the file and the secret's first characters when one is found, and when there was
too little to scan for the check to mean anything.
"""
import os
import sys


def main():
    root = sys.argv[1]
    secrets_file = os.path.join(root, "secrets-seen.txt")
    try:
        with open(secrets_file, encoding="utf-8") as handle:
            secrets = sorted({line.strip() for line in handle if len(line.strip()) >= 8})
    except FileNotFoundError:
        secrets = []
    files, size = [], 0
    for folder, _, names in os.walk(root):
        for name in names:
            path = os.path.join(folder, name)
            if path == secrets_file or name.endswith(".png"):
                continue
            files.append(path)
    logs = [path for path in files if os.sep + "run-logs" + os.sep in path]
    if len(secrets) < 10 or len(logs) < 10:
        print(f"scan_logs: too little to check ({len(secrets)} secrets, {len(logs)} log files): did the tests run?")
        return 1
    found = []
    needles = [(secret, secret.encode()) for secret in secrets]
    for path in files:
        with open(path, "rb") as handle:
            data = handle.read()
        size += len(data)
        for secret, needle in needles:
            if needle in data:
                found.append((path, secret))
    for path, secret in found:
        print(f"scan_logs: a secret ({secret[:4]}…) is in {path}")
    print(f"scan_logs: {len(files)} files ({size / 1e6:.1f} MB, {len(logs)} logs) searched for {len(secrets)} secrets: "
          + (f"{len(found)} found" if found else "none found"))
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
