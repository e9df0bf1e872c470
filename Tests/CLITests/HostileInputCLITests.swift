// The built `ldmprobe` against hostile inputs (issue 14), on the tiny SD-v1-topology model: each example of the
// issue exits nonzero with one error line naming the file or flag and the problem, writes nothing outside --out
// and deletes nothing it did not write.
import Foundation
import XCTest

final class HostileInputCLITests: XCTestCase {
    static let tinySD = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/tiny-sd")
    let small = ["--height", "64", "--width", "64", "--steps", "2", "--quiet"]

    private func scratch() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ldmprobe-hostile-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: dir) }
        return dir
    }

    /// A copy of the tiny model (files symlinked) whose `part`/`file` JSON is edited.
    private func model(in dir: URL, editing part: String, _ file: String, _ edit: (inout [String: Any]) -> Void) throws -> URL {
        let fm = FileManager.default
        let root = dir.appendingPathComponent("model")
        try fm.createDirectory(at: root, withIntermediateDirectories: true)
        for entry in try fm.contentsOfDirectory(atPath: Self.tinySD.path) {
            let src = Self.tinySD.appendingPathComponent(entry)
            var isDir: ObjCBool = false
            _ = fm.fileExists(atPath: src.path, isDirectory: &isDir)
            guard isDir.boolValue else { try fm.createSymbolicLink(at: root.appendingPathComponent(entry), withDestinationURL: src); continue }
            try fm.createDirectory(at: root.appendingPathComponent(entry), withIntermediateDirectories: true)
            for f in try fm.contentsOfDirectory(atPath: src.path) where !(entry == part && f == file) {
                try fm.createSymbolicLink(at: root.appendingPathComponent("\(entry)/\(f)"), withDestinationURL: src.appendingPathComponent(f))
            }
        }
        var object = try JSONSerialization.jsonObject(with: Data(contentsOf: Self.tinySD.appendingPathComponent("\(part)/\(file)"))) as! [String: Any]
        edit(&object)
        try JSONSerialization.data(withJSONObject: object).write(to: root.appendingPathComponent("\(part)/\(file)"))
        return root
    }

    /// Runs ldmprobe; asserts a nonzero exit and exactly one error line on stderr containing every `expected`.
    private func assertRefused(_ arguments: [String], _ expected: [String]) throws {
        let (status, _, err) = try LDMProbeCLI.run(arguments)
        let errors = err.split(separator: "\n").filter { $0.hasPrefix("Error") }
        print("  \(arguments.prefix(6).joined(separator: " ")) …: exit \(status): \(errors.first ?? "")")
        XCTAssertNotEqual(status, 0, err)
        XCTAssertEqual(errors.count, 1, err)
        XCTAssertFalse(err.contains("Fatal error"), err)
        for e in expected { XCTAssertTrue(errors.first?.contains(e) ?? false, "'\(e)' not in: \(err)") }
    }

    func testNonFiniteValuesStopWithTheImageAndCause() throws {
        let dir = try scratch()
        // [1, 4, 8, 8] float32 noise with one NaN, written as a plain .npy.
        var header = "{'descr': '<f4', 'fortran_order': False, 'shape': (1, 4, 8, 8), }"
        header += String(repeating: " ", count: 63 - (10 + header.utf8.count) % 64) + "\n"
        var bytes: [UInt8] = [0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(header.utf8.count), 0] + Array(header.utf8)
        var values = [Float](repeating: 0.25, count: 256)
        values[7] = .nan
        bytes += values.withUnsafeBytes { Array($0) }
        let noise = dir.appendingPathComponent("nan.npy")
        try Data(bytes).write(to: noise)
        let m = Self.tinySD.path
        try assertRefused(["generate", "--model", m, "--prompt", "a cat", "--init-noise", noise.path, "--out",
                           dir.appendingPathComponent("o1").path] + small, ["prompt_0_noise", "initial noise", "NaN"])
        try assertRefused(["generate", "--model", m, "--prompt", "a cat", "--guidance", "1e308", "--out",
                           dir.appendingPathComponent("o2").path] + small, ["--guidance"])
        try assertRefused(["generate", "--model", m, "--prompt", "a cat", "--sampler", "ddim:eta=2", "--out",
                           dir.appendingPathComponent("o3").path] + small, ["eta"])
        try assertRefused(["generate", "--model", m, "--prompt", "a cat", "--height", "4611686018427387904", "--out",
                           dir.appendingPathComponent("o4").path, "--steps", "2"], ["--height"])
    }

    func testConfigsAreRangeCheckedWithFileAndKey() throws {
        let dir = try scratch()
        let unet = try model(in: dir.appendingPathComponent("a"), editing: "unet", "config.json") { $0["norm_eps"] = -1000 }
        try assertRefused(["generate", "--model", unet.path, "--prompt", "a cat", "--out",
                           dir.appendingPathComponent("o1").path] + small, ["unet/config.json", "norm_eps"])
        let sched = try model(in: dir.appendingPathComponent("b"), editing: "scheduler", "scheduler_config.json") {
            $0["beta_end"] = 2
        }
        try assertRefused(["generate", "--model", sched.path, "--prompt", "a cat", "--sampler", "ddim", "--out",
                           dir.appendingPathComponent("o2").path] + small, ["beta_end"])
        let clip = try model(in: dir.appendingPathComponent("c"), editing: "text_encoder", "config.json") {
            $0["num_hidden_layers"] = -1
        }
        try assertRefused(["generate", "--model", clip.path, "--prompt", "a cat", "--out",
                           dir.appendingPathComponent("o3").path] + small, ["text_encoder/config.json", "num_hidden_layers"])
    }

    func testOutputFolderIsNeitherEscapedNorEmptied() throws {
        let dir = try scratch()
        let fm = FileManager.default
        // A fresh generate into an existing folder keeps the user's hidden .tmp files.
        let out = dir.appendingPathComponent("shard")
        try fm.createDirectory(at: out.appendingPathComponent("notes"), withIntermediateDirectories: true)
        let mine = [out.appendingPathComponent(".draft.tmp"), out.appendingPathComponent("notes/.x.tmp")]
        for u in mine { try Data("mine".utf8).write(to: u) }
        // Without --resume a non-empty --out is refused outright; with it, the run is written beside them.
        let (refusedStatus, _, refusedErr) = try LDMProbeCLI.run(["generate", "--model", Self.tinySD.path, "--prompt",
                                                                  "a cat", "--out", out.path] + small)
        XCTAssertNotEqual(refusedStatus, 0, refusedErr)
        XCTAssertTrue(refusedErr.contains("--out is not empty"), refusedErr)
        for u in mine { XCTAssertTrue(fm.fileExists(atPath: u.path), "\(u.path) deleted by a refused generate") }
        let (status, _, err) = try LDMProbeCLI.run(["generate", "--model", Self.tinySD.path, "--prompt", "a cat",
                                                    "--resume", "--out", out.path] + small)
        XCTAssertEqual(status, 0, err)
        for u in mine { XCTAssertTrue(fm.fileExists(atPath: u.path), "\(u.path) deleted by generate") }
        // merge with a shard manifest naming ../../escaped: refused, nothing written above the merged folder.
        let manifest = out.appendingPathComponent("manifest.json")
        try String(contentsOf: manifest, encoding: .utf8).replacingOccurrences(of: "prompt_0_seed_0", with: "../../escaped")
            .write(to: manifest, atomically: true, encoding: .utf8)
        let merged = dir.appendingPathComponent("x/y/merged")
        try assertRefused(["merge", merged.path, out.path], ["image id '../../escaped'"])
        let written = fm.enumerator(atPath: dir.path)?.compactMap { $0 as? String }.filter { $0.contains("escaped") } ?? []
        XCTAssertEqual(written, [], "files written outside the merged folder")
    }
}
