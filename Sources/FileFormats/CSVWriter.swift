// RFC 4180 CSV writing, the inverse of CSVReader: a field is quoted when it holds a comma, a quote, CR or LF
// (quotes doubled inside), records end with LF (as pandas writes them; CSVReader reads LF and CRLF alike).
// Every CSV ldmprobe writes goes through here, so everything it writes reads back field for field.
import Foundation

public enum CSVWriter {
    /// One field, quoted only when it must be.
    public static func field(_ s: String) -> String {
        guard s.unicodeScalars.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else {
            return s
        }
        return "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// One record with its line end. A lone empty field is written `""` so that it is not read as a blank line.
    public static func record(_ fields: [String]) -> String {
        if fields.count == 1 && fields[0].isEmpty { return "\"\"\n" }
        return fields.map(field).joined(separator: ",") + "\n"
    }

    /// A whole table: the header, then every row.
    public static func table(header: [String], rows: [[String]]) -> String {
        var text = record(header)
        for row in rows { text += record(row) }
        return text
    }

    /// Writes a table to `url` atomically (UTF-8).
    public static func write(header: [String], rows: [[String]], to url: URL) throws {
        try AtomicFile.write(table(header: header, rows: rows), to: url)
    }
}
