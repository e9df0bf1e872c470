// Hostile weight files (issue 14): integers from the file checked before arithmetic or allocation, nesting depth
// capped, views bounded by their storage, CompVis keys with absurd block numbers — each a one-line error, never a
// trap, a stack overflow or a multi-gigabyte allocation. (Here beside the other hostile-input tests, which share
// assertOneLineError.)
import Foundation
import Weights
import XCTest

final class HostileWeightsTests: XCTestCase {
    /// Runs a pickle under the torch + numpy allow-lists (storages: `storageBytes` bytes of zeros).
    private func unpickle(_ bytes: [UInt8], storageBytes: Int = 64) throws -> PickleValue {
        try unpickle(bytes, storageBytes: storageBytes) { $0 }
    }

    /// As above, handing the result to `inspect` while the storage bytes it points into are still alive (a
    /// tensor's values must be read inside this scope: they are a view of the storage, not a copy).
    private func unpickle<R>(_ bytes: [UInt8], storageBytes: Int, _ inspect: (PickleValue) throws -> R) throws -> R {
        let storage = [UInt8](repeating: 0, count: storageBytes)
        return try storage.withUnsafeBytes { s in
            var allow = TorchPickle.allowList(file: "hostile.pkl") { _, _, _ in s }
            allow = allow.merged(with: NumpyPickle.allowList(file: "hostile.pkl"))
            return try inspect(try bytes.withUnsafeBytes {
                try RestrictedUnpickler(data: $0, file: "hostile.pkl", allowList: allow).load()
            })
        }
    }

    private func text(_ s: String) -> [UInt8] { Array(s.utf8) }
    private func short(_ s: String) -> [UInt8] { [0x8c, UInt8(s.utf8.count)] + text(s) }   // SHORT_BINUNICODE
    private func long(_ v: Int64) -> [UInt8] { [0x8a, 8] + (0..<8).map { UInt8(truncatingIfNeeded: v >> (8 * $0)) } }

    /// `_rebuild_tensor_v2(storage(numel), 0, size, stride)` as torch.save writes it.
    private func tensorPickle(numel: Int64, size: [Int64], stride: [Int64]) -> [UInt8] {
        var b: [UInt8] = [0x80, 0x02] + [0x63] + text("torch._utils\n_rebuild_tensor_v2\n") + [0x28]
        b += [0x28] + short("storage") + [0x63] + text("torch\nFloatStorage\n") + short("0") + short("cpu") + long(numel)
        b += [0x74, 0x51]                                            // TUPLE, BINPERSID
        b += long(0)                                                 // offset
        b += [0x28] + size.flatMap(long) + [0x74]
        b += [0x28] + stride.flatMap(long) + [0x74]
        b += [0x74, 0x52, 0x2e]                                      // TUPLE, REDUCE, STOP
        return b
    }

    func testTensorRecordProductsAreCheckedForOverflow() {
        assertOneLineError("overflows", naming: "hostile.pkl") {
            _ = try unpickle(tensorPickle(numel: 4, size: [4_294_967_296, 4_294_967_296], stride: [1, 1]))
        }
        assertOneLineError("overflows", naming: "hostile.pkl") {
            _ = try unpickle(tensorPickle(numel: 4, size: [2, 2], stride: [Int64.max, 1]))
        }
        assertOneLineError("overflows", naming: "hostile.pkl") {
            _ = try unpickle(tensorPickle(numel: Int64.max, size: [1], stride: [1]), storageBytes: 64)
        }
    }

    func testStrideZeroViewIsNotMaterialised() throws {
        // One stored float viewed as 10⁹ elements would be 4 GB once converted.
        assertOneLineError("stride 0", naming: "hostile.pkl") { _ = try unpickle(tensorPickle(numel: 1, size: [1_000_000_000], stride: [0])) }
        // A legitimate view still loads: 4 stored floats as [2, 2].
        let values = try unpickle(tensorPickle(numel: 4, size: [2, 2], stride: [2, 1]), storageBytes: 16) { v -> [Float]? in
            guard case .object(let o) = v, let t = o.payload as? TorchTensorRef else { return nil }
            return t.floats()
        }
        XCTAssertEqual(values, [0, 0, 0, 0])
    }

    func testHugeLengthFieldsAreRefused() {
        let all: [UInt8] = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]
        for (op, name) in [(UInt8(0x8e), "BINBYTES8"), (0x8d, "BINUNICODE8"), (0x96, "BYTEARRAY8")] {
            assertOneLineError("exceeds", naming: "hostile.pkl") { _ = try unpickle([0x80, 0x04, op] + all + [0x2e]) }
            print("  \(name) with length 2⁶⁴−1 refused")
        }
        assertOneLineError("exceeds", naming: "hostile.pkl") { _ = try unpickle([0x80, 0x02, 0x42, 0xff, 0xff, 0xff, 0x7f, 0x2e]) }  // BINBYTES
    }

    func testDeepNestingIsCappedNotRecursed() {
        // 100 000 nested 1-tuples in 100 KB: a recursive free or walk would overflow the stack.
        let deep: [UInt8] = [0x80, 0x02, 0x29] + [UInt8](repeating: 0x85, count: 100_000) + [0x2e]
        assertOneLineError("nested deeper than \(RestrictedUnpickler.maxDepth)", naming: "hostile.pkl") { _ = try unpickle(deep) }
        // The same through lists appended after nesting (a memo alias would hide the depth): refused.
        let alias: [UInt8] = [0x80, 0x02, 0x5d, 0x94, 0x85, 0x68, 0x00, 0x5d, 0x61, 0x2e]
        assertOneLineError("already nested", naming: "hostile.pkl") { _ = try unpickle(alias) }
    }

    func testSharedValuesDescribeInBoundedTime() throws {
        // t = (t, t) 150 times over: 2¹⁵⁰ leaves when expanded; the description stays short.
        let dag: [UInt8] = [0x80, 0x02, 0x29] + [UInt8]([0x32, 0x86]).repeated(150) + [0x2e]
        let start = Date()
        let v = try unpickle(dag)
        let d = v.description
        print("  150-level shared tuple: \(d.count) characters in \(Date().timeIntervalSince(start)) s")
        XCTAssertLessThan(d.count, 1500)   // the 200-character budget, then one closing bracket per level
    }

    func testZip64FieldsBeyondTheFileAreRefused() throws {
        var b = [UInt8]()
        func u16(_ v: Int) { b += [UInt8(v & 0xff), UInt8(v >> 8 & 0xff)] }
        func u32(_ v: Int) { for i in 0..<4 { b.append(UInt8(truncatingIfNeeded: v >> (8 * i))) } }
        func u64(_ v: Int) { for i in 0..<8 { b.append(UInt8(truncatingIfNeeded: v >> (8 * i))) } }
        u32(0x0606_4b50); u64(44); u16(45); u16(45); u32(0); u32(0); u64(1); u64(1)
        u64(46); u64(0x7fff_ffff_ffff_fff0)                            // cd size 46, cd offset ≈ Int.max
        u32(0x0706_4b50); u32(0); u64(0); u32(1)                        // locator → record at 0
        u32(0x0605_4b50); u16(0); u16(0); u16(0xffff); u16(0xffff); u32(0xffff_ffff); u32(0xffff_ffff); u16(0)
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("hostile-\(UUID().uuidString).ckpt")
        defer { try? FileManager.default.removeItem(at: url) }
        try Data(b).write(to: url)
        assertOneLineError("exceeds the file", naming: url.lastPathComponent) { _ = try ZipArchive(path: url.path) }
    }

    func testCompVisKeysWithAbsurdBlockNumbersAreUnmapped() {
        let keys = ["model.diffusion_model.input_blocks.99999999999999999999.0.op.weight",
                    "model.diffusion_model.output_blocks.9223372036854775807.1.conv.weight",
                    "first_stage_model.decoder.up.9223372036854775807.block.0.conv1.weight",
                    "model.diffusion_model.input_blocks.0.1.proj_in.weight"]
        XCTAssertThrowsError(try CompVisKeyConversion.convert(keys: keys, shape: { _ in [1] })) { error in
            print("  error: \(error)")
            guard case .unexpectedKeys(let k)? = error as? WeightSourceError else { return XCTFail("\(error)") }
            XCTAssertEqual(Set(k), Set(keys))
        }
    }
}

private extension Array {
    func repeated(_ n: Int) -> [Element] { (0..<n).flatMap { _ in self } }
}
