/// A problem with data that came from outside (a file, a directory, a flag): names the path and what is wrong.
public struct DataError: Error, CustomStringConvertible, Equatable {
    public var path: String
    public var problem: String

    public init(path: String, problem: String) {
        self.path = path
        self.problem = problem
    }

    public var description: String { "\(path): \(problem)" }
}
