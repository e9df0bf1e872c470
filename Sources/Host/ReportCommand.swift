// `ldmprobe report`: re-analyse a study folder from what it recorded — study.json (seed, bootstrap, run),
// split.csv and per_image_metrics.csv — without activations or labels: metrics.csv, gaps.csv and report.html are
// rewritten (e.g. with more bootstrap resamples).
import ArgumentParser
import Foundation
import Study
import Studies

struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Re-analyse a study folder from study.json, split.csv and per_image_metrics.csv alone.",
        discussion: """
            Rewrites STUDY/metrics.csv, gaps.csv and report.html from the per-image values. Example:

              ldmprobe report --study runs/demo/ddim/study --bootstrap 5000
            """)

    @Option(help: ArgumentHelp("The study folder (written by probe or pipeline).", valueName: "dir"))
    var study: String

    @Option(help: "Bootstrap resamples per interval (default: study.json's).")
    var bootstrap: Int?

    @Option(help: "Seed of the bootstrap (default: study.json's).")
    var seed: UInt64?

    func validate() throws {
        if let bootstrap, !(0...1_000_000).contains(bootstrap) {
            throw ValidationError("--bootstrap \(bootstrap): use 0…1000000")
        }
    }

    func run() throws {
        let folder = URL(fileURLWithPath: study).standardizedFileURL
        let recordURL = folder.appendingPathComponent("study.json")
        let record: StudyRecord
        do { record = try JSONDecoder().decode(StudyRecord.self, from: Data(contentsOf: recordURL)) } catch {
            throw ValidationError("\(recordURL.path): not a study record (\(error.localizedDescription)); "
                                  + "re-analysis needs a study folder written by probe or pipeline")
        }
        let rows = try StudyFolder.reanalyse(study: folder, runFolder: URL(fileURLWithPath: record.run),
                                             seed: seed ?? record.bootstrap.seed,
                                             resamples: bootstrap ?? record.bootstrap.resamples)
        print("report: \(rows.count) metric rows → \(folder.path)/metrics.csv, gaps.csv, report.html"
              + StudyHeadline.text(study: folder))
    }
}
