// The check every hostile-input test makes (issue 14): the input is refused with an error, not a trap, and the
// error is one line that says what went wrong (and names the file, when there is one).
import XCTest

extension XCTestCase {
    /// Asserts that `body` throws an error whose description is one line containing `expected` (and `file`).
    func assertOneLineError(_ expected: String, naming file: String? = nil, _ body: () throws -> Void,
                            sourceFile: StaticString = #filePath, line: UInt = #line) {
        do {
            try body()
            XCTFail("no error; expected one containing '\(expected)'", file: sourceFile, line: line)
        } catch {
            let message = "\(error)"
            print("  error: \(message)")
            XCTAssertFalse(message.contains("\n"), "not one line: \(message)", file: sourceFile, line: line)
            XCTAssertTrue(message.contains(expected), "'\(expected)' not in: \(message)", file: sourceFile, line: line)
            if let file { XCTAssertTrue(message.contains(file), "does not name \(file): \(message)", file: sourceFile, line: line) }
        }
    }
}
