import Foundation

@testable import Keel

/// Reference values committed under Tests/Fixtures (generated offline with PyTorch, float64).
enum Fixtures {
    static let directory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures")

    static func json(_ name: String) -> [String: Any] {
        let data = try! Data(contentsOf: directory.appendingPathComponent(name))
        return try! JSONSerialization.jsonObject(with: data) as! [String: Any]
    }

    static func cases(_ name: String) -> [[String: Any]] { json(name)["cases"] as! [[String: Any]] }

    /// A `{shape, data}` object as a Tensor and as doubles.
    static func tensor(_ value: Any?) -> Tensor {
        let object = value as! [String: Any]
        let shape = object["shape"] as! [Int]
        let data = (object["data"] as! [Any]).map { ($0 as! NSNumber).floatValue }
        return Tensor(shape: shape, scalars: data)
    }

    static func doubles(_ value: Any?) -> [Double] {
        if let object = value as? [String: Any] { return (object["data"] as! [Any]).map { ($0 as! NSNumber).doubleValue } }
        return (value as! [Any]).map { ($0 as! NSNumber).doubleValue }
    }
}
