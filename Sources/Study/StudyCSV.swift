// The study's CSV tables (metrics.csv, per_image_metrics.csv, split.csv, gaps.csv) are written and read here
// only: RFC 4180 — a field holding a comma, quote, CR or LF is quoted, quotes doubled; read with
// FileFormats.CSVReader.
import FileFormats
import Foundation

enum StudyCSV {
    /// Writes header + rows atomically (every row must have the header's width).
    static func write(header: [String], rows: [[String]], to url: URL) throws {
        var text = header.map(csvField).joined(separator: ",") + "\n"
        for r in rows { text += r.map(csvField).joined(separator: ",") + "\n" }
        try AtomicFile.write(text, to: url)
    }

    /// The records after a header that must equal `header`; each record has the header's width.
    static func read(_ url: URL, header: [String]) throws -> [(line: Int, fields: [String])] {
        guard let data = try? Data(contentsOf: url) else {
            throw StudyError.badInput("\(url.path): cannot read (hint: written by a probe study)")
        }
        let records: [(line: Int, fields: [String])]
        do {
            records = try CSVReader.parse(try CSVReader.decode(data, encoding: .utf8, path: url.path), path: url.path)
        } catch { throw StudyError.badInput("\(error)") }
        guard let first = records.first, first.fields == header else {
            throw StudyError.badInput("\(url.path): expected the header \(header.joined(separator: ","))")
        }
        for r in records.dropFirst() where r.fields.count != header.count {
            throw StudyError.badInput("\(url.path) line \(r.line): \(r.fields.count) fields, expected \(header.count)")
        }
        return Array(records.dropFirst())
    }
}

func csvField(_ s: String) -> String {
    s.unicodeScalars.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" })
        ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
}
