import Foundation
import KeelTestSupport
import Testing

@testable import Keel
@testable import KeelData

struct CSVTableTests {
    @Test func embeddedTablesLoad() throws {
        let wine = try EmbeddedTable.wine.load()
        #expect(wine.count == 178 && wine.sampleShape == [13] && wine.classCount == 3)
        #expect(wine.classNames == ["class_0", "class_1", "class_2"])
        #expect(wine.features[0, 12] == 1065)
        let iris = try EmbeddedTable.iris.load()
        #expect(iris.count == 150 && iris.sampleShape == [4] && iris.classNames == ["setosa", "versicolor", "virginica"])
        let digits = try EmbeddedTable.digits.load()
        #expect(digits.count == 1797 && digits.sampleShape == [64] && digits.classCount == 10)
        #expect(digits.features.max().scalar == 16)
    }

    @Test func headersLabelColumnsAndStringClasses() throws {
        let text = "length,colour,weight\n1.5,red,2\n2.5,blue,3\n3.5,red,4\n"
        let byName = try CSVTable.parse(text, path: "t.csv", label: .name("colour"))
        #expect(byName.sampleShape == [2])
        #expect(byName.labels == [0, 1, 0])
        #expect(byName.classNames == ["red", "blue"])
        #expect(byName.featureNames == ["length", "weight"])
        #expect(byName.features.scalars == [1.5, 2, 2.5, 3, 3.5, 4])
        let byIndex = try CSVTable.parse("1,2,0\n3,4,1\n", path: "t.csv", label: .index(2))
        #expect(byIndex.labels == [0, 1] && byIndex.features.scalars == [1, 2, 3, 4])
        let quoted = try CSVTable.parse("a,b\n\"1.5\",\"x, y\"\n2,z\n", path: "q.csv", label: .name("b"))
        #expect(quoted.classNames == ["x, y", "z"])
    }

    @Test func badTablesNameRowAndColumn() {
        func problem(_ text: String, label: CSVTable.LabelColumn = .last) -> String {
            do {
                _ = try CSVTable.parse(text, path: "bad.csv", label: label)
                return ""
            } catch { return "\(error)" }
        }
        #expect(problem("").contains("empty file"))
        #expect(problem("a,b,c\n1,2,0\n3,4\n").contains("row 3 has 2 columns, expected 3"))
        #expect(problem("a,b,c\n1,x,0\n").contains("row 2, column 2 ('b'): 'x' is not a number"))
        #expect(problem("a,b,c\n1,,0\n").contains("row 2, column 2 ('b'): missing value"))
        #expect(problem("a,b,c\n1,nan,0\n").contains("not a finite number"))
        #expect(problem("a,b,c\n1,2,0\n", label: .name("species")).contains("label column 'species' does not exist"))
        #expect(problem("1,2,0\n", label: .index(5)).contains("label column 5 does not exist"))
        #expect(problem("1,2,0\n", label: .name("x")).contains("no header row"))
        #expect(problem("a,b\n\"1,0\n").contains("unterminated quoted field"))
        #expect(problem("a,b,c\n1,x,0\n").hasPrefix("bad.csv: "))
    }

    @Test func stratifiedSplitsAreDisjointAndProportional() throws {
        let iris = try EmbeddedTable.iris.load()
        let parts = iris.split(validation: 0.2, test: 0.2, seed: 3, stratified: true)
        #expect(parts.train.count == 90 && parts.validation.count == 30 && parts.test.count == 30)
        for c in 0..<3 { #expect(parts.test.labels.filter { $0 == Int32(c) }.count == 10) }
        let rows = { (d: TensorDataset) in (0..<d.count).map { d.samples([$0]).scalars } }
        let all = rows(parts.train) + rows(parts.validation) + rows(parts.test)
        #expect(all.count == 150)
        let again = iris.split(validation: 0.2, test: 0.2, seed: 3, stratified: true)
        #expect(rows(again.test) == rows(parts.test))
        #expect(rows(iris.split(validation: 0.2, test: 0.2, seed: 4, stratified: true).test) != rows(parts.test))
    }
}

struct NormalizerMethodTests {
    static let features = Tensor([[1, 10, 5], [3, 30, 5], [2, 20, 5], [6, 60, 5]])

    @Test(arguments: Normalizer.Method.allCases)
    func fitsAppliesAndInverts(_ method: Normalizer.Method) throws {
        let n = try Normalizer.fit(method, on: Self.features)
        let y = n.apply(Self.features)
        #expect(y.shape == Self.features.shape)
        #expect(n.inverse(y).isClose(to: Self.features, relativeTolerance: 1e-5, absoluteTolerance: 1e-5))
        let decoded = try JSONDecoder().decode(Normalizer.self, from: JSONEncoder().encode(n))
        #expect(decoded == n)  // exact round trip of every statistic
        switch method {
        case .minmax:
            #expect(y.min(axes: [0]).scalars == [0, 0, 0] && y.max(axes: [0]).scalars == [1, 1, 0])
        case .minmaxSymmetric:
            #expect(y.min(axes: [0]).scalars == [-1, -1, 0] && y.max(axes: [0]).scalars == [1, 1, 0])
        case .standard:
            #expect(y.mean(axes: [0]).scalars.allSatisfy { Swift.abs($0) < 1e-6 })
            let std = y.variance(axes: [0], correction: 0).scalars
            #expect(Swift.abs(std[0] - 1) < 1e-5 && Swift.abs(std[1] - 1) < 1e-5 && std[2] == 0)  // constant: centred only
        case .log:
            #expect(Swift.abs(y[0, 0] - Float(Foundation.log(2.0))) < 1e-6)
        case .signedLog:
            #expect(n.apply(Tensor([[-3, 3, 0]])).scalars.map { ($0 * 1e5).rounded() / 1e5 } == [-1.38629, 1.38629, 0])
        case .none:
            #expect(y.scalars == Self.features.scalars)
        }
    }

    @Test func perChannelStatisticsForImages() throws {
        var g = KeelRandom(seed: 1)
        let images =
            Tensor.normal([20, 3, 4, 4], generator: &g) * Tensor(shape: [1, 3, 1, 1], scalars: [1, 5, 10])
            + Tensor(shape: [1, 3, 1, 1], scalars: [0, 100, -50])
        let n = try Normalizer.fit(.standard, on: images)
        #expect(n.channels == 3)
        let y = n.apply(images)
        for c in 0..<3 {
            let channel = y.slice(axis: 1, c..<(c + 1))
            #expect(Swift.abs(channel.mean().scalar) < 1e-4)
            #expect(Swift.abs(channel.variance(correction: 0).scalar - 1) < 1e-4)
        }
    }

    @Test func logRejectsValuesAtOrBelowMinusOne() {
        #expect(throws: DataError.self) { try Normalizer.fit(.log, on: Tensor([[-2, 1]])) }
    }

    @Test func statisticsComeFromTheTrainingSplitOnly() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("keel-norm-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let wine = try String(contentsOf: EmbeddedTable.wine.url, encoding: .utf8)
        let original = directory.appendingPathComponent("wine.csv")
        try wine.write(to: original, atomically: true, encoding: .utf8)
        let first = try PreparedData.prepare(
            .table(path: original.path, labelColumn: nil), normalize: .standard,
            validationFraction: 0.2, seed: 5)
        // Change every test row wildly: the fitted statistics must not move.
        var lines = wine.split(separator: "\n").map(String.init)
        let testRows = Set((0..<first.rawTest.count).map { first.rawTest.samples([$0]).scalars })
        for i in 1..<lines.count {
            let values = lines[i].split(separator: ",").map { Float($0)! }
            if testRows.contains(Array(values.dropLast())) {
                lines[i] = (values.dropLast().map { "\($0 * 1000 + 7)" } + ["\(Int(values.last!))"]).joined(separator: ",")
            }
        }
        let changed = directory.appendingPathComponent("wine-changed.csv")
        try lines.joined(separator: "\n").write(to: changed, atomically: true, encoding: .utf8)
        let second = try PreparedData.prepare(
            .table(path: changed.path, labelColumn: nil), normalize: .standard,
            validationFraction: 0.2, seed: 5)
        #expect(second.normalizer == first.normalizer)
        #expect(second.rawTest.samples(Array(0..<second.rawTest.count)).scalars != first.rawTest.samples(Array(0..<first.rawTest.count)).scalars)
        // A normalizer that does not fit the data is refused.
        let iris = Normalizer(method: .standard, shift: [0, 0, 0, 0], scale: [1, 1, 1, 1])
        #expect(throws: DataError.self) {
            try PreparedData.prepare(
                .table(path: original.path, labelColumn: nil), normalize: .standard,
                validationFraction: 0, seed: 5, normalizer: iris)
        }
    }
}
