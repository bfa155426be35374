import Foundation
import Testing

@testable import Common

/// TOTP against RFC 6238's test vectors, a code accepted within one step and once, base32
/// against RFC 4648's, the enrolment URI, and the recovery codes' form.
@Suite struct TOTPTests {
    static let rfcSecret = Array("12345678901234567890".utf8)

    @Test(arguments: [
        (59, "94287082"), (1_111_111_109, "07081804"), (1_111_111_111, "14050471"), (1_234_567_890, "89005924"), (2_000_000_000, "69279037"),
        (20_000_000_000, "65353130"),
    ] as [(Int64, String)])
    func rfc6238Vectors(_ time: Int64, _ code: String) {
        #expect(TOTP.code(secret: Self.rfcSecret, counter: TOTP.step(at: Date(timeIntervalSince1970: Double(time))), digits: 8) == code)
        #expect(TOTP.code(secret: Self.rfcSecret, counter: TOTP.step(at: Date(timeIntervalSince1970: Double(time)))) == String(code.suffix(6)))
    }

    @Test func aCodeIsAcceptedWithinOneStepAndOnce() {
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let step = TOTP.step(at: now)
        let code = TOTP.code(secret: Self.rfcSecret, counter: step)
        #expect(TOTP.verify(code, secret: Self.rfcSecret, at: now, usedStep: nil) == step)
        #expect(TOTP.verify(" \(code.prefix(3)) \(code.suffix(3)) ", secret: Self.rfcSecret, at: now, usedStep: nil) == step, "spaces as apps show them")
        #expect(TOTP.verify(code, secret: Self.rfcSecret, at: now.addingTimeInterval(30), usedStep: nil) == step, "one step late")
        #expect(TOTP.verify(code, secret: Self.rfcSecret, at: now.addingTimeInterval(-30), usedStep: nil) == step, "one step early")
        #expect(TOTP.verify(code, secret: Self.rfcSecret, at: now.addingTimeInterval(61), usedStep: nil) == nil, "two steps late")
        #expect(TOTP.verify(code, secret: Self.rfcSecret, at: now, usedStep: step) == nil, "used already")
        #expect(TOTP.verify(code, secret: Self.rfcSecret, at: now, usedStep: step + 1) == nil, "a later one was used")
        #expect(TOTP.verify("12345", secret: Self.rfcSecret, at: now, usedStep: nil) == nil)
        #expect(TOTP.verify("abcdef", secret: Self.rfcSecret, at: now, usedStep: nil) == nil)
        #expect(TOTP.verify("١٢٣٤٥٦", secret: Self.rfcSecret, at: now, usedStep: nil) == nil, "digits are ASCII")
        #expect(TOTP.newSecret().count == 20 && TOTP.newSecret() != TOTP.newSecret())
    }

    @Test func base32AndTheEnrolmentURI() {
        let vectors = ["": "", "f": "MY", "fo": "MZXQ", "foo": "MZXW6", "foob": "MZXW6YQ", "fooba": "MZXW6YTB", "foobar": "MZXW6YTBOI"]
        for (plain, encoded) in vectors {
            #expect(Base32.encode(Array(plain.utf8)) == encoded)
            #expect(Base32.decode(encoded) == Array(plain.utf8))
        }
        #expect(Base32.decode("mzxw 6ytb oi==") == Array("foobar".utf8))
        #expect(Base32.decode("MZXW1") == nil)
        #expect(
            TOTP.uri(secret: Array("foobar".utf8), account: "alice smith")
                == "otpauth://totp/Crypto%20Trader%20Pro:alice%20smith?secret=MZXW6YTBOI&issuer=Crypto%20Trader%20Pro&algorithm=SHA1&digits=6&period=30")
    }

    @Test func recoveryCodesAreTenDistinctAndTypedLoosely() {
        let codes = RecoveryCodes.make()
        #expect(codes.count == 10 && Set(codes).count == 10)
        for code in codes {
            #expect(code.count == 14 && code.split(separator: "-").count == 3 && RecoveryCodes.looksLikeOne(code))
            #expect(RecoveryCodes.normalized(" " + code.uppercased().replacingOccurrences(of: "-", with: " ")) == code.replacingOccurrences(of: "-", with: ""))
        }
        #expect(!RecoveryCodes.looksLikeOne("123456") && !RecoveryCodes.looksLikeOne("abcd-efgh-ijk1"), "no i, l, 1, 0, o")
    }
}
