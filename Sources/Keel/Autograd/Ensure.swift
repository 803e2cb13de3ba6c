/// Stops the program with `message` when `condition` is false — in every build configuration.
///
/// Used for programmer errors (shape mismatches, bad axes): the message names the op and the shapes
/// involved. Unlike `precondition`, whose message is dropped in optimized builds, the message always
/// reaches standard error.
@inline(__always)
func ensure(
    _ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String,
    file: StaticString = #fileID, line: UInt = #line
) {
    if !condition() { fatalError(message(), file: file, line: line) }
}
