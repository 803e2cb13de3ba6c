import Foundation
import Keel

/// One statement of a study's claim and whether the data supports it.
public struct Verdict: Sendable {
    public var statement: String
    public var supported: Bool
    public var evidence: String
    public init(_ statement: String, supported: Bool, evidence: String) {
        self.statement = statement
        self.supported = supported
        self.evidence = evidence
    }
}

/// What a study found: the claim, verdicts, charts (SVG), tables (HTML) and every number (for results.json).
public struct StudyResult: Sendable {
    public var name: String
    public var title: String
    public var claim: String
    public var quick: Bool
    public var verdicts: [Verdict] = []
    public var charts: [String] = []
    public var tables: [String] = []
    public var notes: [String] = []
    /// JSON-serializable numbers.
    public var numbers: [String: any Sendable] = [:]

    public init(name: String, title: String, claim: String, quick: Bool) {
        self.name = name
        self.title = title
        self.claim = claim
        self.quick = quick
    }
}

/// A controlled experiment reproducing one of the seed's claims.
public protocol Study: Sendable {
    /// The command-line name and the report's section id.
    var name: String { get }
    /// The section heading.
    var title: String { get }
    /// The seed's claim, in words, that the study puts to the test.
    var claim: String { get }
    /// Runs the study; `progress` receives a fraction in [0, 1] and a message.
    func run(quick: Bool, seeds: Int, progress: @escaping @Sendable (Double, String) -> Void) throws -> StudyResult
}

extension Study {
    /// A result with this study's name, title and claim, and nothing found yet.
    public func emptyResult(quick: Bool) -> StudyResult { StudyResult(name: name, title: title, claim: claim, quick: quick) }
}

/// A small HTML table from a header and rows.
public func htmlTable(_ header: [String], _ rows: [[String]]) -> String {
    "<table><thead><tr>" + header.map { "<th>\(escape($0))</th>" }.joined() + "</tr></thead><tbody>\n"
        + rows.map { "<tr>" + $0.map { "<td>\(escape($0))</td>" }.joined() + "</tr>" }.joined(separator: "\n") + "\n</tbody></table>\n"
}

/// Writes `report.html` (with a table of contents) and `results.json` for the results.
public enum StudyReport {
    public static func write(_ results: [StudyResult], to directory: URL) throws -> (report: URL, json: URL) {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        var body = "<h1>Keel lab report</h1>\n"
        if results.contains(where: \.quick) {
            body += "<p class=\"note\"><strong>Quick run:</strong> fewer seeds and epochs than the full studies; numbers are indicative.</p>\n"
        }
        body += "<nav><h2>Contents</h2><ol>" + results.map { "<li><a href=\"#\($0.name)\">\(escape($0.title))</a></li>" }.joined() + "</ol></nav>\n"
        for r in results {
            body += "<section id=\"\(r.name)\"><h2>\(escape(r.title))\(r.quick ? " (quick)" : "")</h2>\n"
            body += "<p><strong>Claim.</strong> \(escape(r.claim))</p>\n"
            let refuted = r.verdicts.filter { !$0.supported }
            body +=
                "<p><strong>Verdict.</strong> The data supports \(r.verdicts.count - refuted.count) of \(r.verdicts.count) statements"
                + (refuted.isEmpty ? ".</p>\n" : "; not supported: " + refuted.map { escape($0.statement) }.joined(separator: "; ") + ".</p>\n")
            if !r.verdicts.isEmpty {
                body += "<table><thead><tr><th>statement</th><th>verdict</th><th>evidence</th></tr></thead><tbody>\n"
                for v in r.verdicts {
                    body +=
                        "<tr><td>\(escape(v.statement))</td><td class=\"\(v.supported ? "verdict-yes" : "verdict-no")\">"
                        + "\(v.supported ? "supported" : "not supported")</td><td>\(escape(v.evidence))</td></tr>\n"
                }
                body += "</tbody></table>\n"
            }
            body += r.tables.joined()
            body += "<div class=\"grid\">" + r.charts.map { "<figure>\($0)</figure>" }.joined(separator: "\n") + "</div>\n"
            body += r.notes.map { "<p class=\"note\">\(escape($0))</p>" }.joined(separator: "\n")
            body += "</section>\n"
        }
        let report = directory.appendingPathComponent("report.html")
        try AtomicFile.write(Data(Report.page(title: "Keel lab report", body: body).utf8), to: report)
        var json: [String: Any] = [:]
        for r in results {
            json[r.name] = [
                "title": r.title, "claim": r.claim, "quick": r.quick,
                "verdicts": r.verdicts.map { ["statement": $0.statement, "supported": $0.supported, "evidence": $0.evidence] },
                "numbers": jsonSafe(r.numbers),
            ]
        }
        let url = directory.appendingPathComponent("results.json")
        try AtomicFile.write(try JSONSerialization.data(withJSONObject: json, options: [.prettyPrinted, .sortedKeys]), to: url)
        return (report, url)
    }
}

/// JSON has no NaN or infinity: they are written as null ("no value", e.g. a diverged run or a target never reached).
func jsonSafe(_ value: Any) -> Any {
    switch value {
    case let v as Double: return v.isFinite ? v : NSNull()
    case let v as Float: return v.isFinite ? Double(v) : NSNull()
    case let v as [String: any Sendable]: return v.mapValues(jsonSafe)
    case let v as [String: Any]: return v.mapValues(jsonSafe)
    case let v as [any Sendable]: return v.map(jsonSafe)
    case let v as [Any]: return v.map(jsonSafe)
    default: return value
    }
}
