import Foundation

/// The Fernet master key file (CONTRACT §3): created once, mode 0600, never overwritten. Only the
/// supervisor reads it.
public enum MasterKey {
    public enum Error: Swift.Error, CustomStringConvertible {
        case unreadable(String, String)
        case invalid(String)
        case cannotCreate(String, String)
        case missing(String)

        public var description: String {
            switch self {
            case .unreadable(let path, let reason): "master key \(path) cannot be read: \(reason)"
            case .invalid(let path): "master key \(path) is not a Fernet key (32 bytes of url-safe base64); it was left untouched"
            case .cannotCreate(let path, let reason): "master key \(path) cannot be created: \(reason)"
            case .missing(let path): "master key \(path) does not exist"
            }
        }
    }

    /// Reads the key, creating it first when the file does not exist.
    public static func loadOrCreate(path: String) throws(Error) -> Fernet {
        if !FileManager.default.fileExists(atPath: path) {
            try create(path: path)
        }
        return try load(path: path)
    }

    /// Reads an existing key.
    public static func load(path: String) throws(Error) -> Fernet {
        guard FileManager.default.fileExists(atPath: path) else { throw .missing(path) }
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw .unreadable(path, "\(error.localizedDescription)")
        }
        do {
            return try Fernet(key: text)
        } catch {
            throw .invalid(path)
        }
    }

    /// Writes a new key with `O_EXCL`, so two starts can never overwrite each other's key.
    static func create(path: String, key: String = Fernet.generateKey()) throws(Error) {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            if errno == EEXIST { return }
            throw .cannotCreate(path, String(cString: strerror(errno)))
        }
        defer { close(fd) }
        fchmod(fd, 0o600)
        let bytes = Array((key + "\n").utf8)
        let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        guard written == bytes.count, fsync(fd) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(path)
            throw .cannotCreate(path, reason)
        }
    }
}
