// Train/test splits of a run's image ids.
//   csv:TRAIN.csv[,TEST.csv]   the published split files (columns prompts, seeds, prompt_inds → ids
//                              prompt_{ind}_seed_{seed}); without TEST.csv the test set is every other id
//   fraction:F[:SEED]          a seeded random fraction F of the ids (sorted first) for training, the rest test;
//                              the default fraction:0.4:0 is about the study's 246/617
import FileFormats
import Foundation

public struct DataSplit: Codable, Equatable {
    public var train: [String]
    public var test: [String]
    /// How it was made, for the report.
    public var description: String

    public init(train: [String], test: [String], description: String) {
        self.train = train
        self.test = test
        self.description = description
    }

    /// Parses a --split value against the ids a run holds.
    public static func parse(_ spec: String, ids: [String]) throws -> DataSplit {
        let available = Set(ids)
        if spec.hasPrefix("csv:") {
            let files = spec.dropFirst(4).split(separator: ",").map(String.init)
            guard let trainFile = files.first else { throw StudyError.invalidArgument("--split csv: needs a file (csv:TRAIN.csv[,TEST.csv])") }
            let trainIDs = try readIDs(trainFile)
            let train = trainIDs.filter(available.contains)
            let test: [String]
            if files.count > 1 {
                test = try readIDs(files[1]).filter(available.contains)
            } else {
                let t = Set(trainIDs)
                test = ids.filter { !t.contains($0) }
            }
            guard !train.isEmpty, !test.isEmpty else {
                throw StudyError.invalidArgument("--split \(spec): \(train.count) train and \(test.count) test ids are in the run (hint: the run's ids are prompt_{ind}_seed_{seed})")
            }
            return DataSplit(train: train, test: test, description: spec)
        }
        if spec.hasPrefix("fraction:") {
            let parts = spec.dropFirst(9).split(separator: ":").map(String.init)
            guard let f = parts.first.flatMap(Double.init), f > 0, f < 1 else {
                throw StudyError.invalidArgument("--split \(spec): expected fraction:F[:SEED] with 0 < F < 1")
            }
            let seed = parts.count > 1 ? UInt64(parts[1]) ?? 0 : 0
            return fraction(ids, trainFraction: f, seed: seed)
        }
        throw StudyError.invalidArgument("--split \(spec): expected csv:TRAIN.csv[,TEST.csv] or fraction:F[:SEED]")
    }

    /// The ids sorted, permuted with StudyRandom(seed); the first round(F·n) (at least 1, at most n−1) train.
    public static func fraction(_ ids: [String], trainFraction: Double, seed: UInt64) -> DataSplit {
        let sorted = ids.sorted()
        var rng = StudyRandom(seed: seed)
        let perm = rng.permutation(sorted.count)
        let nTrain = min(max(Int((trainFraction * Double(sorted.count)).rounded()), 1), max(sorted.count - 1, 1))
        let train = perm.prefix(nTrain).map { sorted[$0] }
        let test = perm.dropFirst(nTrain).map { sorted[$0] }
        return DataSplit(train: train, test: test, description: "fraction:\(trainFraction):\(seed)")
    }

    static func readIDs(_ path: String) throws -> [String] {
        do {
            return try PromptRow.read(URL(fileURLWithPath: path)).map(\.imageID)
        } catch {
            throw StudyError.badInput("\(error)")
        }
    }
}
