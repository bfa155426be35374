"""pyotp's TOTP codes for a base32 secret at the given Unix times (and "now+N" offsets): JSON list."""
import json
import sys
import time

import pyotp

secret, times = sys.argv[1], sys.argv[2:]
totp = pyotp.TOTP(secret)
out = []
for t in times:
    at = time.time() + float(t[3:]) if t.startswith("now") else float(t)
    out.append(totp.at(at))
print(json.dumps(out))
