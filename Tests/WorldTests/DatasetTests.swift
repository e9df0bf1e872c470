// World: `world render`'s folder — files, formats and the study's prompts CSV, read back with FileFormats.
import XCTest
import Foundation
import World
import FileFormats

final class DatasetTests: XCTestCase {
    func testDatasetRoundTrip() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("world-test-\(getpid())")
        defer { try? FileManager.default.removeItem(at: dir) }
        let ds = WorldDataset(samples: 2)
        try ds.write(count: 6, size: 32, baseSeed: 9, firstIndex: 10, to: dir, progress: false)
        let rows = try PromptRow.read(dir.appendingPathComponent("prompts.csv"))
        let scenes = ds.scenes(count: 6, baseSeed: 9, firstIndex: 10)
        XCTAssertEqual(rows.count, 6)
        for (row, scene) in zip(rows, scenes) {
            XCTAssertEqual(row.prompt, scene.caption)
            XCTAssertEqual(row.seed, scene.seed)
            XCTAssertEqual(row.imageID, WorldDataset.imageID(index: row.promptIndex, seed: row.seed))
            // The seed alone gives the scene back.
            XCTAssertEqual(SceneSampler().scene(seed: row.seed).caption, row.prompt)
            let image = try PNGImage.read(dir.appendingPathComponent("images/\(row.imageID).png"))
            XCTAssertEqual([image.width, image.height, image.channels], [32, 32, 3])
            let fg = try PNGImage.read(dir.appendingPathComponent("labels/foreground/\(row.imageID).png"))
            XCTAssertEqual(fg.channels, 1)
            let depth = try NpyArray.read(dir.appendingPathComponent("labels/depth/\(row.imageID).npy"))
            XCTAssertEqual(depth.shape, [32, 32])
            let shading = try NpyArray.read(dir.appendingPathComponent("labels/shading/\(row.imageID).npy"))
            XCTAssertEqual(shading.shape, [32, 32])
            // The files hold exactly what the renderer gives for that seed.
            let r = Renderer(samples: 2).render(scene, width: 32, height: 32)
            XCTAssertEqual(image.bytes, r.rgbBytes)
            XCTAssertEqual(fg.bytes, r.foregroundBytes)
            XCTAssertEqual(depth.floats(), r.inverseDepth)
            XCTAssertEqual(shading.floats(), r.shading)
            XCTAssertTrue(FileManager.default.fileExists(
                atPath: dir.appendingPathComponent("labels/albedo/\(row.imageID).png").path))
        }
        XCTAssertEqual(rows.map(\.promptIndex), Array(10..<16))
    }

    /// Captions with commas or quotes survive the CSV (quoted as pandas writes them).
    func testCSVQuoting() throws {
        let text = "prompts,seeds,prompt_inds\n" + CSVWriter.field("a \"red\", cube") + ",5,0\n"
        let rows = try PromptRow.parse(Data(text.utf8))
        XCTAssertEqual(rows, [PromptRow(prompt: "a \"red\", cube", seed: 5, promptIndex: 0)])
    }
}
