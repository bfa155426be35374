import Foundation

/// Least squares with an intercept and an optional ridge term (the intercept is not penalised),
/// solved by a Householder QR factorisation of the centred data (augmented with √ridge·I), which
/// keeps the accuracy of numpy's `lstsq` on well-posed problems.
public struct LinearRegression: Sendable {
    public let coefficients: [Double]
    public let intercept: Double

    public enum Failure: Error, CustomStringConvertible, Equatable {
        case empty
        case ragged
        case singular

        public var description: String {
            switch self {
            case .empty: "no training rows"
            case .ragged: "the rows do not all have the same number of features"
            case .singular: "the features are linearly dependent (use a ridge term)"
            }
        }
    }

    public static func fit(_ x: [[Double]], _ y: [Double], ridge: Double = 0) throws(Failure) -> LinearRegression {
        guard let p = x.first?.count, !x.isEmpty, x.count == y.count else { throw .empty }
        guard x.allSatisfy({ $0.count == p }) else { throw .ragged }
        let n = x.count
        var means = [Double](repeating: 0, count: p)
        for row in x { for j in 0..<p { means[j] += row[j] } }
        for j in 0..<p { means[j] /= Double(n) }
        let yMean = y.reduce(0, +) / Double(n)
        guard p > 0 else { return LinearRegression(coefficients: [], intercept: yMean) }
        // The (n + p) × p system, column-major: centred X over √ridge·I; right side centred y over 0.
        let rows = ridge > 0 ? n + p : n
        var a = [Double](repeating: 0, count: rows * p)
        var b = [Double](repeating: 0, count: rows)
        for i in 0..<n {
            for j in 0..<p { a[j * rows + i] = x[i][j] - means[j] }
            b[i] = y[i] - yMean
        }
        if ridge > 0 { for j in 0..<p { a[j * rows + n + j] = ridge.squareRoot() } }
        guard rows >= p else { throw .singular }
        // Householder QR, applying each reflection to b as it is made.
        var diagonal = [Double](repeating: 0, count: p)
        for k in 0..<p {
            var norm = 0.0
            for i in k..<rows { norm += a[k * rows + i] * a[k * rows + i] }
            norm = norm.squareRoot()
            guard norm > 1e-300 else { throw .singular }
            let alpha = a[k * rows + k] > 0 ? -norm : norm
            var v = [Double](repeating: 0, count: rows - k)
            for i in k..<rows { v[i - k] = a[k * rows + i] }
            v[0] -= alpha
            var vNorm = 0.0
            for value in v { vNorm += value * value }
            diagonal[k] = alpha
            guard vNorm > 0 else { continue }
            for j in (k + 1)..<max(k + 1, p) {
                var dot = 0.0
                for i in k..<rows { dot += v[i - k] * a[j * rows + i] }
                let factor = 2 * dot / vNorm
                for i in k..<rows { a[j * rows + i] -= factor * v[i - k] }
            }
            var dot = 0.0
            for i in k..<rows { dot += v[i - k] * b[i] }
            let factor = 2 * dot / vNorm
            for i in k..<rows { b[i] -= factor * v[i - k] }
        }
        let scale = diagonal.map(abs).max() ?? 0
        guard diagonal.allSatisfy({ abs($0) > scale * 1e-12 }) else { throw .singular }
        // Back substitution with R (its diagonal kept apart, its upper part in a).
        var beta = [Double](repeating: 0, count: p)
        for k in stride(from: p - 1, through: 0, by: -1) {
            var sum = b[k]
            for j in (k + 1)..<max(k + 1, p) { sum -= a[j * rows + k] * beta[j] }
            beta[k] = sum / diagonal[k]
        }
        var intercept = yMean
        for j in 0..<p { intercept -= means[j] * beta[j] }
        return LinearRegression(coefficients: beta, intercept: intercept)
    }

    public func predict(_ row: [Double]) -> Double {
        var value = intercept
        for (coefficient, feature) in zip(coefficients, row) { value += coefficient * feature }
        return value
    }
}
