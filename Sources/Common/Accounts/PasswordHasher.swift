import Dispatch
import Foundation
import HummingbirdBcrypt

/// Passwords at rest: bcrypt (`$2b$`, cost 12), which Python's `bcrypt.checkpw` accepts.
///
/// bcrypt holds its thread for a quarter of a second or more, so both calls run on a dispatch
/// queue of their own and never on an event loop or the cooperative pool.
public enum PasswordHasher {
    public static let cost: UInt8 = 12
    /// bcrypt reads at most this many bytes of a password (``CredentialRules`` refuses longer).
    public static let maximumBytes = 72
    private static let queue = DispatchQueue(label: "password-hasher", qos: .userInitiated, attributes: .concurrent)

    public static func hash(_ password: String, cost: UInt8 = PasswordHasher.cost) async -> String {
        await withCheckedContinuation { continuation in
            queue.async { continuation.resume(returning: Bcrypt.hash(password, cost: cost)) }
        }
    }

    public static func verify(_ password: String, hash: String) async -> Bool {
        // A hash that is not bcrypt's never matches (and never reaches the C code malformed).
        guard hash.hasPrefix("$2"), hash.utf8.count == 60 else { return false }
        return await withCheckedContinuation { continuation in
            queue.async { continuation.resume(returning: Bcrypt.verify(password, hash: hash)) }
        }
    }

    /// A hash of no one's password, checked when the username is unknown, so that an unknown
    /// user and a wrong password take the same time.
    public static let decoyHash = Bcrypt.hash(SecureToken.random(), cost: cost)
}
