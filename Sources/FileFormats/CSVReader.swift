// RFC 4180 CSV: fields separated by commas, records by LF or CRLF; a quoted field may hold commas, newlines and
// doubled quotes (""). Text decoding: UTF-8, falling back to ISO-8859-1 when the bytes are not valid UTF-8.
import Foundation

/// How to turn a CSV file's bytes into text.
public enum CSVTextEncoding: String, Sendable {
    /// UTF-8 when the bytes are valid UTF-8, else ISO-8859-1 (every byte is a character).
    case utf8WithLatin1Fallback
    /// ISO-8859-1 always (what pandas' encoding="ISO-8859-1" does; UTF-8 files then read as mojibake).
    case latin1
    /// UTF-8 only; invalid bytes are an error.
    case utf8
}

/// Bounds on one record, so that a malformed or hostile file (say, an unterminated quote in a large file) is an
/// error naming its line rather than a field that swallows the whole file.
public struct CSVLimits: Sendable {
    /// Unicode scalars in one field.
    public var fieldLength: Int
    /// Fields in one record.
    public var fieldCount: Int
    public init(fieldLength: Int = 1 << 20, fieldCount: Int = 10_000) {
        self.fieldLength = fieldLength
        self.fieldCount = fieldCount
    }
}

/// The CSV parser for every table ldmprobe reads (CSVWriter writes what it reads).
public enum CSVReader {
    /// Reads and parses the CSV file at `url`: records of fields with the line each starts on.
    public static func read(_ url: URL, encoding: CSVTextEncoding = .utf8WithLatin1Fallback,
                            limits: CSVLimits = CSVLimits()) throws -> [(line: Int, fields: [String])] {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw FileFormatsError.io(path: url.path, message: FileManager.default.fileExists(atPath: url.path)
                ? "cannot read: \(error.localizedDescription)" : "no such file")
        }
        return try parse(decode(data, encoding: encoding, path: url.path), path: url.path, limits: limits)
    }

    /// Decodes `data` as text. `path` names the file in errors.
    public static func decode(_ data: Data, encoding: CSVTextEncoding, path: String) throws -> String {
        var bytes = [UInt8](data)
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) && encoding != .latin1 { bytes.removeFirst(3) } // UTF-8 BOM
        switch encoding {
        case .utf8, .utf8WithLatin1Fallback:
            if let text = String(validatingUTF8Bytes: bytes) { return text }
            if encoding == .utf8 {
                throw FileFormatsError.csv(path: path, line: 1, reason: "not valid UTF-8 (try the latin1 encoding)")
            }
            return String(latin1Bytes: bytes)
        case .latin1:
            return String(latin1Bytes: bytes)
        }
    }

    /// Parses CSV text into records of fields, each record paired with the 1-based line it starts on.
    /// Blank lines are skipped. Errors: a quote inside an unquoted field, text after a closing quote, or an
    /// unterminated quoted field (naming the line it started on), a field or record beyond `limits`.
    public static func parse(_ text: String, path: String,
                             limits: CSVLimits = CSVLimits()) throws -> [(line: Int, fields: [String])] {
        var records: [(line: Int, fields: [String])] = []
        var fields: [String] = []
        var field: [Unicode.Scalar] = []
        var line = 1, recordLine = 1, quoteLine = 1
        enum State { case fieldStart, unquoted, quoted, quoteInQuoted }
        var state = State.fieldStart
        var recordHasContent = false

        func syntax(_ line: Int, _ reason: String) -> FileFormatsError {
            .csv(path: path, line: line, reason: reason + " (RFC 4180 CSV: a field holding a comma, quote or newline is "
                 + "quoted, with quotes inside doubled)")
        }
        func tooLong() -> FileFormatsError {
            .csv(path: path, line: state == .fieldStart || state == .unquoted ? line : quoteLine,
                 reason: "a field longer than \(limits.fieldLength) characters (an unterminated quote?)")
        }
        func endField() throws {
            guard fields.count < limits.fieldCount else {
                throw FileFormatsError.csv(path: path, line: recordLine,
                    reason: "a record with more than \(limits.fieldCount) fields")
            }
            fields.append(String(String.UnicodeScalarView(field)))
            field.removeAll(keepingCapacity: true)
        }
        func endRecord() throws {
            try endField()
            if recordHasContent || fields.count > 1 { records.append((recordLine, fields)) }
            fields.removeAll()
            recordHasContent = false
        }

        var scalars = Array(text.unicodeScalars)
        if scalars.last != "\n" { scalars.append("\n") }
        var i = 0
        while i < scalars.count {
            let c = scalars[i]
            i += 1
            if c == "\r" && i < scalars.count && scalars[i] == "\n" && state != .quoted { continue } // CRLF → LF
            switch state {
            case .fieldStart, .unquoted:
                if state == .fieldStart && fields.isEmpty && field.isEmpty && !recordHasContent { recordLine = line }
                switch c {
                case ",":
                    recordHasContent = true
                    try endField(); state = .fieldStart
                case "\n":
                    line += 1
                    try endRecord(); state = .fieldStart
                case "\"" where state == .fieldStart:
                    recordHasContent = true
                    quoteLine = line
                    state = .quoted
                case "\"":
                    throw syntax(line, "quote inside an unquoted field")
                default:
                    recordHasContent = true
                    guard field.count < limits.fieldLength else { throw tooLong() }
                    field.append(c); state = .unquoted
                }
            case .quoted:
                if c == "\"" { state = .quoteInQuoted } else {
                    guard field.count < limits.fieldLength else { throw tooLong() }
                    if c == "\n" { line += 1 }
                    field.append(c)
                }
            case .quoteInQuoted:
                switch c {
                case "\"": field.append("\""); state = .quoted
                case ",": try endField(); state = .fieldStart
                case "\n": line += 1; try endRecord(); state = .fieldStart
                default:
                    throw syntax(line, "text after a closing quote")
                }
            }
        }
        if state == .quoted {
            throw syntax(quoteLine, "quoted field never closed")
        }
        return records
    }
}

extension String {
    /// nil unless `bytes` are valid UTF-8.
    init?(validatingUTF8Bytes bytes: [UInt8]) {
        var iterator = bytes.makeIterator()
        var decoder = UTF8()
        var scalars = String.UnicodeScalarView()
        loop: while true {
            switch decoder.decode(&iterator) {
            case let .scalarValue(s): scalars.append(s)
            case .emptyInput: break loop
            case .error: return nil
            }
        }
        self = String(scalars)
    }

    /// Each byte as the Unicode scalar of the same value (ISO-8859-1).
    init(latin1Bytes bytes: [UInt8]) {
        var scalars = String.UnicodeScalarView()
        for b in bytes { scalars.append(Unicode.Scalar(b)) }
        self = String(scalars)
    }
}
