// ListFlag: the comma-separated numbers flags take (`--steps 0,5,10-14`, `--shape 1,4,64,64`), parsed with every
// value range-checked before anything is allocated from it, so `0-9223372036854775807` or
// `4294967296,4294967296` is a one-line error rather than a trap or an allocation abort.
import Foundation

public enum ListFlag {
    /// "0,5,10-14" → [0, 5, 10, 11, 12, 13, 14]; every index in 0…`maxIndex`, a range ascending.
    public static func indices(_ text: String, flag: String, maxIndex: Int = 100_000) throws -> [Int] {
        func bad(_ reason: String) -> FileFormatsError {
            .invalidArgument(path: flag, reason: "'\(text.prefix(60))': \(reason)")
        }
        func number(_ s: Substring) throws -> Int {
            guard let v = Int(s.trimmingCharacters(in: .whitespaces)), (0...maxIndex).contains(v) else {
                throw bad("'\(s.prefix(30))' is not an index in 0…\(maxIndex) (expected e.g. 0,5,10-14)")
            }
            return v
        }
        var out: [Int] = []
        for item in text.split(separator: ",") {
            let r = item.split(separator: "-", omittingEmptySubsequences: false)
            if r.count == 1 {
                out.append(try number(r[0]))
            } else if r.count == 2 {
                let a = try number(r[0]), b = try number(r[1])
                guard a <= b else { throw bad("range \(a)-\(b) runs backwards") }
                out += Array(a...b)
            } else {
                throw bad("'\(item.prefix(30))' is neither an index nor a range a-b")
            }
            guard out.count <= maxIndex + 1 else { throw bad("more than \(maxIndex + 1) indices") }
        }
        guard !out.isEmpty else { throw bad("no indices (expected e.g. 0,5,10-14)") }
        return out
    }

    /// "1,4,64,64" → [1, 4, 64, 64]: positive sizes whose product is at most `maxElements`.
    public static func shape(_ text: String, flag: String, maxElements: Int = 1 << 30) throws -> [Int] {
        func bad(_ reason: String) -> FileFormatsError {
            .invalidArgument(path: flag, reason: "'\(text.prefix(60))': \(reason)")
        }
        let parts = text.split(separator: ",", omittingEmptySubsequences: false)
        guard !parts.isEmpty, parts.count <= 16 else { throw bad("expected 1…16 sizes separated by commas, e.g. 1,4,64,64") }
        var dims: [Int] = [], count = 1
        for p in parts {
            guard let d = Int(p.trimmingCharacters(in: .whitespaces)), d > 0 else {
                throw bad("'\(p.prefix(30))' is not a positive integer (expected e.g. 1,4,64,64)")
            }
            let (product, overflow) = count.multipliedReportingOverflow(by: d)
            guard !overflow, product <= maxElements else { throw bad("more than \(maxElements) elements") }
            count = product
            dims.append(d)
        }
        return dims
    }
}
