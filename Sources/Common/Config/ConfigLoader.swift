import Configuration
import Foundation
import SystemPackage
import Yams

/// A configuration problem, with where it came from: the file and key, the environment variable,
/// or the flag. Processes print it and exit non-zero before starting anything.
public struct ConfigError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// Layers the configuration: flags beat `TRADER_…` environment variables, which beat the YAML
/// file, which beats the defaults of ``TraderConfig``.
public enum ConfigLoader {
    /// The keys `trader.yaml` may hold, as dotted paths.
    public static var knownKeys: [String] { ConfigTable.entries.map(\.path) }

    /// The environment variable that overrides a key (`web.port` → `TRADER_WEB_PORT`).
    public static func environmentName(of path: String) -> String? {
        ConfigTable.entries.first { $0.path == path }?.environmentName
    }

    /// Loads and validates the configuration.
    /// - Parameters:
    ///   - file: the YAML file; `nil` uses `etc/trader.yaml` when it exists.
    ///   - flags: values given on the command line, keyed by dotted path (`web.port`).
    ///   - environment: the process environment.
    public static func load(
        file: String?,
        flags: [String: String] = [:],
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) async throws(ConfigError) -> TraderConfig {
        let filePath = file ?? environment["TRADER_CONFIG"] ?? defaultFile()
        let yaml = try await loadFile(filePath, required: file != nil || environment["TRADER_CONFIG"] != nil)
        var config = TraderConfig()
        // Every layer's value is validated, even one a higher layer overrides, so that a bad
        // value in the file is reported rather than waiting for the day the flag is dropped.
        for entry in ConfigTable.entries {
            for (value, origin) in try lookup(entry, flags: flags, environment: environment, yaml: yaml, filePath: filePath) {
                do {
                    try entry.apply(&config, value)
                } catch {
                    throw ConfigError("\(origin): \((error as? ConfigValueError)?.reason ?? "\(error)")")
                }
            }
        }
        // The database's password may stay out of the URL (and so out of the file): its own variable.
        if config.database != nil, config.database?.password == nil, let password = environment["TRADER_DATABASE_PASSWORD"], !password.isEmpty {
            config.database?.password = password
        }
        if config.restartBackoffMaxMs < config.restartBackoffInitialMs {
            throw ConfigError(
                "supervisor.restart_backoff_max_ms (\(config.restartBackoffMaxMs)) is below supervisor.restart_backoff_initial_ms (\(config.restartBackoffInitialMs))"
            )
        }
        if config.exchange == .mainnet, !config.allowMainnet {
            throw ConfigError(
                "exchange: mainnet trades real money on Binance; it runs only when the configuration also says exchange.allow_mainnet: true")
        }
        if config.heartbeatTimeoutMs <= config.workerHeartbeatIntervalMs {
            throw ConfigError(
                "supervisor.heartbeat_timeout_ms (\(config.heartbeatTimeoutMs)) must exceed worker.heartbeat_interval_ms (\(config.workerHeartbeatIntervalMs))"
            )
        }
        return config
    }

    private static func defaultFile() -> String? {
        FileManager.default.fileExists(atPath: "etc/trader.yaml") ? "etc/trader.yaml" : nil
    }

    /// The values a key has in each layer, lowest precedence first (file, environment, flag).
    private static func lookup(
        _ entry: ConfigEntry,
        flags: [String: String],
        environment: [String: String],
        yaml: FileProvider<YAMLSnapshot>?,
        filePath: String?
    ) throws(ConfigError) -> [(String, String)] {
        var values: [(String, String)] = []
        if let yaml, let filePath {
            let origin = "\(filePath): key \(entry.path)"
            do {
                let result = try yaml.value(forKey: AbsoluteConfigKey(entry.path.split(separator: ".").map(String.init)), type: .string)
                if case .string(let text)? = result.value?.content { values.append((text, origin)) }
            } catch {
                // A key that is also a mapping's name (`exchange`, beside `exchange.mode`) is read from its children then.
                let parent = ConfigTable.entries.contains { $0.path.hasPrefix(entry.path + ".") }
                if !parent { throw ConfigError("\(origin): expected a single value (\(error))") }
            }
        }
        if let value = environment[entry.environmentName] {
            values.append((value, "environment variable \(entry.environmentName)"))
        }
        if let value = flags[entry.path] {
            values.append((value, "flag \(entry.flagName)"))
        }
        return values
    }

    private static func loadFile(_ path: String?, required: Bool) async throws(ConfigError) -> FileProvider<YAMLSnapshot>? {
        guard let path else { return nil }
        guard FileManager.default.fileExists(atPath: path) else {
            if required { throw ConfigError("\(path): configuration file not found") }
            return nil
        }
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw ConfigError("\(path): cannot be read as UTF-8 text")
        }
        try checkKeys(text, path: path)
        do {
            return try await FileProvider<YAMLSnapshot>(filePath: FilePath(path))
        } catch {
            throw ConfigError("\(path): \(error)")
        }
    }

    /// Refuses keys this version does not know, so that a typo is not silently ignored.
    private static func checkKeys(_ text: String, path: String) throws(ConfigError) {
        let document: Any?
        do {
            document = try Yams.load(yaml: text)
        } catch {
            throw ConfigError("\(path): not valid YAML: \(error)")
        }
        guard let document else { return }
        guard let mapping = document as? [String: Any] else {
            throw ConfigError("\(path): the top level must be a mapping of keys to values")
        }
        let known = Set(knownKeys)
        let prefixes = Set(
            knownKeys.flatMap { key in
                let parts = key.split(separator: ".")
                return (1..<max(parts.count, 1)).map { parts.prefix($0).joined(separator: ".") }
            })
        func walk(_ node: [String: Any], prefix: String) throws(ConfigError) {
            for (key, value) in node.sorted(by: { $0.key < $1.key }) {
                let full = prefix.isEmpty ? key : "\(prefix).\(key)"
                if let child = value as? [String: Any] {
                    guard prefixes.contains(full) else {
                        throw ConfigError("\(path): unknown key \(full) (known keys: \(knownKeys.joined(separator: ", ")))")
                    }
                    try walk(child, prefix: full)
                } else {
                    guard known.contains(full) else {
                        if prefixes.contains(full) {
                            throw ConfigError("\(path): key \(full) must be a mapping, not a single value")
                        }
                        throw ConfigError("\(path): unknown key \(full) (known keys: \(knownKeys.joined(separator: ", ")))")
                    }
                    if value is [Any] || value is NSNull {
                        throw ConfigError("\(path): key \(full): expected a single value")
                    }
                }
            }
        }
        try walk(mapping, prefix: "")
    }
}
