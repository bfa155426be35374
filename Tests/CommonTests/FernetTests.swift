import Common
import Foundation
import Testing

/// The specification's vectors (from github.com/fernet/spec via ../shared/testdata/fernet; a
/// copy is kept in Fixtures/ so the tests do not depend on where the checkout sits).
@Suite struct FernetTests {
    struct Vector: Decodable {
        let token: String
        let now: String
        let secret: String
        let src: String?
        let iv: [UInt8]?
        let ttl_sec: Double?
        let desc: String?
    }

    static func vectors(_ name: String) throws -> [Vector] {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("Fixtures/fernet/\(name).json")
        return try JSONDecoder().decode([Vector].self, from: Data(contentsOf: url))
    }

    static func date(_ text: String) throws -> Date {
        try #require(ISO8601DateFormatter().date(from: text))
    }

    @Test func generatesTheSpecificationTokens() throws {
        for vector in try Self.vectors("generate") {
            let fernet = try Fernet(key: vector.secret)
            let token = fernet.encrypt(Data(vector.src!.utf8), now: try Self.date(vector.now), iv: vector.iv)
            #expect(token == vector.token)
        }
    }

    @Test func verifiesTheSpecificationTokens() throws {
        for vector in try Self.vectors("verify") {
            let fernet = try Fernet(key: vector.secret)
            let plain = try fernet.decrypt(vector.token, ttl: vector.ttl_sec, now: try Self.date(vector.now))
            #expect(String(decoding: plain, as: UTF8.self) == vector.src)
        }
    }

    @Test func refusesEveryInvalidToken() throws {
        let vectors = try Self.vectors("invalid")
        #expect(vectors.count == 8)
        for vector in vectors {
            let fernet = try Fernet(key: vector.secret)
            #expect(throws: Fernet.Error.self, "\(vector.desc ?? "")") {
                try fernet.decrypt(vector.token, ttl: vector.ttl_sec, now: try Self.date(vector.now))
            }
        }
    }

    @Test func roundTripsWithARandomKeyAndRefusesAnotherKey() throws {
        let fernet = try Fernet(key: Fernet.generateKey())
        let token = fernet.encrypt("api-secret-ü")
        #expect(try fernet.decryptString(token) == "api-secret-ü")
        let other = try Fernet(key: Fernet.generateKey())
        #expect(throws: Fernet.Error.invalidToken) { try other.decryptString(token) }
    }

    @Test func refusesMalformedKeys() {
        #expect(throws: Fernet.Error.invalidKey) { try Fernet(key: "short") }
        #expect(throws: Fernet.Error.invalidKey) { try Fernet(key: String(repeating: "A", count: 43) + "!") }
    }

    @Test func masterKeyIsCreatedOnceWithMode0600() throws {
        let dir = try TemporaryDirectory()
        let path = dir.path + "/secrets/master.key"
        try FileManager.default.createDirectory(atPath: dir.path + "/secrets", withIntermediateDirectories: true)
        let first = try MasterKey.loadOrCreate(path: path)
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let second = try MasterKey.loadOrCreate(path: path)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == text)
        #expect(try second.decryptString(first.encrypt("x")) == "x")
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        #expect(Base64URL.decode(text.trimmingCharacters(in: .newlines))?.count == 32)
    }

    @Test func invalidMasterKeyIsReportedAndLeftAlone() throws {
        let dir = try TemporaryDirectory()
        let path = dir.path + "/master.key"
        try "not a key".write(toFile: path, atomically: true, encoding: .utf8)
        #expect(throws: MasterKey.Error.self) { try MasterKey.loadOrCreate(path: path) }
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "not a key")
    }
}
