"""Python's side of the QR code interop test: python-qrcode builds the symbols QRCode.swift builds.

Reads a JSON list of cases on stdin and prints a JSON list of answers, one per case, in order:
  {"text": T, "level": "M", "version": 5, "mask": 3}
      -> {"version": 5, "mask": 3, "matrix": ["0101...", ...], "penalty": P}
  {"text": T, "level": "M"}  (no version or mask: the library chooses both)
      -> the same, plus "penalties": [P0, ..., P7], each mask's penalty on its finished symbol
The text is always one byte-mode segment of its UTF-8 bytes; the matrix rows have no border.
"""
import json
import sys

import qrcode
from qrcode import constants, util

LEVELS = {
    "L": constants.ERROR_CORRECT_L,
    "M": constants.ERROR_CORRECT_M,
    "Q": constants.ERROR_CORRECT_Q,
    "H": constants.ERROR_CORRECT_H,
}


def rows(modules):
    return ["".join("1" if module else "0" for module in row) for row in modules]


def build(case):
    automatic = "version" not in case
    qr = qrcode.QRCode(
        version=case.get("version"),
        error_correction=LEVELS[case["level"]],
        border=0,
        mask_pattern=case.get("mask"),
    )
    # Byte mode forced: left to itself the library would split digits and capitals into
    # numeric and alphanumeric segments, which QRCode.swift does not write.
    qr.add_data(util.QRData(case["text"].encode("utf-8"), mode=util.MODE_8BIT_BYTE))
    qr.make(fit=automatic)
    answer = {"version": qr.version}
    if automatic:
        # make() does not keep the mask it chose; asking again gives the same answer.
        mask = qr.best_mask_pattern()
        # The library scores each mask with the format and version information left light
        # (its makeImpl "test" mode); here each mask is also scored on the finished symbol.
        penalties = []
        for candidate in range(8):
            qr.makeImpl(False, candidate)
            penalties.append(util.lost_point(qr.modules))
        qr.makeImpl(False, mask)
        answer["penalties"] = penalties
    else:
        mask = case["mask"]
    answer["mask"] = mask
    answer["matrix"] = rows(qr.get_matrix())
    answer["penalty"] = util.lost_point(qr.modules)
    return answer


def main():
    json.dump([build(case) for case in json.load(sys.stdin)], sys.stdout)


if __name__ == "__main__":
    main()
