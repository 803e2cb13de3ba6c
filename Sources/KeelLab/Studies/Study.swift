import Foundation
import Keel

/// One statement of a study's claim and whether the data supports it.
public struct Verdict: Codable, Equatable, Sendable {
    /// The statement, as the report shows it.
    public var statement: String
    /// Whether the data supports it.
    public var supported: Bool
    /// The numbers the verdict rests on, in words.
    public var evidence: String
    /// A verdict on `statement`.
    public init(_ statement: String, supported: Bool, evidence: String) {
        self.statement = statement
        self.supported = supported
        self.evidence = evidence
    }
}

/// What a study shows of its numbers: SVG charts, HTML tables and notes.
public struct StudyFigures: Sendable {
    /// Inline SVG documents.
    public var charts: [String] = []
    /// HTML tables.
    public var tables: [String] = []
    /// Notes shown under the charts (setup, caveats).
    public var notes: [String] = []
    /// Lines `keel study` also prints after the verdicts (a ready-to-use setting).
    public var printed: [String] = []
    /// Figures from their parts.
    public init(charts: [String] = [], tables: [String] = [], notes: [String] = [], printed: [String] = []) {
        (self.charts, self.tables, self.notes, self.printed) = (charts, tables, notes, printed)
    }
}

/// A controlled experiment reproducing one classic claim, in three separate steps: `measure` runs the experiments
/// and returns every number as one `Codable` value; `verdicts` judges the claim's statements from that value alone
/// (pure, so it is unit-tested on hand-made measurements); `render` draws charts and tables from it.
public protocol Study: Sendable {
    /// Everything the experiments found; `results.json` holds it as encoded.
    associatedtype Measurement: Codable & Sendable
    /// The command-line name and the report's section id.
    var name: String { get }
    /// The section heading.
    var title: String { get }
    /// The claim, in words, that the study puts to the test.
    var claim: String { get }
    /// Runs the experiments; `progress` receives a fraction in [0, 1] and a message.
    func measure(quick: Bool, seeds: Int, progress: @escaping @Sendable (Double, String) -> Void) throws -> Measurement
    /// The claim's statements, each judged from the numbers.
    func verdicts(_ measurement: Measurement) -> [Verdict]
    /// Charts, tables and notes drawn from the numbers.
    func render(_ measurement: Measurement) -> StudyFigures
}

extension Study {
    /// measure → verdicts → render, as one section of the report.
    public func run(quick: Bool, seeds: Int, progress: @escaping @Sendable (Double, String) -> Void = { _, _ in }) throws -> StudyResult {
        let measurement = try measure(quick: quick, seeds: seeds, progress: progress)
        progress(1, "done")
        return StudyResult(
            name: name, title: title, claim: claim, quick: quick, verdicts: verdicts(measurement),
            figures: render(measurement), measurement: measurement)
    }
}

/// What a study found: the claim, verdicts, figures and the measurement (for results.json).
public struct StudyResult: Sendable {
    /// The study's command-line name (the report's section id).
    public var name: String
    /// The section heading.
    public var title: String
    /// The claim tested.
    public var claim: String
    /// Whether it ran with fewer seeds and epochs.
    public var quick: Bool
    /// The claim's statements, judged.
    public var verdicts: [Verdict]
    /// Charts, tables and notes.
    public var figures: StudyFigures
    /// The study's `Measurement`, written to results.json as "numbers".
    public var measurement: any Encodable & Sendable

    /// A result from its parts.
    public init(
        name: String, title: String, claim: String, quick: Bool, verdicts: [Verdict] = [], figures: StudyFigures = .init(),
        measurement: any Encodable & Sendable
    ) {
        (self.name, self.title, self.claim, self.quick) = (name, title, claim, quick)
        (self.verdicts, self.figures, self.measurement) = (verdicts, figures, measurement)
    }
}

/// One study in results.json.
struct StudyRecord: Encodable {
    var title: String
    var claim: String
    var quick: Bool
    var verdicts: [Verdict]
    var numbers: any Encodable & Sendable

    enum CodingKeys: String, CodingKey { case title, claim, quick, verdicts, numbers }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(title, forKey: .title)
        try c.encode(claim, forKey: .claim)
        try c.encode(quick, forKey: .quick)
        try c.encode(verdicts, forKey: .verdicts)
        try numbers.encode(to: c.superEncoder(forKey: .numbers))
    }
}

/// A small HTML table from a header and rows.
public func htmlTable(_ header: [String], _ rows: [[String]]) -> String {
    "<table><thead><tr>" + header.map { "<th>\(escape($0))</th>" }.joined() + "</tr></thead><tbody>\n"
        + rows.map { "<tr>" + $0.map { "<td>\(escape($0))</td>" }.joined() + "</tr>" }.joined(separator: "\n") + "\n</tbody></table>\n"
}

/// Writes `report.html` (with a table of contents) and `results.json` for the results.
public enum StudyReport {
    /// Writes `report.html` (a table of contents, then each study) and `results.json` into `directory`, atomically.
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
            body += r.figures.tables.joined()
            body += "<div class=\"grid\">" + r.figures.charts.map { "<figure>\($0)</figure>" }.joined(separator: "\n") + "</div>\n"
            body += r.figures.notes.map { "<p class=\"note\">\(escape($0))</p>" }.joined(separator: "\n")
            body += "</section>\n"
        }
        let report = directory.appendingPathComponent("report.html")
        try AtomicFile.write(Data(Report.page(title: "Keel lab report", body: body).utf8), to: report)
        var records: [String: StudyRecord] = [:]
        for r in results {
            records[r.name] = StudyRecord(title: r.title, claim: r.claim, quick: r.quick, verdicts: r.verdicts, numbers: r.measurement)
        }
        let url = directory.appendingPathComponent("results.json")
        try AtomicFile.write(try FiniteJSON.encode(records), to: url)
        return (report, url)
    }
}
