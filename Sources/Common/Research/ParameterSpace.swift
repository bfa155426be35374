import Foundation

/// A set of parameter values by name (numbers; whole-number parameters hold whole values).
public typealias ParameterSet = [String: Double]

/// What is wrong with a search space, an objective or a walk-forward: said so a user can fix it.
public struct ResearchError: Error, Sendable, Equatable, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// A parameter a strategy declares: the bounds any search must stay inside, and whether it is a
/// whole number.
public struct ParameterBounds: Sendable, Equatable {
    public let name: String
    public let lower: Double
    public let upper: Double
    public let whole: Bool

    public init(_ name: String, _ lower: Double, _ upper: Double, whole: Bool) {
        self.name = name
        self.lower = lower
        self.upper = upper
        self.whole = whole
    }
}

/// One searched parameter, `name=lo:hi[:step]`: `lo` to `hi` inclusive, by `step` when given
/// (a whole-number parameter steps by 1 unless told otherwise); without a step a decimal
/// parameter is continuous and only sampled.
public struct ParameterRange: Sendable, Equatable {
    public let name: String
    public let lower: Double
    public let upper: Double
    public let step: Double?

    public init(name: String, lower: Double, upper: Double, step: Double?) {
        self.name = name
        self.lower = lower
        self.upper = upper
        self.step = step
    }

    /// The most values a stepped range may have.
    public static let maxValues = 1_000_000

    /// Reads `name=lo:hi[:step]`, checked against the strategy's declared bounds.
    public static func parse(_ text: String, declared: [ParameterBounds], strategy: String) throws(ResearchError) -> ParameterRange {
        let parts = text.split(separator: "=", maxSplits: 1).map { String($0).trimmingCharacters(in: .whitespaces) }
        guard parts.count == 2, !parts[0].isEmpty else { throw ResearchError("--space \(text): expected name=lo:hi or name=lo:hi:step") }
        let name = parts[0]
        guard let bounds = declared.first(where: { $0.name == name }) else {
            throw ResearchError("--space \(name): \(strategy) has no parameter \(name) to search (it has \(declared.map(\.name).joined(separator: ", ")))")
        }
        let numbers = parts[1].split(separator: ":", omittingEmptySubsequences: false).map { Double($0.trimmingCharacters(in: .whitespaces)) }
        guard numbers.count == 2 || numbers.count == 3, numbers.allSatisfy({ $0?.isFinite == true }) else {
            throw ResearchError("--space \(name)=\(parts[1]): expected lo:hi or lo:hi:step, each a number")
        }
        let lower = numbers[0]!
        let upper = numbers[1]!
        let step = numbers.count == 3 ? numbers[2]! : nil
        guard lower <= upper else { throw ResearchError("--space \(name): the low end \(Self.text(lower)) is above the high end \(Self.text(upper))") }
        guard lower >= bounds.lower, upper <= bounds.upper else {
            throw ResearchError("--space \(name): \(Self.text(lower))…\(Self.text(upper)) leaves \(strategy)'s bounds \(Self.text(bounds.lower))…\(Self.text(bounds.upper))")
        }
        if let step {
            guard step > 0 else { throw ResearchError("--space \(name): the step must be above 0") }
            guard (upper - lower) / step < Double(maxValues) else {
                throw ResearchError("--space \(name): \(Self.text(lower))…\(Self.text(upper)) by \(Self.text(step)) is more than \(maxValues) values; use a larger step")
            }
        }
        if bounds.whole {
            guard lower == lower.rounded(), upper == upper.rounded(), (step ?? 1) == (step ?? 1).rounded() else {
                throw ResearchError("--space \(name): a whole-number parameter needs whole lo, hi and step")
            }
            return ParameterRange(name: name, lower: lower, upper: upper, step: step ?? 1)
        }
        return ParameterRange(name: name, lower: lower, upper: upper, step: step)
    }

    /// The values of a stepped range, lowest first; nil for a continuous one.
    public var values: [Double]? {
        guard let step else { return lower == upper ? [lower] : nil }
        let count = Int(((upper - lower) / step + 1e-9).rounded(.down)) + 1
        return (0..<count).map { Self.clean(lower + Double($0) * step) }
    }

    /// Removes binary noise from `lo + i·step` (0.1 + 2·0.1 reads 0.3).
    static func clean(_ value: Double) -> Double {
        let rounded = (value * 1e10).rounded() / 1e10
        return abs(rounded - value) < 1e-9 * max(1, abs(value)) ? rounded : value
    }

    static func text(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
    }
}

/// The searched ranges of one strategy, and the sets a search may try: every combination when
/// the grid is small, otherwise distinct seeded samples; sets breaking the strategy's
/// constraints are never produced.
public struct SearchSpace: Sendable {
    public let ranges: [ParameterRange]
    let admits: @Sendable (ParameterSet) -> Bool

    public init(ranges: [ParameterRange], admits: @escaping @Sendable (ParameterSet) -> Bool = { _ in true }) {
        self.ranges = ranges.sorted { $0.name < $1.name }
        self.admits = admits
    }

    /// The number of grid points, nil when a range is continuous (or the grid is astronomically large).
    public var gridSize: Int? {
        var size = 1
        for range in ranges {
            guard let values = range.values else { return nil }
            let (product, overflow) = size.multipliedReportingOverflow(by: values.count)
            guard !overflow, product <= 10_000_000 else { return nil }
            size = product
        }
        return size
    }

    /// Every admitted combination, in a fixed order (the first range varies slowest).
    public func grid() -> [ParameterSet] {
        var sets: [ParameterSet] = [[:]]
        for range in ranges {
            let values = range.values ?? [range.lower]
            sets = sets.flatMap { set in values.map { set.merging([range.name: $0]) { $1 } } }
        }
        return sets.filter(admits)
    }

    /// Up to `count` distinct admitted sets drawn with `seed` (``SplitMix``: the same sets on
    /// every machine and toolchain); fewer when the space has fewer.
    public func sample(_ count: Int, seed: UInt64) -> [ParameterSet] {
        var random = SplitMix(seed: seed)
        var seen = Set<[Double]>()
        var sets: [ParameterSet] = []
        var attempts = 0
        while sets.count < count, attempts < count * 200 {
            attempts += 1
            var set: ParameterSet = [:]
            for range in ranges {
                if let values = range.values {
                    set[range.name] = values[random.next(below: values.count)]
                } else {
                    set[range.name] = range.lower + random.uniform() * (range.upper - range.lower)
                }
            }
            let key = ranges.map { set[$0.name]! }
            guard admits(set), seen.insert(key).inserted else { continue }
            sets.append(set)
        }
        return sets
    }
}
