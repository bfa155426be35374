import Common
import Foundation
import Testing

@Suite struct ConfigLoaderTests {
    @Test func defaultsWithoutAFile() async throws {
        let config = try await ConfigLoader.load(file: nil, environment: [:])
        #expect(config == TraderConfig())
        #expect(config.webPort == 8080 && config.simPort == 9090 && config.exchange == .sim && config.dataDir == "var")
    }

    @Test func flagsBeatEnvironmentWhichBeatsTheFile() async throws {
        let dir = try TemporaryDirectory()
        let file = dir.path + "/trader.yaml"
        try "web:\n  port: 8181\n  host: 0.0.0.0\nsim:\n  port: 9191\nexchange: testnet\n".write(toFile: file, atomically: true, encoding: .utf8)
        let fromFile = try await ConfigLoader.load(file: file, environment: [:])
        #expect(fromFile.webPort == 8181 && fromFile.webHost == "0.0.0.0" && fromFile.simPort == 9191 && fromFile.exchange == .testnet)
        let fromEnv = try await ConfigLoader.load(file: file, environment: ["TRADER_WEB_PORT": "8282", "TRADER_EXCHANGE": "sim"])
        #expect(fromEnv.webPort == 8282 && fromEnv.exchange == .sim && fromEnv.simPort == 9191)
        let fromFlag = try await ConfigLoader.load(file: file, flags: ["web.port": "8383"], environment: ["TRADER_WEB_PORT": "8282"])
        #expect(fromFlag.webPort == 8383)
    }

    @Test func theCheckedInFileIsValidAndDocumentsEveryKey() async throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../..").standardized.path
        let file = root + "/etc/trader.yaml"
        let config = try await ConfigLoader.load(file: file, environment: [:])
        #expect(config == TraderConfig())
        let text = try String(contentsOfFile: file, encoding: .utf8)
        for key in ConfigLoader.knownKeys {
            let leaf = String(key.split(separator: ".").last!)
            #expect(text.contains("\(leaf):"), "etc/trader.yaml lacks \(key)")
        }
    }

    @Test(arguments: [
        ("web:\n  port: abc\n", "web.port", "expected a whole number"),
        ("web:\n  port: 70000\n", "web.port", "outside 1...65535"),
        ("exchange: binance\n", "exchange", "expected one of sim, testnet, mainnet"),
        ("exchange: mainnet\n", "exchange.allow_mainnet: true", "real money"),
        ("web:\n  prot: 80\n", "unknown key web.prot", ""),
        ("web: 80\n", "key web must be a mapping", ""),
        ("web:\n  port: [1, 2]\n", "web.port", "single value"),
        ("web: [unclosed\n", "not valid YAML", ""),
        ("supervisor:\n  restart_backoff_initial_ms: 5000\n  restart_backoff_max_ms: 1000\n", "restart_backoff_max_ms", "below"),
    ])
    func fileErrorsNameTheFileTheKeyAndTheProblem(yaml: String, key: String, problem: String) async throws {
        let dir = try TemporaryDirectory()
        let file = dir.path + "/trader.yaml"
        try yaml.write(toFile: file, atomically: true, encoding: .utf8)
        do {
            _ = try await ConfigLoader.load(file: file, environment: [:])
            Issue.record("accepted \(yaml)")
        } catch {
            #expect(error.description.contains(key), "\(error)")
            if !problem.isEmpty { #expect(error.description.contains(problem), "\(error)") }
            if !key.contains("restart_backoff"), !key.contains("allow_mainnet") { #expect(error.description.contains(file), "\(error)") }
        }
    }

    @Test func environmentAndFlagErrorsNameTheirSource() async throws {
        await #expect(throws: ConfigError.self) { try await ConfigLoader.load(file: nil, environment: ["TRADER_WEB_PORT": "x"]) }
        do {
            _ = try await ConfigLoader.load(file: nil, environment: ["TRADER_SIM_PORT": "0"])
        } catch {
            #expect(error.description.contains("TRADER_SIM_PORT"))
        }
        do {
            _ = try await ConfigLoader.load(file: nil, flags: ["web.port": "-1"], environment: [:])
        } catch {
            #expect(error.description.contains("--web-port"))
        }
    }

    @Test func aMissingNamedFileIsAnError() async {
        await #expect(throws: ConfigError.self) { try await ConfigLoader.load(file: "/nonexistent/trader.yaml", environment: [:]) }
    }

    @Test func environmentNamesFollowTheFlags() {
        #expect(ConfigLoader.environmentName(of: "web.port") == "TRADER_WEB_PORT")
        #expect(ConfigLoader.environmentName(of: "data_dir") == "TRADER_DATA_DIR")
        #expect(ConfigLoader.environmentName(of: "master_key_file") == "TRADER_MASTER_KEY_FILE")
        #expect(ConfigLoader.environmentName(of: "bin_dir") == "TRADER_BIN_DIR")
        #expect(ConfigLoader.environmentName(of: "sim.port") == "TRADER_SIM_PORT")
    }

    @Test func mainnetNeedsTheOperatorsWord() async throws {
        let dir = try TemporaryDirectory()
        let file = dir.path + "/trader.yaml"
        try "exchange:\n  mode: mainnet\n  allow_mainnet: true\nmainnet:\n  base_url: http://127.0.0.1:9/\n".write(toFile: file, atomically: true, encoding: .utf8)
        let config = try await ConfigLoader.load(file: file, environment: [:])
        #expect(config.exchange == .mainnet && config.allowMainnet && config.exchangeBaseURL == "http://127.0.0.1:9")
        let fromEnvironment = try await ConfigLoader.load(file: nil, environment: ["TRADER_EXCHANGE": "mainnet", "TRADER_EXCHANGE_ALLOW_MAINNET": "true"])
        #expect(fromEnvironment.exchangeBaseURL == "https://api.binance.com")
        await #expect(throws: ConfigError.self) { try await ConfigLoader.load(file: nil, environment: ["TRADER_EXCHANGE": "mainnet"]) }
    }
}
