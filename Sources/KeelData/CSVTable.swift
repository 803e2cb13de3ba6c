import Foundation
import Keel

/// Labelled tables from CSV files: numeric feature columns and one label column (class names or integers).
///
/// Accepts a header row (column names), no header, or scikit-learn's first line `n_samples,n_features,
/// class names…`. The label column is chosen by name or index (default: the last). Every problem names the
/// file, the row (1-based, as a text editor counts lines) and the column.
public enum CSVTable {
    /// Whether the first row names the columns: detected (`automatic`), or as said.
    public enum Header: Sendable { case automatic, present, absent }
    /// Which column holds the labels.
    public enum LabelColumn: Sendable, Equatable {
        case last
        case index(Int)
        case name(String)
    }

    /// Loads a CSV (or gzipped CSV) file.
    public static func load(_ url: URL, header: Header = .automatic, label: LabelColumn = .last) throws -> TensorDataset {
        let path = url.path
        return try decode(try InputFile.read(url), path: path, header: header, label: label)
    }

    /// Parses CSV file contents, raw or gzipped UTF-8; `path` names the source in errors.
    public static func decode(_ data: Data, path: String, header: Header = .automatic, label: LabelColumn = .last) throws -> TensorDataset {
        try parse(text(of: data, path: path), path: path, header: header, label: label)
    }

    /// A file's contents as CSV text: gunzipped when compressed, refused when binary (a NUL byte) or not UTF-8.
    static func text(of data: Data, path: String) throws -> String {
        var data = data
        if Gzip.isCompressed(data) { data = try Gzip.decompress(data, path: path) }
        if let nul = data.firstIndex(of: 0) {
            throw DataError(path: path, problem: "binary data, not CSV text (a NUL byte at offset \(nul - data.startIndex))")
        }
        guard let text = String(data: data, encoding: .utf8) else { throw DataError(path: path, problem: "not UTF-8 text") }
        return text
    }

    /// The data rows of CSV text with the header removed (column names, or scikit-learn's class names), all of one
    /// width ≥ 2 that the header, when present, matches; `valueColumn` names the non-feature column in errors.
    static func rectangularRows(_ text: String, path: String, header: Header, valueColumn: String) throws
        -> (rows: [Row], columnNames: [String]?, classNames: [String]?, width: Int)
    {
        var rows: [Row] = []
        for (i, line) in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
            if line.trimmingCharacters(in: .whitespaces).isEmpty { continue }
            rows.append((i + 1, try fields(of: String(line), path: path, line: i + 1)))
        }
        guard !rows.isEmpty else { throw DataError(path: path, problem: "empty file (no rows)") }
        let (columnNames, classNames) = try splitHeader(&rows, header)
        guard let width = rows.first?.fields.count else { throw DataError(path: path, problem: "no data rows after the header") }
        guard width >= 2 else { throw DataError(path: path, problem: "needs at least one feature column and a \(valueColumn) column") }
        if let columnNames, columnNames.count != width {
            throw DataError(path: path, problem: "the header has \(columnNames.count) columns but the rows have \(width)")
        }
        for row in rows where row.fields.count != width {
            throw DataError(path: path, problem: "row \(row.number) has \(row.fields.count) columns, expected \(width) (ragged rows)")
        }
        return (rows, columnNames, classNames, width)
    }

    /// The feature columns' names: the header's without the column at `skipping`, or feature_0, feature_1, ….
    static func featureNames(_ columnNames: [String]?, skipping index: Int, width: Int) -> [String] {
        columnNames.map { names in names.enumerated().filter { $0.offset != index }.map(\.element) } ?? (0..<(width - 1)).map { "feature_\($0)" }
    }

    /// Loads a regression table: numeric features and a numeric target column (`target`, default the last); the
    /// dataset's `targets` are [N, 1], its labels all 0.
    public static func loadRegression(_ url: URL, target: LabelColumn = .last) throws -> TensorDataset {
        try parseRegression(text(of: InputFile.read(url), path: url.path), path: url.path, target: target)
    }

    /// Parses a regression table from CSV text (`path` names it in errors).
    public static func parseRegression(_ text: String, path: String, target: LabelColumn = .last) throws -> TensorDataset {
        let (rows, columnNames, _, width) = try rectangularRows(text, path: path, header: .automatic, valueColumn: "target")
        guard rows.count >= 2 else { throw DataError(path: path, problem: "needs at least two data rows") }
        let targetIndex = try labelColumn(target, width: width, columnNames: columnNames, path: path)
        let targetName = columnNames?[targetIndex] ?? "column \(targetIndex + 1)"
        let targets = try rows.map { row -> Float in
            let field = row.fields[targetIndex].trimmingCharacters(in: .whitespaces)
            guard let value = Float(field), value.isFinite, abs(value) <= 1e30 else {
                throw DataError(
                    path: path, problem: "row \(row.number), \(targetName): the regression target must be a finite number, got '\(field.prefix(40))'")
            }
            return value
        }
        let features = try featureValues(rows, skipping: targetIndex, columnNames: columnNames, path: path)
        return TensorDataset(
            features: Tensor(shape: [rows.count, width - 1], scalars: features), labels: [Int32](repeating: 0, count: rows.count),
            classCount: 1, classNames: nil, featureNames: featureNames(columnNames, skipping: targetIndex, width: width),
            targets: Tensor(shape: [rows.count, 1], scalars: targets))
    }

    /// A row of the file: its 1-based line number and its fields.
    typealias Row = (number: Int, fields: [String])

    /// Parses CSV text; `path` names the source in errors.
    public static func parse(_ text: String, path: String, header: Header = .automatic, label: LabelColumn = .last) throws -> TensorDataset {
        let (rows, columnNames, sklearnClasses, width) = try rectangularRows(text, path: path, header: header, valueColumn: "label")
        let labelIndex = try labelColumn(label, width: width, columnNames: columnNames, path: path)
        let (labels, names) = try classLabels(rows, column: labelIndex, classNames: sklearnClasses ?? [], path: path)
        let features = try featureValues(rows, skipping: labelIndex, columnNames: columnNames, path: path)
        return TensorDataset(
            features: Tensor(shape: [rows.count, width - 1], scalars: features), labels: labels,
            classCount: names.count, classNames: names, featureNames: featureNames(columnNames, skipping: labelIndex, width: width))
    }

    /// Removes the header row, if any: scikit-learn's "n_samples,n_features,class names…" (sample and feature counts
    /// that match the file, then class names), a row of names, or none. Returns the column names or class names.
    static func splitHeader(_ rows: inout [Row], _ header: Header) throws -> (columns: [String]?, classes: [String]?) {
        let first = rows[0].fields
        let isNumeric = { (s: String) in Double(s) != nil }
        let sklearn =
            first.count >= 3 && Int(first[0]) != nil && Int(first[1]) != nil && rows.count > 1 && Int(first[0]) == rows.count - 1
            && Int(first[1]) == rows[1].fields.count - 1 && first.dropFirst(2).allSatisfy { !isNumeric($0) }
        switch header {
        case .present:
            rows.removeFirst()
            return (first, nil)
        case .absent:
            return (nil, nil)
        case .automatic:
            if sklearn {
                rows.removeFirst()
                return (nil, Array(first.dropFirst(2)))
            } else if !first.allSatisfy(isNumeric) {
                rows.removeFirst()
                return (first, nil)
            }
            return (nil, nil)
        }
    }

    /// The label column's index.
    static func labelColumn(_ label: LabelColumn, width: Int, columnNames: [String]?, path: String) throws -> Int {
        switch label {
        case .last: return width - 1
        case .index(let i):
            guard i >= 0 && i < width else { throw DataError(path: path, problem: "label column \(i) does not exist (columns 0…\(width - 1))") }
            return i
        case .name(let name):
            guard let names = columnNames else {
                throw DataError(path: path, problem: "label column '\(name)' given by name, but the file has no header row")
            }
            guard let i = names.firstIndex(of: name) else {
                throw DataError(path: path, problem: "label column '\(name)' does not exist; columns: \(names.joined(separator: ", "))")
            }
            return i
        }
    }

    /// Labels: integers kept as they are (class names from a scikit-learn header, else class_N), strings mapped to
    /// classes in order of appearance.
    static func classLabels(_ rows: [Row], column: Int, classNames: [String], path: String) throws -> (labels: [Int32], names: [String]) {
        let raw = rows.map { $0.fields.count > column ? $0.fields[column] : "" }
        var names = classNames
        if raw.allSatisfy({ Int($0).map { $0 >= 0 } ?? false }) {
            // Integer labels are class indices: at most InputLimits.maxClasses classes.
            let values = raw.map { Int($0)! }
            if let k = values.firstIndex(where: { $0 >= InputLimits.maxClasses }) {
                throw DataError(
                    path: path,
                    problem: "row \(rows[k].number), column \(column + 1): label \(values[k]) is not a "
                        + "class index below \(InputLimits.maxClasses) (the most classes Keel trains)")
            }
            let count = values.max()! + 1
            if names.count < count { names += (names.count..<count).map { "class_\($0)" } }
            return (values.map { Int32($0) }, names)
        }
        var index: [String: Int32] = [:]
        var labels: [Int32] = []
        for (k, label) in raw.enumerated() {
            guard !label.isEmpty else { throw DataError(path: path, problem: "row \(rows[k].number), column \(column + 1): missing label") }
            if index[label] == nil {
                guard names.count < InputLimits.maxClasses else {
                    throw DataError(path: path, problem: "more than \(InputLimits.maxClasses) distinct labels in column \(column + 1)")
                }
                index[label] = Int32(names.count)
                names.append(label)
            }
            labels.append(index[label]!)
        }
        return (labels, names)
    }

    /// Every field but the label column as a finite number, row-major.
    static func featureValues(_ rows: [Row], skipping labelIndex: Int, columnNames: [String]?, path: String) throws -> [Float] {
        let featureCount = (rows.first?.fields.count ?? 1) - 1
        var features = [Float](repeating: 0, count: rows.count * featureCount)
        for (r, row) in rows.enumerated() {
            var c = 0
            for (j, field) in row.fields.enumerated() where j != labelIndex {
                let place = "row \(row.number), column \(j + 1)" + (columnNames.map { " ('\($0[j])')" } ?? "")
                guard !field.isEmpty else { throw DataError(path: path, problem: "\(place): missing value") }
                guard let value = Float(field) else { throw DataError(path: path, problem: "\(place): '\(field)' is not a number") }
                guard value.isFinite else { throw DataError(path: path, problem: "\(place): \(field) is not a finite number") }
                features[r * featureCount + c] = value
                c += 1
            }
        }
        return features
    }

    /// The fields of one line (commas; double quotes allowed around a field, "" for a quote inside).
    static func fields(of line: String, path: String, line number: Int) throws -> [String] {
        var result: [String] = []
        var current = ""
        var quoted = false
        var iterator = line.makeIterator()
        while let ch = iterator.next() {
            if quoted {
                if ch == "\"" {
                    var lookahead = iterator
                    if lookahead.next() == "\"" {
                        current.append("\"")
                        iterator = lookahead
                    } else {
                        quoted = false
                    }
                } else {
                    current.append(ch)
                }
            } else if ch == "\"" {
                quoted = true
            } else if ch == "," {
                result.append(current.trimmingCharacters(in: .whitespaces))
                current = ""
            } else {
                current.append(ch)
            }
        }
        if quoted { throw DataError(path: path, problem: "row \(number): unterminated quoted field") }
        result.append(current.trimmingCharacters(in: .whitespaces))
        return result
    }
}

/// The tabular sets shipped with Keel.
public enum EmbeddedTable: String, CaseIterable, Sendable {
    case wine, iris, digits
    /// 442 patients × 10 variables and a disease-progression score: a regression table (`--task regression`).
    case diabetes

    /// The table's file among the package's resources.
    public var url: URL {
        let file = ["wine": "wine_data.csv", "iris": "iris.csv", "digits": "digits.csv.gz", "diabetes": "diabetes.csv"][rawValue]!
        return Bundle.module.resourceURL!.appendingPathComponent("tabular").appendingPathComponent(file)
    }

    /// The table as a dataset (label: the last column).
    public func load() throws -> TensorDataset { try CSVTable.load(url) }
}

/// Photos shipped with Keel (for previews and benchmarks).
public enum EmbeddedPhoto {
    /// flower.jpg, 640×427 RGB (CC BY 2.0).
    public static var flower: URL { Bundle.module.resourceURL!.appendingPathComponent("photos/flower.jpg") }
}
