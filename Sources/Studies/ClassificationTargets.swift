// Which class each image should become, for per-step classification: --target for every image, else a per-image
// table (id or #prompt_ind → class), else the first class the prompt names, else any class label in the prompt.
import FileFormats
import Foundation
import Study

public struct ClassificationTargets {
    public var fixed: Int?
    public var table: [String: Int]?
    public let labels: [String]

    /// `target`: a label or index; `tableFile`: CSV with a `class` column and `id` and/or `prompt_ind`.
    public init(target: String?, tableFile: String?, labels: [String]) throws {
        self.labels = labels
        fixed = try target.map { try ClassRanking.resolve($0, labels: labels) }
        table = try tableFile.map { try Self.read($0, labels: labels) }
    }

    public func target(id: String, promptIndex: Int, prompt: String) -> Int? {
        fixed ?? table.flatMap { $0[id] ?? $0["#\(promptIndex)"] }
            ?? PromptTarget.firstNamed(in: prompt, labels: labels) ?? ClassRanking.find(in: prompt, labels: labels)
    }

    /// id (or "#prompt_ind") → class index.
    static func read(_ path: String, labels: [String]) throws -> [String: Int] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ClassificationError.badTargets(file: path, message: "cannot read")
        }
        let rows = try CSVReader.parse(CSVReader.decode(data, encoding: .utf8WithLatin1Fallback, path: path), path: path)
        guard let header = rows.first?.fields.map({ $0.trimmingCharacters(in: .whitespaces).lowercased() }),
              let classCol = header.firstIndex(of: "class") else {
            throw ClassificationError.badTargets(file: path, message: "no header with a 'class' column")
        }
        let idCol = header.firstIndex(of: "id"), indCol = header.firstIndex(of: "prompt_ind")
        guard idCol != nil || indCol != nil else {
            throw ClassificationError.badTargets(file: path, message: "no 'id' or 'prompt_ind' column")
        }
        var out: [String: Int] = [:]
        for row in rows.dropFirst() {
            guard row.fields.count == header.count else {
                throw ClassificationError.badTargets(file: path, message: "line \(row.line): \(row.fields.count) fields, "
                                                     + "header has \(header.count)")
            }
            let cls = try ClassRanking.resolve(row.fields[classCol], labels: labels)
            if let c = idCol { out[row.fields[c]] = cls }
            if let c = indCol { out["#" + row.fields[c].trimmingCharacters(in: .whitespaces)] = cls }
        }
        return out
    }
}
