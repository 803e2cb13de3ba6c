import Foundation
import Keel

/// Labelled tables from CSV files: numeric feature columns and one label column (class names or integers).
///
/// Accepts a header row (column names), no header, or scikit-learn's first line `n_samples,n_features,
/// class names…`. The label column is chosen by name or index (default: the last). Every problem names the
/// file, the row (1-based, as a text editor counts lines) and the column.
public enum CSVTable {
    public enum Header: Sendable { case automatic, present, absent }
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
        var data = data
        if Gzip.isCompressed(data) { data = try Gzip.decompress(data, path: path) }
        if let nul = data.firstIndex(of: 0) {
            throw DataError(path: path, problem: "binary data, not CSV text (a NUL byte at offset \(nul - data.startIndex))")
        }
        guard let text = String(data: data, encoding: .utf8) else { throw DataError(path: path, problem: "not UTF-8 text") }
        return try parse(text, path: path, header: header, label: label)
    }

    /// Parses CSV text; `path` names the source in errors.
    public static func parse(_ text: String, path: String, header: Header = .automatic, label: LabelColumn = .last) throws -> TensorDataset {
        var lines: [(number: Int, fields: [String])] = []
        for (i, line) in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty { continue }
            lines.append((i + 1, try fields(of: String(line), path: path, line: i + 1)))
        }
        guard !lines.isEmpty else { throw DataError(path: path, problem: "empty file (no rows)") }

        // Header: scikit-learn's "n_samples,n_features,class names…", a row of names, or none.
        var columnNames: [String]?
        var classNames: [String]?
        let first = lines[0].fields
        let isNumeric = { (s: String) in Double(s) != nil }
        // scikit-learn's layout: sample and feature counts that match the file, then class names (not numbers).
        let sklearn =
            first.count >= 3 && Int(first[0]) != nil && Int(first[1]) != nil && lines.count > 1 && Int(first[0]) == lines.count - 1
            && Int(first[1]) == lines[1].fields.count - 1 && first.dropFirst(2).allSatisfy { !isNumeric($0) }
        switch header {
        case .present:
            columnNames = first
            lines.removeFirst()
        case .absent:
            break
        case .automatic:
            if sklearn {
                classNames = Array(first.dropFirst(2))
                lines.removeFirst()
            } else if !first.allSatisfy(isNumeric) {
                columnNames = first
                lines.removeFirst()
            }
        }
        guard let width = lines.first?.fields.count else { throw DataError(path: path, problem: "no data rows after the header") }
        guard width >= 2 else { throw DataError(path: path, problem: "needs at least one feature column and a label column") }
        if let columnNames, columnNames.count != width {
            throw DataError(path: path, problem: "the header has \(columnNames.count) columns but the rows have \(width)")
        }
        for line in lines where line.fields.count != width {
            throw DataError(path: path, problem: "row \(line.number) has \(line.fields.count) columns, expected \(width) (ragged rows)")
        }
        let labelIndex: Int
        switch label {
        case .last: labelIndex = width - 1
        case .index(let i):
            guard i >= 0 && i < width else { throw DataError(path: path, problem: "label column \(i) does not exist (columns 0…\(width - 1))") }
            labelIndex = i
        case .name(let name):
            guard let names = columnNames else {
                throw DataError(path: path, problem: "label column '\(name)' given by name, but the file has no header row")
            }
            guard let i = names.firstIndex(of: name) else {
                throw DataError(path: path, problem: "label column '\(name)' does not exist; columns: \(names.joined(separator: ", "))")
            }
            labelIndex = i
        }

        // Labels: integers kept as they are (class names from a scikit-learn header), strings mapped in order of appearance.
        let rawLabels = lines.map { $0.fields.count > labelIndex ? $0.fields[labelIndex] : "" }
        var labels: [Int32] = []
        var names: [String] = classNames ?? []
        if rawLabels.allSatisfy({ Int($0).map { $0 >= 0 } ?? false }) {
            // Integer labels are class indices: at most InputLimits.maxClasses classes.
            let values = rawLabels.map { Int($0)! }
            if let k = values.firstIndex(where: { $0 >= InputLimits.maxClasses }) {
                throw DataError(
                    path: path,
                    problem: "row \(lines[k].number), column \(labelIndex + 1): label \(values[k]) is not a "
                        + "class index below \(InputLimits.maxClasses) (the most classes Keel trains)")
            }
            labels = values.map { Int32($0) }
            let count = values.max()! + 1
            if names.count < count { names += (names.count..<count).map { "class_\($0)" } }
        } else {
            var index: [String: Int32] = [:]
            for (k, raw) in rawLabels.enumerated() {
                guard !raw.isEmpty else {
                    throw DataError(path: path, problem: "row \(lines[k].number), column \(labelIndex + 1): missing label")
                }
                if index[raw] == nil {
                    guard names.count < InputLimits.maxClasses else {
                        throw DataError(path: path, problem: "more than \(InputLimits.maxClasses) distinct labels in column \(labelIndex + 1)")
                    }
                    index[raw] = Int32(names.count)
                    names.append(raw)
                }
                labels.append(index[raw]!)
            }
        }

        let featureCount = width - 1
        var features = [Float](repeating: 0, count: lines.count * featureCount)
        for (r, line) in lines.enumerated() {
            var c = 0
            for (j, field) in line.fields.enumerated() where j != labelIndex {
                let columnName = columnNames.map { " ('\($0[j])')" } ?? ""
                guard !field.isEmpty else {
                    throw DataError(path: path, problem: "row \(line.number), column \(j + 1)\(columnName): missing value")
                }
                guard let value = Float(field) else {
                    throw DataError(path: path, problem: "row \(line.number), column \(j + 1)\(columnName): '\(field)' is not a number")
                }
                guard value.isFinite else {
                    throw DataError(path: path, problem: "row \(line.number), column \(j + 1)\(columnName): \(field) is not a finite number")
                }
                features[r * featureCount + c] = value
                c += 1
            }
        }
        var featureNames = columnNames.map { names in names.enumerated().filter { $0.offset != labelIndex }.map(\.element) }
        if featureNames == nil { featureNames = (0..<featureCount).map { "feature_\($0)" } }
        return TensorDataset(
            features: Tensor(shape: [lines.count, featureCount], scalars: features), labels: labels,
            classCount: names.count, classNames: names, featureNames: featureNames)
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

    public var url: URL {
        let file = ["wine": "wine_data.csv", "iris": "iris.csv", "digits": "digits.csv.gz"][rawValue]!
        return Bundle.module.resourceURL!.appendingPathComponent("tabular").appendingPathComponent(file)
    }

    public func load() throws -> TensorDataset { try CSVTable.load(url) }
}

/// Photos shipped with Keel (for previews and benchmarks).
public enum EmbeddedPhoto {
    /// flower.jpg, 640×427 RGB (CC BY 2.0).
    public static var flower: URL { Bundle.module.resourceURL!.appendingPathComponent("photos/flower.jpg") }
}
