import Foundation

/// What a username and a password must be, with messages that say how to fix them.
public enum CredentialRules {
    public static let minimumPasswordLength = 10

    public enum Problem: Error, Equatable, CustomStringConvertible {
        case usernameLength
        case usernameCharacters
        case passwordTooShort
        case passwordTooLong
        case passwordIsUsername

        public var code: String {
            switch self {
            case .usernameLength, .usernameCharacters: "invalid_username"
            case .passwordTooShort, .passwordTooLong, .passwordIsUsername: "invalid_password"
            }
        }

        public var description: String {
            switch self {
            case .usernameLength: "The username must be 3 to 32 characters long."
            case .usernameCharacters: "The username may contain only letters, digits, dots, dashes and underscores."
            case .passwordTooShort: "The password must be at least \(CredentialRules.minimumPasswordLength) characters long."
            case .passwordTooLong: "The password must be at most \(PasswordHasher.maximumBytes) bytes long (bcrypt reads no more)."
            case .passwordIsUsername: "The password must not be the username."
            }
        }
    }

    public static func check(username: String) throws(Problem) {
        guard (3...32).contains(username.count) else { throw .usernameLength }
        guard username.unicodeScalars.allSatisfy({ $0.isASCII && (CharacterSet.alphanumerics.contains($0) || "._-".unicodeScalars.contains($0)) })
        else { throw .usernameCharacters }
    }

    public static func check(password: String, username: String) throws(Problem) {
        guard password.count >= minimumPasswordLength else { throw .passwordTooShort }
        guard password.utf8.count <= PasswordHasher.maximumBytes else { throw .passwordTooLong }
        guard password.lowercased() != username.lowercased() else { throw .passwordIsUsername }
    }
}
