// The study's CSV tables (metrics.csv, per_image_metrics.csv, split.csv, gaps.csv) go through FileFormats'
// RFC 4180 writer and reader; here only the study's own check: the header must be the expected one and every
// record as wide as it.
import FileFormats
import Foundation

enum StudyCSV {
    /// Writes header + rows atomically (every row must have the header's width).
    static func write(header: [String], rows: [[String]], to url: URL) throws {
        try CSVWriter.write(header: header, rows: rows, to: url)
    }

    /// The records after a header that must equal `header`; each record has the header's width.
    static func read(_ url: URL, header: [String]) throws -> [(line: Int, fields: [String])] {
        let records: [(line: Int, fields: [String])]
        do { records = try CSVReader.read(url, encoding: .utf8) } catch {
            throw StudyError.badInput("\(error) (hint: written by a probe study)")
        }
        guard let first = records.first, first.fields == header else {
            throw StudyError.badInput("\(url.path):1: expected the header \(header.joined(separator: ","))")
        }
        for r in records.dropFirst() where r.fields.count != header.count {
            throw StudyError.badInput("\(url.path):\(r.line): \(r.fields.count) fields, expected \(header.count)")
        }
        return Array(records.dropFirst())
    }
}
