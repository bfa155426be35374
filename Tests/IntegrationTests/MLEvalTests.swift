import Foundation
import Testing

/// `worker ml-eval` against references made once with numpy and scikit-learn
/// (Tests/CommonTests/Fixtures/ml/make_reference.py).
@Suite(.serialized) struct MLEvalTests {
    static let folder = TestPaths.packageRoot + "/Tests/CommonTests/Fixtures/ml"

    static func predictions(_ arguments: [String]) throws -> [Double] {
        let (status, out, err) = try BacktestCLITests.run(["ml-eval"] + arguments)
        #expect(status == 0, "\(err)")
        return out.split(separator: "\n").compactMap { Double($0) }
    }

    static func lines(_ name: String) throws -> [Double] {
        try String(contentsOfFile: folder + "/" + name, encoding: .utf8).split(separator: "\n").compactMap { Double($0) }
    }

    @Test(arguments: [("0", "linear_ols.txt"), ("2.5", "linear_ridge.txt")])
    func linearEqualsNumpysLeastSquares(ridge: String, reference: String) throws {
        let ours = try Self.predictions(["--model", "linear", "--train", Self.folder + "/linear_train.csv", "--test", Self.folder + "/linear_test.csv", "--param", "ridge=\(ridge)"])
        let numpy = try Self.lines(reference)
        #expect(ours.count == 100 && numpy.count == 100)
        for (a, b) in zip(ours, numpy) { #expect(abs(a - b) <= 1e-8 * max(1, abs(b)), "\(a) vs \(b)") }
    }

    @Test func randomForestAccuracyIsWithinTwoPointsOfScikitLearn() throws {
        let reference = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: Self.folder + "/rf_reference.json"))) as! [String: Any]
        let sklearn = reference["sklearn_accuracy"] as! Double
        let arguments = ["--model", "random_forest", "--train", Self.folder + "/rf_train.csv", "--test", Self.folder + "/rf_test.csv",
                         "--param", "n_estimators=50", "--param", "max_depth=6", "--param", "min_samples_leaf=1", "--param", "seed=0"]
        let probabilities = try Self.predictions(arguments)
        let test = try String(contentsOfFile: Self.folder + "/rf_test.csv", encoding: .utf8).split(separator: "\n").dropFirst().map { Double($0.split(separator: ",").last!)! }
        #expect(probabilities.count == test.count)
        #expect(probabilities.allSatisfy { (0...1).contains($0) })
        let accuracy = Double(zip(probabilities, test).filter { ($0 >= 0.5 ? 1.0 : 0.0) == $1 }.count) / Double(test.count)
        #expect(abs(accuracy - sklearn) <= 0.02, "ours \(accuracy), scikit-learn \(sklearn)")
        // The same seed, the same forest.
        #expect(try Self.predictions(arguments) == probabilities)
    }

    @Test func badInputIsRefusedClearly() throws {
        let (status, _, err) = try BacktestCLITests.run(["ml-eval", "--model", "random_forest", "--train", Self.folder + "/linear_train.csv", "--test", Self.folder + "/linear_test.csv"])
        #expect(status != 0 && err.contains("0/1 target"), "\(err)")
        let other = try BacktestCLITests.run(["ml-eval", "--model", "svm", "--train", Self.folder + "/rf_train.csv", "--test", Self.folder + "/rf_test.csv"])
        #expect(other.0 != 0 && other.2.contains("random_forest or linear"))
    }
}
