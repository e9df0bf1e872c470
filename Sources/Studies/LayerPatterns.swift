// One grammar for layers, in every command: diffusers module paths or globs ('*attn1', 'up_blocks.3*'),
// comma-separated or repeated, matched against what a model or run has.
import Pipeline

public enum LayerPatterns {
    /// Splits "a,b" and repeated values into patterns.
    public static func split(_ values: [String]) -> [String] {
        values.flatMap { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }.filter { !$0.isEmpty }
    }

    /// The names of `available` matched by any pattern, in `available`'s order; every pattern must match.
    public static func expand(_ patterns: [String], available: [String], flag: String = "layers") throws -> [String] {
        let compiled = patterns.map(CapturePattern.init)
        for p in compiled where !available.contains(where: p.matches) {
            throw StudiesError.option(flag: flag, value: p.text, reason: "matches no layer (there are: "
                                      + available.prefix(6).joined(separator: ", ") + (available.count > 6 ? ", …" : "")
                                      + "; globs like 'up_blocks.3*' or '*attn1' work)")
        }
        return available.filter { name in compiled.contains { $0.matches(name) } }
    }
}
