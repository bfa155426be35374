import Foundation

/// Opening the master key safely at start, and rotating it (`supervisor rotate-master-key`).
///
/// Rotation, each step durable before the next:
/// 1. the new key is written to `master.key.new` (0600, fsync);
/// 2. every token is re-encrypted with it in one transaction;
/// 3. the old key is copied to `master.key.old`, and `master.key.new` renamed over `master.key`;
/// 4. `master.key.old` is removed.
/// A crash anywhere leaves either the old tokens with the old key, or the new tokens with the new
/// key on disk; ``recover(keyFile:store:)`` (run at every start and before every rotation) finds
/// which and finishes or undoes the rotation. Nothing ever deletes or overwrites a token that the
/// key at hand cannot decrypt.
public enum MasterKeyVault {
    public enum Error: Swift.Error, CustomStringConvertible {
        case key(MasterKey.Error)
        case missingWithTokens(path: String, tokens: Int)
        case wrongKey(path: String, failed: Int, of: Int)
        case undecidable(String)
        case io(String)

        public var description: String {
            switch self {
            case .key(let error): "\(error)"
            case .missingWithTokens(let path, let tokens):
                "master key \(path) is missing but \(tokens) stored exchange-key tokens were encrypted with it; restore the file from a backup (a new key would make them unreadable). Nothing was changed."
            case .wrongKey(let path, let failed, let total):
                "master key \(path) does not decrypt \(failed) of the \(total) stored exchange-key tokens: it is not the key they were made with. Restore the right key; nothing was changed."
            case .undecidable(let reason): "an interrupted master-key rotation cannot be finished: \(reason). Nothing was changed."
            case .io(let reason): reason
            }
        }
    }

    /// Where a rotation may be interrupted (tests make it stop there).
    public enum Step: String, Sendable {
        case newKeyWritten = "new_key_written"
        case tokensCommitted = "tokens_committed"
        case oldKeyCopied = "old_key_copied"
        case keyReplaced = "key_replaced"
    }

    public static func newKeyPath(_ keyFile: String) -> String { keyFile + ".new" }
    public static func oldKeyPath(_ keyFile: String) -> String { keyFile + ".old" }

    /// The supervisor's start: finishes an interrupted rotation, creates the key only when no
    /// token exists, and refuses a key that decrypts none of the stored tokens.
    public static func open(keyFile: String, store: any ExchangeKeyStore) throws(Error) -> (fernet: Fernet, undecryptable: Int) {
        try recover(keyFile: keyFile, store: store)
        let tokens = try tokens(store)
        if !FileManager.default.fileExists(atPath: keyFile) {
            guard tokens.isEmpty else { throw .missingWithTokens(path: keyFile, tokens: tokens.count) }
            do { try MasterKey.create(path: keyFile) } catch { throw .key(error) }
        }
        let fernet: Fernet
        do { fernet = try MasterKey.load(path: keyFile) } catch { throw .key(error) }
        let failed = tokens.filter { !decrypts(fernet, $0) }.count
        if failed > 0, failed == tokens.count { throw .wrongKey(path: keyFile, failed: failed, of: tokens.count) }
        return (fernet, failed)
    }

    /// Re-encrypts every token with a new key; returns how many tokens.
    @discardableResult
    public static func rotate(
        keyFile: String, store: any ExchangeKeyStore, interruptAt: (@Sendable (Step) throws -> Void)? = nil
    ) throws -> Int {
        try recover(keyFile: keyFile, store: store)
        let old: Fernet
        do { old = try MasterKey.load(path: keyFile) } catch { throw Error.key(error) }
        let tokens = try tokens(store)
        let failed = tokens.filter { !decrypts(old, $0) }.count
        if failed > 0 { throw Error.wrongKey(path: keyFile, failed: failed, of: tokens.count) }

        let newKey = Fernet.generateKey()
        let new = try Fernet(key: newKey)
        do { try MasterKey.create(path: newKeyPath(keyFile), key: newKey) } catch { throw Error.key(error) }
        try syncDirectory(of: keyFile)
        try interruptAt?(.newKeyWritten)

        let count = try store.reencryptAll { token in new.encrypt(try old.decrypt(token)) }
        try interruptAt?(.tokensCommitted)

        try finish(keyFile: keyFile, interruptAt: interruptAt)
        return count
    }

    /// Finishes or undoes an interrupted rotation; does nothing when none was under way.
    public static func recover(keyFile: String, store: any ExchangeKeyStore) throws(Error) {
        let newPath = newKeyPath(keyFile)
        let oldPath = oldKeyPath(keyFile)
        let fm = FileManager.default
        if fm.fileExists(atPath: newPath) {
            let tokens = try tokens(store)
            guard let new = try? MasterKey.load(path: newPath) else {
                // A half-written new key: the transaction cannot have used it.
                guard tokens.allSatisfy({ token in (try? MasterKey.load(path: keyFile)).map { decrypts($0, token) } ?? false }) else {
                    throw .undecidable("\(newPath) is unreadable and \(keyFile) does not decrypt every token")
                }
                unlink(newPath)
                return
            }
            let current = try? MasterKey.load(path: keyFile)
            if !tokens.isEmpty, tokens.allSatisfy({ decrypts(new, $0) }) {
                // The tokens were committed: make the new key the key.
                try finish(keyFile: keyFile, interruptAt: nil)
            } else if let current, tokens.allSatisfy({ decrypts(current, $0) }) {
                // The transaction never committed (or there are no tokens): drop the new key.
                unlink(newPath)
                try syncDirectory(of: keyFile)
            } else {
                throw .undecidable("neither \(keyFile) nor \(newPath) decrypts every stored token")
            }
        } else if fm.fileExists(atPath: oldPath) {
            // The new key is in place; the copy of the old one is no longer needed once the
            // current key decrypts every token.
            let tokens = try tokens(store)
            guard let current = try? MasterKey.load(path: keyFile), tokens.allSatisfy({ decrypts(current, $0) }) else {
                throw .undecidable("\(keyFile) does not decrypt every stored token; \(oldPath) was kept")
            }
            unlink(oldPath)
            try syncDirectory(of: keyFile)
        }
    }

    /// Steps 3 and 4: keep a copy of the old key until the new one is in place, then drop it.
    static func finish(keyFile: String, interruptAt: (@Sendable (Step) throws -> Void)?) throws(Error) {
        let newPath = newKeyPath(keyFile)
        let oldPath = oldKeyPath(keyFile)
        if FileManager.default.fileExists(atPath: keyFile), !FileManager.default.fileExists(atPath: oldPath) {
            guard let text = try? String(contentsOfFile: keyFile, encoding: .utf8) else { throw .io("cannot read \(keyFile)") }
            do { try MasterKey.create(path: oldPath, key: text.trimmingCharacters(in: .whitespacesAndNewlines)) } catch { throw .key(error) }
        }
        do { try interruptAt?(.oldKeyCopied) } catch { throw .io("\(error)") }
        guard rename(newPath, keyFile) == 0 else { throw .io("cannot rename \(newPath) to \(keyFile): \(String(cString: strerror(errno)))") }
        try syncDirectory(of: keyFile)
        do { try interruptAt?(.keyReplaced) } catch { throw .io("\(error)") }
        unlink(oldPath)
        try syncDirectory(of: keyFile)
    }

    static func tokens(_ store: any ExchangeKeyStore) throws(Error) -> [String] {
        do { return try store.allTokens() } catch { throw .io("cannot read the stored exchange keys: \(error)") }
    }

    static func decrypts(_ fernet: Fernet, _ token: String) -> Bool {
        (try? fernet.decrypt(token)) != nil
    }

    static func syncDirectory(of path: String) throws(Error) {
        let fd = Foundation.open((path as NSString).deletingLastPathComponent, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw .io("cannot open the folder of \(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        fsync(fd)
    }
}
