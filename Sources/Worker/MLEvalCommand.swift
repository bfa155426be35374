import ArgumentParser
import Common
import Foundation

/// `worker ml-eval` (CONTRACT §7): fits a model on one CSV and prints its predictions for another.
struct MLEvalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ml-eval", abstract: "Fit random_forest or linear on a CSV and print one prediction per row of another."
    )

    @Option(help: "random_forest (0/1 target: prints the probability of 1) or linear (prints the value).")
    var model: String
    @Option(help: "Training CSV: a header, numeric columns, the target last.")
    var train: String
    @Option(help: "Test CSV, the same columns.")
    var test: String
    @Option(name: .customLong("param"), help: "k=v: n_estimators, max_depth, min_samples_leaf, max_features, seed (random_forest); ridge (linear).")
    var params: [String] = []

    func run() throws {
        let values = try Self.parameters(params)
        let (trainX, trainY) = try load(train)
        let (testX, _) = try load(test)
        guard trainX.first?.count == testX.first?.count else { throw ValidationError("the two files do not have the same columns") }
        var lines: [String] = []
        switch model {
        case "linear":
            let allowed: Set<String> = ["ridge"]
            guard Set(values.keys).isSubset(of: allowed) else { throw ValidationError("linear takes only ridge") }
            let ridge = values["ridge"] ?? 0
            guard ridge >= 0 else { throw ValidationError("ridge must be 0 or more") }
            let fitted: LinearRegression
            do {
                fitted = try LinearRegression.fit(trainX, trainY, ridge: ridge)
            } catch {
                StreamWriter.standardError.write("worker ml-eval: \(error)\n")
                throw ExitCode(2)
            }
            lines = testX.map { "\(fitted.predict($0))" }
        case "random_forest":
            let allowed: Set<String> = ["n_estimators", "max_depth", "min_samples_leaf", "max_features", "seed"]
            guard Set(values.keys).isSubset(of: allowed) else { throw ValidationError("random_forest takes \(allowed.sorted().joined(separator: ", "))") }
            guard trainY.allSatisfy({ $0 == 0 || $0 == 1 }) else { throw ValidationError("random_forest needs a 0/1 target in the last column") }
            var settings = RandomForest.Settings()
            func whole(_ key: String, _ range: ClosedRange<Double>) throws -> Int? {
                guard let value = values[key] else { return nil }
                guard value == value.rounded(), range.contains(value) else { throw ValidationError("\(key) must be a whole number in \(Int(range.lowerBound))...\(Int(range.upperBound))") }
                return Int(value)
            }
            settings.trees = try whole("n_estimators", 1...10_000) ?? 100
            settings.maxDepth = try whole("max_depth", 1...64) ?? 16
            settings.minSamplesLeaf = try whole("min_samples_leaf", 1...1_000_000) ?? 1
            if let share = values["max_features"] {
                let count = trainX[0].count
                guard share > 0 else { throw ValidationError("max_features must be a count or a fraction above 0") }
                // Below 1: a share of the features; from 1: a count (as scikit-learn's float and int).
                settings.maxFeatures = share < 1 ? max(1, Int(share * Double(count))) : min(count, Int(share))
            }
            settings.seed = UInt64(try whole("seed", 0...Double(UInt32.max)) ?? 0)
            let forest = RandomForest.fit(trainX, trainY, settings: settings)
            lines = testX.map { "\(forest.probability($0))" }
        default:
            throw ValidationError("--model must be random_forest or linear")
        }
        StreamWriter.standardOutput.write(lines.joined(separator: "\n") + "\n")
    }

    /// A CSV with a header and numeric columns; the last is the target.
    func load(_ path: String) throws -> ([[Double]], [Double]) {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { throw ValidationError("cannot read \(path)") }
        var rows = text.split(whereSeparator: \.isNewline).map { $0.split(separator: ",", omittingEmptySubsequences: false) }
        guard rows.count >= 2 else { throw ValidationError("\(path) needs a header and at least one row") }
        let columns = rows.removeFirst().count
        guard columns >= 2 else { throw ValidationError("\(path) needs at least one feature and the target") }
        var x: [[Double]] = []
        var y: [Double] = []
        for (index, row) in rows.enumerated() {
            guard row.count == columns else { throw ValidationError("\(path) line \(index + 2): \(row.count) fields, the header has \(columns)") }
            let values = row.map { Double($0.trimmingCharacters(in: .whitespaces)) }
            guard values.allSatisfy({ $0?.isFinite == true }) else { throw ValidationError("\(path) line \(index + 2): a field is not a number") }
            let numbers = values.map { $0! }
            x.append(Array(numbers.dropLast()))
            y.append(numbers.last!)
        }
        return (x, y)
    }
}
