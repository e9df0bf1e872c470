// The run folder with mock networks and the real DDIM plugin: layout and shapes, the token → [C, h, w] transpose,
// interruption and --resume (an interrupted image is redone and never looks complete), settings checks, shards
// and `merge`.
import FileFormats
import Foundation
import Pipeline
import XCTest

final class RunFolderTests: XCTestCase {
    let jobs: [ImageJob] = (0 ..< 5).map { ImageJob(id: "prompt_\($0)_seed_\(10 + $0)", prompt: "prompt \($0)", noise: .seed(UInt64(10 + $0)), promptIndex: $0) }

    func testLayoutShapesAndTranspose() throws {
        let dir = Fixtures.scratch("layout")
        defer { try? FileManager.default.removeItem(at: dir) }
        let (run, _) = try mockRun(folder: dir, jobs: Array(jobs.prefix(1)))
        let m = try run.execute(ldmprobeVersion: "test", pluginAbi: "1.0")
        XCTAssertEqual(m.images.map(\.status), [.done])
        let f = RunFolder(dir)
        let id = jobs[0].id
        let u = m.settings.calls
        XCTAssertEqual(u, 4)
        XCTAssertEqual(try NpyArray.read(f.latentsURL(id)).shape, [u + 1, 4, 2, 2])
        let img = try PNGImage.read(f.imageURL(id))
        XCTAssertEqual([img.width, img.height, img.channels], [16, 16, 3])
        let attn = try NpyArray.read(f.activationURL(id, layer: "down_blocks.0.attentions.0.transformer_blocks.0.attn1"))
        XCTAssertEqual(attn.shape, [u, 2, 3, 2, 2])
        // Mock token t, channel c, batch b = 1000b + 10t + c; stored [U, branch, C, h, w] with branch 0 = uncond.
        let v = attn.floats()
        XCTAssertEqual(v[0 * 4 + 1], 10)            // uncond, c 0, token 1
        XCTAssertEqual(v[2 * 4 + 3], 32)            // uncond, c 2, token 3
        XCTAssertEqual(v[12 + 1 * 4 + 2], 1021)     // cond, c 1, token 2
        XCTAssertEqual(try NpyArray.read(f.activationURL(id, layer: "mid_block")).shape, [u, 2, 5, 2, 2])
        for call in 0 ..< u {
            XCTAssertTrue(FileManager.default.fileExists(atPath: f.intermediateURL(id, kind: "xt", call: call).path))
            XCTAssertTrue(FileManager.default.fileExists(atPath: f.intermediateURL(id, kind: "x0", call: call).path))
        }
        // Re-reading the manifest gives the same value; no temporaries anywhere.
        XCTAssertEqual(try f.readManifest(), m)
        XCTAssertEqual(f.removeTemporaries(), 0)
    }

    func testInterruptedImageIsRedoneOnResume() throws {
        let dir = Fixtures.scratch("resume")
        defer { try? FileManager.default.removeItem(at: dir) }
        let f = RunFolder(dir)
        let (run1, _) = try mockRun(folder: dir, jobs: jobs, observers: [])
        let interrupter = Interrupter(imageID: jobs[2].id, call: 2)
        XCTAssertThrowsError(try run1.execute(ldmprobeVersion: "test", pluginAbi: "1.0", observers: [interrupter]))
        let m1 = try f.readManifest()
        XCTAssertEqual(m1.images.map(\.status), [.done, .done, .pending, .pending, .pending])
        XCTAssertFalse(FileManager.default.fileExists(atPath: f.imageURL(jobs[2].id).path))
        XCTAssertFalse(FileManager.default.fileExists(atPath: f.latentsURL(jobs[2].id).path))
        // Its activation files never appeared under their real names.
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: f.activationsFolder(jobs[2].id).path), [])
        let firstImageDate = try FileManager.default.attributesOfItem(atPath: f.imageURL(jobs[0].id).path)[.modificationDate] as! Date

        // Without --resume the folder is refused; with other settings too.
        let (again, _) = try mockRun(folder: dir, jobs: jobs)
        XCTAssertThrowsError(try again.execute(ldmprobeVersion: "test", pluginAbi: "1.0")) { print("resume: \($0)") }
        let (other, _) = try mockRun(folder: dir, jobs: jobs, resume: true, steps: 5)
        XCTAssertThrowsError(try other.execute(ldmprobeVersion: "test", pluginAbi: "1.0")) { error in
            print("resume: \(error)")
            XCTAssertTrue("\(error)".contains("steps"))
        }

        let unet = MockUNet()
        let (run2, _) = try mockRun(folder: dir, jobs: jobs, resume: true, unet: unet)
        let m2 = try run2.execute(ldmprobeVersion: "test", pluginAbi: "1.0")
        XCTAssertEqual(m2.images.map(\.status), [.done, .done, .done, .done, .done])
        XCTAssertEqual(unet.calls, 3 * 4)  // only images 2, 3, 4 were generated
        let after = try FileManager.default.attributesOfItem(atPath: f.imageURL(jobs[0].id).path)[.modificationDate] as! Date
        XCTAssertEqual(after, firstImageDate)
        XCTAssertEqual(try NpyArray.read(f.activationURL(jobs[2].id, layer: "mid_block")).shape, [4, 2, 5, 2, 2])

        // The resumed run equals an uninterrupted one, file for file.
        let clean = Fixtures.scratch("clean")
        defer { try? FileManager.default.removeItem(at: clean) }
        let (run3, _) = try mockRun(folder: clean, jobs: jobs)
        try run3.execute(ldmprobeVersion: "test", pluginAbi: "1.0")
        for job in jobs {
            let a = f.files(of: job.id), b = RunFolder(clean).files(of: job.id)
            XCTAssertEqual(a.map(\.lastPathComponent), b.map(\.lastPathComponent))
            for (x, y) in zip(a, b) { XCTAssertEqual(try Data(contentsOf: x), try Data(contentsOf: y), x.path) }
        }
    }

    func testShardsMergeIntoTheWholeRun() throws {
        let base = Fixtures.scratch("shards")
        defer { try? FileManager.default.removeItem(at: base) }
        var folders: [RunFolder] = []
        for k in 1 ... 3 {
            let dir = base.appendingPathComponent("s\(k)")
            let (run, _) = try mockRun(folder: dir, jobs: jobs, shard: try ShardSpec(index: k, count: 3))
            XCTAssertEqual(run.jobs.count, k <= 2 ? 2 : 1)
            try run.execute(ldmprobeVersion: "test", pluginAbi: "1.0")
            folders.append(RunFolder(dir))
        }
        let merged = RunFolder(base.appendingPathComponent("all"))
        let report = try RunMerger.merge(into: merged, from: folders.reversed())
        XCTAssertEqual(Set(report.manifest.images.map(\.id)), Set(jobs.map(\.id)))
        XCTAssertTrue(report.manifest.images.allSatisfy { $0.status == .done })
        XCTAssertEqual(report.manifest.shards, ["1/3", "2/3", "3/3"])
        XCTAssertEqual(report.pending, 0)
        XCTAssertEqual(report.notes, [])
        // The merged folder is the whole run, file for file.
        let wholeDir = base.appendingPathComponent("whole")
        let (wholeRun, _) = try mockRun(folder: wholeDir, jobs: jobs)
        try wholeRun.execute(ldmprobeVersion: "test", pluginAbi: "1.0")
        for job in jobs {
            XCTAssertEqual(merged.files(of: job.id).count, 2 + 2 + 8)  // png, latents, 2 layers, 4 xt + 4 x0
            let a = merged.files(of: job.id), b = RunFolder(wholeDir).files(of: job.id)
            XCTAssertEqual(a.map(\.lastPathComponent), b.map(\.lastPathComponent))
            for (x, y) in zip(a, b) { XCTAssertEqual(try Data(contentsOf: x), try Data(contentsOf: y), x.path) }
        }
        // Merging again into the same folder, overlapping shards and mismatched settings are refused.
        XCTAssertThrowsError(try RunMerger.merge(into: merged, from: folders))
        XCTAssertThrowsError(try RunMerger.merge(into: RunFolder(base.appendingPathComponent("dup")),
                                                 from: [folders[0], folders[0]])) { print("merge: \($0)") }
        let odd = base.appendingPathComponent("odd")
        let (run, _) = try mockRun(folder: odd, jobs: jobs, shard: try ShardSpec(index: 1, count: 3), steps: 3)
        try run.execute(ldmprobeVersion: "test", pluginAbi: "1.0")
        XCTAssertThrowsError(try RunMerger.merge(into: RunFolder(base.appendingPathComponent("x")),
                                                 from: [folders[1], RunFolder(odd)])) { print("merge: \($0)") }
        // A missing shard is reported.
        let partial = try RunMerger.merge(into: RunFolder(base.appendingPathComponent("partial")),
                                          from: [folders[0], folders[2]])
        XCTAssertEqual(partial.notes.count, 1)
        print("merge notes: \(partial.notes)")
    }
}
