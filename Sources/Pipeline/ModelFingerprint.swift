// A fingerprint of a model's weights for the run manifest: XXH64 (seed 0) of each weight file's bytes, and XXH64
// of the concatenated little-endian per-file hashes in path order. XXH64 is the published xxHash algorithm
// (github.com/Cyan4973/xxHash), checked here against its reference test values; it reads several GB/s, so hashing
// SD v1.4's 4 GB costs seconds, not minutes.
import Foundation
import Weights

/// Hashes of the weight files a model was loaded from.
public enum ModelFingerprint {
    public struct FileHash: Codable, Equatable, Sendable {
        /// Path relative to the model folder (or the file name for a single file).
        public var file: String
        public var bytes: Int
        /// XXH64 as 16 lowercase hex digits.
        public var xxh64: String
    }

    /// Hashes `files` (absolute paths) and combines them. `root` is stripped from the recorded paths.
    public static func hash(files: [String], root: String) throws -> (combined: String, files: [FileHash]) {
        var out: [FileHash] = []
        for path in files.sorted() {
            let mapped: MappedFile
            do { mapped = try MappedFile(path: path) } catch {
                throw PipelineError.model(path: path, reason: "cannot read weights for hashing: \(error)")
            }
            let h = XXH64.hash(mapped.bytes)
            var rel = path
            if rel.hasPrefix(root + "/") { rel.removeFirst(root.count + 1) } else { rel = (path as NSString).lastPathComponent }
            out.append(FileHash(file: rel, bytes: mapped.bytes.count, xxh64: hex(h)))
        }
        var all: [UInt8] = []
        for f in out { all += withUnsafeBytes(of: UInt64(f.xxh64, radix: 16)!.littleEndian) { Array($0) } }
        let combined = all.withUnsafeBytes { XXH64.hash($0) }
        return (hex(combined), out)
    }

    static func hex(_ v: UInt64) -> String {
        let s = String(v, radix: 16)
        return String(repeating: "0", count: 16 - s.count) + s
    }
}

/// XXH64 (xxHash, 64-bit) of a byte buffer.
public enum XXH64 {
    static let p1: UInt64 = 0x9E37_79B1_85EB_CA87
    static let p2: UInt64 = 0xC2B2_AE3D_27D4_EB4F
    static let p3: UInt64 = 0x1656_67B1_9E37_79F9
    static let p4: UInt64 = 0x85EB_CA77_C2B2_AE63
    static let p5: UInt64 = 0x27D4_EB2F_1656_67C5

    @inline(__always) static func rotl(_ x: UInt64, _ r: UInt64) -> UInt64 { (x << r) | (x >> (64 - r)) }
    @inline(__always) static func round(_ acc: UInt64, _ input: UInt64) -> UInt64 {
        rotl(acc &+ input &* p2, 31) &* p1
    }
    @inline(__always) static func merge(_ acc: UInt64, _ val: UInt64) -> UInt64 {
        (acc ^ round(0, val)) &* p1 &+ p4
    }

    public static func hash(_ bytes: UnsafeRawBufferPointer, seed: UInt64 = 0) -> UInt64 {
        let n = bytes.count
        var i = 0
        var h: UInt64
        @inline(__always) func u64(_ at: Int) -> UInt64 { UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: at, as: UInt64.self)) }
        @inline(__always) func u32(_ at: Int) -> UInt64 { UInt64(UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: at, as: UInt32.self))) }
        if n >= 32 {
            var v1 = seed &+ p1 &+ p2, v2 = seed &+ p2, v3 = seed, v4 = seed &- p1
            while i + 32 <= n {
                v1 = round(v1, u64(i)); v2 = round(v2, u64(i + 8))
                v3 = round(v3, u64(i + 16)); v4 = round(v4, u64(i + 24))
                i += 32
            }
            h = rotl(v1, 1) &+ rotl(v2, 7) &+ rotl(v3, 12) &+ rotl(v4, 18)
            h = merge(h, v1); h = merge(h, v2); h = merge(h, v3); h = merge(h, v4)
        } else {
            h = seed &+ p5
        }
        h = h &+ UInt64(n)
        while i + 8 <= n {
            h ^= round(0, u64(i))
            h = rotl(h, 27) &* p1 &+ p4
            i += 8
        }
        if i + 4 <= n {
            h ^= u32(i) &* p1
            h = rotl(h, 23) &* p2 &+ p3
            i += 4
        }
        while i < n {
            h ^= UInt64(bytes[i]) &* p5
            h = rotl(h, 11) &* p1
            i += 1
        }
        h ^= h >> 33; h = h &* p2
        h ^= h >> 29; h = h &* p3
        h ^= h >> 32
        return h
    }

    public static func hash(_ data: [UInt8], seed: UInt64 = 0) -> UInt64 {
        data.withUnsafeBytes { hash($0, seed: seed) }
    }
}
