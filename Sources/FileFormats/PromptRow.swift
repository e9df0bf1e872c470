// The dataset CSV of the probing studies: columns `prompts, seeds, prompt_inds` (any order, extra columns
// ignored), one generated image per row, named prompt_<prompt_ind>_seed_<seed>.
import Foundation

/// One row of a prompts file: the text, the torch seed, and the prompt's index in the source dataset.
public struct PromptRow: Equatable, Hashable, Sendable {
    public var prompt: String
    public var seed: UInt64
    public var promptIndex: Int

    public init(prompt: String, seed: UInt64, promptIndex: Int) {
        self.prompt = prompt
        self.seed = seed
        self.promptIndex = promptIndex
    }

    /// The dataset's image name: `prompt_<prompt_ind>_seed_<seed>`.
    public var imageID: String { "prompt_\(promptIndex)_seed_\(seed)" }

    /// Reads a prompts CSV file. Errors name the file and line: a missing column, a wrong field count, a seed or
    /// index that is not a non-negative integer.
    public static func read(_ url: URL, encoding: CSVTextEncoding = .utf8WithLatin1Fallback) throws -> [PromptRow] {
        try rows(CSVReader.read(url, encoding: encoding), path: url.path)
    }

    /// Parses the bytes of a prompts CSV file. `path` names it in errors.
    public static func parse(_ data: Data, encoding: CSVTextEncoding = .utf8WithLatin1Fallback,
                             path: String = "<csv>") throws -> [PromptRow] {
        try rows(CSVReader.parse(CSVReader.decode(data, encoding: encoding, path: path), path: path), path: path)
    }

    /// Rows from parsed CSV records (the first is the header).
    static func rows(_ records: [(line: Int, fields: [String])], path: String) throws -> [PromptRow] {
        func bad(_ line: Int, _ reason: String) -> FileFormatsError {
            .csv(path: path, line: line, reason: reason + " (a prompts file has the columns prompts, seeds, prompt_inds)")
        }
        guard let header = records.first else {
            throw bad(1, "empty file")
        }
        let names = header.fields.map { $0.trimming(" \t") }
        func column(_ name: String) throws -> Int {
            guard let index = names.firstIndex(of: name) else {
                throw bad(header.line, "no '\(name)' column in header \(names)")
            }
            return index
        }
        let promptColumn = try column("prompts"), seedColumn = try column("seeds"), indexColumn = try column("prompt_inds")
        var rows: [PromptRow] = []
        for record in records.dropFirst() {
            guard record.fields.count == names.count else {
                throw bad(record.line, "\(record.fields.count) fields, header has \(names.count)")
            }
            let seedText = record.fields[seedColumn].trimming(" \t")
            let indexText = record.fields[indexColumn].trimming(" \t")
            guard let seed = UInt64(seedText) else {
                throw bad(record.line, "seed '\(seedText)' is not a non-negative integer")
            }
            guard let index = Int(indexText), index >= 0 else {
                throw bad(record.line, "prompt_ind '\(indexText)' is not a non-negative integer")
            }
            rows.append(PromptRow(prompt: record.fields[promptColumn], seed: seed, promptIndex: index))
        }
        return rows
    }
}
