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

/// A small CSV parser for the dataset files.
public enum CSVReader {
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
    /// unterminated quoted field (naming the line it started on).
    public static func parse(_ text: String, path: String) throws -> [(line: Int, fields: [String])] {
        var records: [(line: Int, fields: [String])] = []
        var fields: [String] = []
        var field: [Unicode.Scalar] = []
        var line = 1, recordLine = 1, quoteLine = 1
        enum State { case fieldStart, unquoted, quoted, quoteInQuoted }
        var state = State.fieldStart
        var recordHasContent = false

        func endField() {
            fields.append(String(String.UnicodeScalarView(field)))
            field.removeAll(keepingCapacity: true)
        }
        func endRecord() {
            endField()
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
                    endField(); state = .fieldStart
                case "\n":
                    line += 1
                    endRecord(); state = .fieldStart
                case "\"" where state == .fieldStart:
                    recordHasContent = true
                    quoteLine = line
                    state = .quoted
                case "\"":
                    throw FileFormatsError.csv(path: path, line: line, reason: "quote inside an unquoted field")
                default:
                    recordHasContent = true
                    field.append(c); state = .unquoted
                }
            case .quoted:
                if c == "\"" { state = .quoteInQuoted } else {
                    if c == "\n" { line += 1 }
                    field.append(c)
                }
            case .quoteInQuoted:
                switch c {
                case "\"": field.append("\""); state = .quoted
                case ",": endField(); state = .fieldStart
                case "\n": line += 1; endRecord(); state = .fieldStart
                default:
                    throw FileFormatsError.csv(path: path, line: line, reason: "text after a closing quote")
                }
            }
        }
        if state == .quoted {
            throw FileFormatsError.csv(path: path, line: quoteLine, reason: "quoted field never closed")
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
