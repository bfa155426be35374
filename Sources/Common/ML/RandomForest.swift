import Dispatch
import Foundation
import Synchronization

/// A random-forest classifier for 0/1 targets: CART trees on bootstrap samples, Gini impurity,
/// a random subset of features at each split, maximum depth and minimum samples per leaf; the
/// probability of class 1 is the trees' average. Splits are searched over each feature's
/// quantile bins (at most 256), which keeps training linear in the rows; trees are grown on every
/// core, each from its own seed, so a seed gives the same forest whatever the core count.
public struct RandomForest: Sendable {
    public struct Settings: Sendable, Equatable {
        public var trees = 100
        public var maxDepth = 16
        public var minSamplesLeaf = 1
        /// Features tried at each split; nil: √features (as scikit-learn's "sqrt").
        public var maxFeatures: Int?
        public var seed: UInt64 = 0
        public init() {}
    }

    struct Node: Sendable {
        var feature: Int32 = -1
        var threshold = 0.0
        var left: Int32 = -1
        var right: Int32 = -1
        var probability = 0.0
    }

    struct Tree: Sendable {
        var nodes: [Node]

        func predict(_ row: [Double]) -> Double {
            var index = 0
            while nodes[index].feature >= 0 {
                let node = nodes[index]
                index = Int(row[Int(node.feature)] <= node.threshold ? node.left : node.right)
            }
            return nodes[index].probability
        }
    }

    let trees: [Tree]
    public let featureCount: Int
    /// Each feature's share of the impurity decrease, summed over the trees (sums to 1).
    public let featureImportances: [Double]

    public static func fit(_ x: [[Double]], _ y: [Double], settings: Settings = Settings()) -> RandomForest {
        let n = x.count
        let p = x.first?.count ?? 0
        guard n > 0, p > 0 else { return RandomForest(trees: [], featureCount: p, featureImportances: []) }
        let binned = Binned(x, features: p)
        let labels = y.map { $0 > 0.5 ? 1.0 : 0.0 }
        let tryFeatures = max(1, min(p, settings.maxFeatures ?? Int(Double(p).squareRoot())))
        let results = Mutex([(Tree, [Double])?](repeating: nil, count: settings.trees))
        DispatchQueue.concurrentPerform(iterations: settings.trees) { index in
            var random = SplitMix(seed: settings.seed &* 0x9E37_79B9_7F4A_7C15 &+ UInt64(index) &+ 1)
            var weights = [Double](repeating: 0, count: n)
            for _ in 0..<n { weights[random.next(below: n)] += 1 }
            var builder = TreeBuilder(binned: binned, labels: labels, weights: weights, settings: settings, tryFeatures: tryFeatures, random: random)
            let tree = builder.build()
            results.withLock { $0[index] = (tree, builder.importances) }
        }
        let built = results.withLock { $0.compactMap { $0 } }
        var importances = [Double](repeating: 0, count: p)
        for (_, tree) in built { for j in 0..<p { importances[j] += tree[j] } }
        let total = importances.reduce(0, +)
        if total > 0 { importances = importances.map { $0 / total } }
        return RandomForest(trees: built.map(\.0), featureCount: p, featureImportances: importances)
    }

    /// The probability of class 1.
    public func probability(_ row: [Double]) -> Double {
        guard !trees.isEmpty else { return 0.5 }
        return trees.reduce(0) { $0 + $1.predict(row) } / Double(trees.count)
    }
}

/// Every feature cut into at most 256 quantile bins: the candidate thresholds are the bins'
/// upper edges.
struct Binned: Sendable {
    let codes: [[UInt8]]  // per feature, per row
    let edges: [[Double]]  // per feature: the upper edge of each bin

    init(_ x: [[Double]], features: Int) {
        var codes: [[UInt8]] = []
        var edges: [[Double]] = []
        for j in 0..<features {
            let column = x.map { $0[j] }
            let sorted = column.sorted()
            var distinct: [Double] = []
            for value in sorted where distinct.last != value { distinct.append(value) }
            var cuts: [Double]
            if distinct.count <= 256 {
                cuts = distinct
            } else {
                cuts = (1...256).map { k in sorted[min(sorted.count - 1, k * sorted.count / 256 - 1)] }
                var unique: [Double] = []
                for cut in cuts where unique.last != cut { unique.append(cut) }
                cuts = unique
                if cuts.last != distinct.last { cuts.append(distinct.last!) }
            }
            // The threshold between two bins is the midpoint of their values, as CART's.
            var thresholds = cuts
            for k in 0..<(cuts.count - 1) {
                let upper = distinct.first { $0 > cuts[k] } ?? cuts[k]
                thresholds[k] = (cuts[k] + upper) / 2
            }
            edges.append(thresholds)
            codes.append(column.map { value in
                var low = 0
                var high = cuts.count - 1
                while low < high {
                    let mid = (low + high) / 2
                    if value <= cuts[mid] { high = mid } else { low = mid + 1 }
                }
                return UInt8(low)
            })
        }
        self.codes = codes
        self.edges = edges
    }
}

struct TreeBuilder {
    let binned: Binned
    let labels: [Double]
    let weights: [Double]
    let settings: RandomForest.Settings
    let tryFeatures: Int
    var random: SplitMix
    var nodes: [RandomForest.Node] = []
    var importances: [Double]

    init(binned: Binned, labels: [Double], weights: [Double], settings: RandomForest.Settings, tryFeatures: Int, random: SplitMix) {
        self.binned = binned
        self.labels = labels
        self.weights = weights
        self.settings = settings
        self.tryFeatures = tryFeatures
        self.random = random
        importances = [Double](repeating: 0, count: binned.codes.count)
    }

    mutating func build() -> RandomForest.Tree {
        let rows = weights.indices.filter { weights[$0] > 0 }
        _ = grow(rows, depth: 0)
        return RandomForest.Tree(nodes: nodes)
    }

    /// Grows the node for `rows`; returns its index.
    mutating func grow(_ rows: [Int], depth: Int) -> Int32 {
        var total = 0.0
        var positive = 0.0
        for i in rows {
            total += weights[i]
            positive += weights[i] * labels[i]
        }
        let index = Int32(nodes.count)
        nodes.append(RandomForest.Node(probability: total > 0 ? positive / total : 0))
        let minLeaf = Double(settings.minSamplesLeaf)
        guard depth < settings.maxDepth, positive > 0, positive < total, total >= 2 * minLeaf else { return index }
        let parentGini = 1 - (positive / total) * (positive / total) - ((total - positive) / total) * ((total - positive) / total)
        var best: (gain: Double, feature: Int, bin: Int)?
        var features = Array(0..<binned.codes.count)
        for k in 0..<tryFeatures {  // a partial Fisher–Yates shuffle picks the features to try
            let pick = k + random.next(below: features.count - k)
            features.swapAt(k, pick)
        }
        var counts = [Double](repeating: 0, count: 256)
        var positives = [Double](repeating: 0, count: 256)
        for feature in features.prefix(tryFeatures) {
            let codes = binned.codes[feature]
            let bins = binned.edges[feature].count
            guard bins > 1 else { continue }
            for b in 0..<bins {
                counts[b] = 0
                positives[b] = 0
            }
            for i in rows {
                let code = Int(codes[i])
                counts[code] += weights[i]
                positives[code] += weights[i] * labels[i]
            }
            var leftCount = 0.0
            var leftPositive = 0.0
            for b in 0..<(bins - 1) {
                leftCount += counts[b]
                leftPositive += positives[b]
                let rightCount = total - leftCount
                guard leftCount >= minLeaf, rightCount >= minLeaf, counts[b] > 0 || b == 0 else { continue }
                let rightPositive = positive - leftPositive
                let gl = 1 - pow(leftPositive / leftCount, 2) - pow((leftCount - leftPositive) / leftCount, 2)
                let gr = 1 - pow(rightPositive / rightCount, 2) - pow((rightCount - rightPositive) / rightCount, 2)
                let gain = parentGini - (leftCount * gl + rightCount * gr) / total
                if gain > (best?.gain ?? 1e-12) { best = (gain, feature, b) }
            }
        }
        guard let best else { return index }
        importances[best.feature] += best.gain * total
        let codes = binned.codes[best.feature]
        let left = rows.filter { Int(codes[$0]) <= best.bin }
        let right = rows.filter { Int(codes[$0]) > best.bin }
        let leftIndex = grow(left, depth: depth + 1)
        let rightIndex = grow(right, depth: depth + 1)
        nodes[Int(index)].feature = Int32(best.feature)
        nodes[Int(index)].threshold = binned.edges[best.feature][best.bin]
        nodes[Int(index)].left = leftIndex
        nodes[Int(index)].right = rightIndex
        return index
    }
}

/// SplitMix64: small, fast, and the same on every platform for a seed (the forest's bootstraps
/// and feature draws, and the simulator's market data).
public struct SplitMix: Sendable {
    public var state: UInt64
    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    public mutating func next(below bound: Int) -> Int { Int(next() % UInt64(bound)) }

    /// Uniform in [0, 1).
    public mutating func uniform() -> Double { Double(next() >> 11) / Double(1 << 53) }

    /// Standard normal (Box–Muller).
    public mutating func gaussian() -> Double {
        sqrt(-2 * log(max(uniform(), 1e-12))) * cos(2 * .pi * uniform())
    }
}
