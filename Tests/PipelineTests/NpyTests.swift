// .npy reading (numpy-written files of every supported dtype and header version), writing, float16 rounding
// against numpy, streaming, and the errors for truncated/corrupt/unsupported files.
import FileFormats
import Foundation
import XCTest

final class NpyTests: XCTestCase {
    /// (arange(24).reshape(2,3,4) - 11.5) / 3, as numpy made it.
    let base: [Double] = (0 ..< 24).map { (Double($0) - 11.5) / 3 }

    func testReadsEveryDtypeAndHeaderVersion() throws {
        for name in ["f32_v1.npy", "f32_v2.npy", "f32_v3.npy"] {
            let a = try NpyArray.read(Fixtures.formats(name))
            XCTAssertEqual(a.dtype, .float32)
            XCTAssertEqual(a.shape, [2, 3, 4])
            let diff = Fixtures.maxdiff(a.floats(), base.map { Float($0) })
            print("npy \(name) maxdiff \(diff)")
            XCTAssertEqual(diff, 0)
        }
        let h = try NpyArray.read(Fixtures.formats("f16_v1.npy"))
        XCTAssertEqual(h.dtype, .float16)
        let hd = Fixtures.maxdiff(h.floats(), base.map { Float(Float16($0)) })
        print("npy f16 maxdiff \(hd)")
        XCTAssertEqual(hd, 0)
        let u = try NpyArray.read(Fixtures.formats("u8_v1.npy"))
        XCTAssertEqual(u.dtype, .uint8)
        XCTAssertEqual(u.uint8s(), (0 ..< 24).map { UInt8($0 * 10) })
        let i = try NpyArray.read(Fixtures.formats("i64_v1.npy"))
        XCTAssertEqual(i.dtype, .int64)
        XCTAssertEqual(i.int64s(), (0 ..< 24).map { (Int64($0) - 12) * 1_000_000_000_000 })
        XCTAssertEqual(try NpyArray.read(Fixtures.formats("f32_1d.npy")).shape, [3])
        let scalar = try NpyArray.read(Fixtures.formats("f32_0d.npy"))
        XCTAssertEqual(scalar.shape, [])
        XCTAssertEqual(scalar.floats(), [7])
    }

    func testFloat16RoundingMatchesNumpy() throws {
        let src = try NpyArray.read(Fixtures.formats("f16_src_f32.npy"))
        let ref = try NpyArray.read(Fixtures.formats("f16_ref.npy"))
        let mine = NpyArray(float16: src.floats(), shape: src.shape)
        let mismatches = zip(mine.bytes, ref.bytes).filter { $0 != $1 }.count
        print("npy float16 rounding: \(mismatches) mismatched bytes of \(ref.bytes.count)")
        XCTAssertEqual(mine.bytes, ref.bytes)
    }

    func testWriteIsByteIdenticalToNumpy() throws {
        // numpy writes version 1.0 headers padded to 64 bytes: ours must be the same file.
        let numpy = try Data(contentsOf: Fixtures.formats("f32_v1.npy"))
        let mine = NpyArray(float32: base.map { Float($0) }, shape: [2, 3, 4]).encoded()
        XCTAssertEqual(mine, numpy)
        let numpy16 = try Data(contentsOf: Fixtures.formats("f16_v1.npy"))
        XCTAssertEqual(NpyArray(float16: base.map { Float($0) }, shape: [2, 3, 4]).encoded(), numpy16)
        XCTAssertEqual(NpyArray(float32: [1.5, -2.25, 3e-8], shape: [3]).encoded(),
                       try Data(contentsOf: Fixtures.formats("f32_1d.npy")))
        XCTAssertEqual(NpyArray(float32: [7], shape: []).encoded(), try Data(contentsOf: Fixtures.formats("f32_0d.npy")))
    }

    func testRoundTripEveryDtype() throws {
        let dir = Fixtures.scratch("npy")
        defer { try? FileManager.default.removeItem(at: dir) }
        let arrays = [
            NpyArray(float32: [1, -2, .pi, 1e-30], shape: [2, 2]),
            NpyArray(float16: [1, -2, 0.333, 65504], shape: [4, 1]),
            NpyArray(uint8: [0, 255, 7], shape: [3]),
            NpyArray(int64: [Int64.min, 0, Int64.max], shape: [1, 3]),
        ]
        for (k, a) in arrays.enumerated() {
            let url = dir.appendingPathComponent("a\(k).npy")
            try a.write(to: url)
            XCTAssertEqual(try NpyArray.read(url), a)
            XCTAssertEqual(try NpyArray.readHeader(url).shape, a.shape)
        }
        // Large shapes that need a version-2 header are not practical here; the header encoder is checked directly.
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".tmp") }
        XCTAssertEqual(leftovers, [])
    }

    func testStreamWriterWritesSlicesAndOnlyAppearsWhenComplete() throws {
        let dir = Fixtures.scratch("stream")
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("act.npy")
        let w = try NpyStreamWriter(url: url, dtype: .float16, shape: [3, 2, 2])
        try w.append([1, 2, 3, 4])
        try w.append([5, 6, 7, 8])
        XCTAssertFalse(FileManager.default.fileExists(atPath: url.path))
        XCTAssertThrowsError(try w.append([1, 2, 3]))
        try w.append([9, 10, 11, 12])
        try w.finish()
        let back = try NpyArray.read(url)
        XCTAssertEqual(back.shape, [3, 2, 2])
        XCTAssertEqual(back.floats(), (1 ... 12).map { Float($0) })

        let partial = dir.appendingPathComponent("partial.npy")
        let p = try NpyStreamWriter(url: partial, dtype: .float32, shape: [2, 1])
        try p.append([1])
        XCTAssertThrowsError(try p.finish())
        XCTAssertFalse(FileManager.default.fileExists(atPath: partial.path))
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path), ["act.npy"])
    }

    func testErrorsNameTheFile() throws {
        func expectError(_ name: String, _ check: (FileFormatsError) -> Bool) {
            let url = Fixtures.formats(name)
            do {
                _ = try NpyArray.read(url)
                XCTFail("\(name) read without error")
            } catch let error as FileFormatsError {
                print("npy \(name): \(error)")
                XCTAssertTrue(check(error), "\(error)")
                XCTAssertTrue(error.description.contains(name), "\(error) does not name the file")
            } catch {
                XCTFail("\(name): unexpected \(error)")
            }
        }
        expectError("truncated.npy") { if case .truncated = $0 { return true }; return false }
        expectError("f32_fortran.npy") { if case .unsupported = $0 { return true }; return false }
        expectError("f64.npy") { if case .unsupported = $0 { return true }; return false }
        expectError("rgb8.png") { if case .corrupt = $0 { return true }; return false }
        expectError("missing.npy") { if case .io = $0 { return true }; return false }

        // Every prefix of a valid file is an error, never a crash.
        let whole = try Data(contentsOf: Fixtures.formats("f32_v1.npy"))
        for n in 0 ..< whole.count {
            XCTAssertThrowsError(try NpyArray.decode(whole.prefix(n), path: "cut.npy"))
        }
        // A garbled header.
        var garbled = [UInt8](whole)
        for k in 10 ..< 40 { garbled[k] = UInt8(ascii: "x") }
        XCTAssertThrowsError(try NpyArray.decode(Data(garbled), path: "garbled.npy"))
    }
}
