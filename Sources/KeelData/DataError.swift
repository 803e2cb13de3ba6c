import Keel

/// A problem with data that came from outside (a file, a directory, a flag, a spec): the same one-line
/// "path: problem" error as `FileError`, under the name the data layer has always used.
public typealias DataError = FileError
