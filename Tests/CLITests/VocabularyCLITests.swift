// One vocabulary in every command, through the built binary: `--steps` is the number of inference steps and
// `--calls` the UNet-call indices wherever they appear; `help nosuch` fails; help examples do not wrap inside a
// command; a non-empty --out is refused; progress off a terminal is one line per image; `probe` on a stored run
// takes layer globs, labels its images with an estimator (NAME=LABELER, no folder), writes study.json and labels.
import Foundation
import XCTest

final class VocabularyCLITests: XCTestCase {
    func ldmprobe(_ arguments: [String]) throws -> (Int32, String, String) { try LDMProbeCLI.run(arguments) }

    func testHelpOfUnknownCommandFails() throws {
        let (status, _, err) = try ldmprobe(["help", "nosuch"])
        XCTAssertNotEqual(status, 0)
        XCTAssertTrue(err.contains("nosuch"), err)
    }

    func testStepsAndCallsMeanTheSameEverywhere() throws {
        for command in ["generate", "pipeline", "intervene"] {
            let (status, out, _) = try ldmprobe([command, "--help"])
            XCTAssertEqual(status, 0)
            XCTAssertTrue(out.contains("--steps <steps>"), "\(command) --help lacks --steps")
            XCTAssertTrue(out.contains("Inference steps"), "\(command): --steps is not the inference steps")
            XCTAssertFalse(out.contains("--inference-steps"), command)
        }
        for command in ["probe", "pipeline", "intervene"] {
            let (_, out, _) = try ldmprobe([command, "--help"])
            XCTAssertTrue(out.contains("--calls <calls>"), "\(command) --help lacks --calls")
            XCTAssertTrue(out.contains("--out <dir>") && out.contains("--overwrite"), command)
        }
    }

    /// Every example command in help is indented, and so is each of its continuation lines: a line the help
    /// formatter wrapped inside a command would start at column 0.
    func testHelpExamplesDoNotWrap() throws {
        var examples = 0
        for command in ["generate", "probe", "pipeline", "intervene", "classify-run"] {
            let (_, out, _) = try ldmprobe([command, "--help"])
            let lines = out.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            var continues = false
            for (i, line) in lines.enumerated() where !line.hasPrefix("USAGE") {
                let isExample = line.trimmingCharacters(in: .whitespaces).hasPrefix("ldmprobe ") && line.contains(" --")
                guard isExample || continues else { continue }
                if isExample { examples += 1 }
                XCTAssertTrue(line.hasPrefix(" "), "\(command) --help wraps an example: '\(line)'")
                continues = line.hasSuffix("\\")
                let next = i + 1 < lines.count ? lines[i + 1] : ""
                if !continues {
                    XCTAssertTrue(next.isEmpty || next.hasPrefix(" "), "\(command) --help wraps an example: '\(line)' / '\(next)'")
                }
            }
        }
        print("help examples checked: \(examples)")
        XCTAssertGreaterThanOrEqual(examples, 6)
    }

    func testNonEmptyOutIsRefused() throws {
        let tmp = FileManager.default.temporaryDirectory.appendingPathComponent("ldmprobe-out-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: tmp, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: tmp) }
        try Data("x".utf8).write(to: tmp.appendingPathComponent("keep.txt"))
        let (status, _, err) = try ldmprobe(["probe", "--run", tmp.path, "--label", "fg=world-foreground", "--out", tmp.path])
        XCTAssertNotEqual(status, 0)
        XCTAssertTrue(err.contains("not empty") && err.contains("--overwrite"), err)
        XCTAssertTrue(FileManager.default.fileExists(atPath: tmp.appendingPathComponent("keep.txt").path))
    }

    func testProbeOnStoredRunWithGlobsAndEstimator() throws {
        XCTAssertTrue(LDMProbeCLI.demoModelPresent, "no Assets/demo/model: the demo model is part of the repository")
        let exe = try XCTUnwrap(LDMProbeCLI.productFolder)
        var dir = exe
        while dir.path != "/" && !FileManager.default.fileExists(atPath: dir.appendingPathComponent("Assets/demo").path) {
            dir = dir.deletingLastPathComponent()
        }
        let demo = dir.appendingPathComponent("Assets/demo")
        let tmp = FileManager.default.temporaryDirectory.appendingPathComponent("ldmprobe-probe-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: tmp) }
        let csv = tmp.appendingPathComponent("prompts.csv")
        try FileManager.default.createDirectory(at: tmp, withIntermediateDirectories: true)
        try "prompts,seeds,prompt_inds\na red cube,1,0\na blue sphere,2,1\na green cone,3,2\na red cube,4,3\n"
            .write(to: csv, atomically: true, encoding: .utf8)
        let run = tmp.appendingPathComponent("run").path
        var (status, _, err) = try ldmprobe(["generate", "--model", demo.appendingPathComponent("model").path,
                                             "--prompts", csv.path, "--sampler", "ddim", "--steps", "2", "--out", run])
        XCTAssertEqual(status, 0, err)
        // Not a terminal: one progress line per image, not one per step.
        let progress = err.split(separator: "\n").filter { $0.hasPrefix("image ") }
        XCTAssertEqual(progress.count, 4, err)
        XCTAssertTrue(progress.allSatisfy { $0.contains("step 2/2") }, err)
        let study = tmp.appendingPathComponent("study")
        (status, _, err) = try ldmprobe(["probe", "--run", run, "--label", "fg=world-foreground", "--layers", "up_blocks.3*",
                                         "--calls", "last", "--bootstrap", "10", "--out", study.path])
        XCTAssertEqual(status, 0, err)
        let metrics = try String(contentsOf: study.appendingPathComponent("metrics.csv"), encoding: .utf8)
        // Probe rows (and their shuffled control) are per cell; the layout baseline and cap rows hold for every
        // cell (empty layer, step -1).
        let rows = metrics.split(separator: "\n").dropFirst().filter { !$0.hasPrefix(",-1,") }
        print("probe --layers 'up_blocks.3*' --calls last: \(rows.count) metric rows")
        XCTAssertFalse(rows.isEmpty)
        XCTAssertTrue(rows.allSatisfy { $0.hasPrefix("up_blocks.3") && $0.contains(",1,") }, metrics)
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: study.appendingPathComponent("study.json")))
        let record = try XCTUnwrap(json as? [String: Any])
        XCTAssertEqual(record["probe"] as? String, "linear")
        XCTAssertEqual((record["runManifestSHA256"] as? String)?.count, 64)
        XCTAssertTrue(FileManager.default.fileExists(atPath: study.appendingPathComponent("labels/fg/prompt_0_seed_1.npy").path))

        // Re-analysis from study.json, split.csv and per_image_metrics.csv alone gives the same tables.
        let gaps = try String(contentsOf: study.appendingPathComponent("gaps.csv"), encoding: .utf8)
        for f in ["metrics.csv", "metrics.json", "gaps.csv", "report.html"] {
            try FileManager.default.removeItem(at: study.appendingPathComponent(f))
        }
        try FileManager.default.removeItem(at: study.appendingPathComponent("labels"))
        (status, _, err) = try ldmprobe(["report", "--study", study.path])
        XCTAssertEqual(status, 0, err)
        XCTAssertEqual(try String(contentsOf: study.appendingPathComponent("metrics.csv"), encoding: .utf8), metrics)
        XCTAssertEqual(try String(contentsOf: study.appendingPathComponent("gaps.csv"), encoding: .utf8), gaps)
        XCTAssertTrue(FileManager.default.fileExists(atPath: study.appendingPathComponent("report.html").path))
        (status, _, err) = try ldmprobe(["report", "--study", tmp.path])
        XCTAssertNotEqual(status, 0, err)
        XCTAssertTrue(err.contains("study.json"), err)
    }
}
