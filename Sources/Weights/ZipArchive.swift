// ZipArchive: the minimal zip reader torch checkpoints need (torch.save writes an uncompressed zip: data.pkl plus
// one data/N member per storage). Reads the central directory, zip64 included (SD checkpoints exceed 4 GB), and
// hands out STORED members as slices of the mapped file; compressed members are refused with a clear error.

/// A zip file whose stored members are read in place from a memory mapping.
public final class ZipArchive: @unchecked Sendable {
    public struct Member: Sendable {
        public var name: String
        /// Absolute byte range of the (stored) data in the file.
        public var range: Range<Int>
        public var method: Int
    }

    public let file: MappedFile
    public private(set) var members: [String: Member] = [:]
    /// Member names in directory order.
    public private(set) var names: [String] = []

    public convenience init(path: String) throws {
        try self.init(file: MappedFile(path: path))
    }

    public init(file: MappedFile) throws {
        self.file = file
        let b = file.bytes
        let path = file.path
        func bad(_ reason: String) -> WeightSourceError { .corrupt(file: path, tensor: nil, reason: reason) }
        func u16(_ o: Int) throws -> Int {
            guard o >= 0, o + 2 <= b.count else { throw bad("zip structure points past the end of the file") }
            return Int(b.loadUnaligned(fromByteOffset: o, as: UInt16.self).littleEndian)
        }
        func u32(_ o: Int) throws -> Int {
            guard o >= 0, o + 4 <= b.count else { throw bad("zip structure points past the end of the file") }
            return Int(b.loadUnaligned(fromByteOffset: o, as: UInt32.self).littleEndian)
        }
        func u64(_ o: Int) throws -> Int {
            guard o >= 0, o + 8 <= b.count else { throw bad("zip structure points past the end of the file") }
            let v = b.loadUnaligned(fromByteOffset: o, as: UInt64.self).littleEndian
            // Sizes, offsets and counts all lie within the file: bounding them here keeps every sum below overflow.
            guard v <= UInt64(b.count) else { throw bad("zip64 field \(v) at byte \(o) exceeds the file's \(b.count) bytes") }
            return Int(v)
        }
        // End of central directory: the last signature 0x06054b50 within 64 KiB + 22 bytes of the end.
        guard b.count >= 22 else { throw bad("\(b.count) bytes, too short for a zip archive") }
        var eocd = -1
        var o = b.count - 22
        let lowest = max(0, b.count - 22 - 65_535)
        while o >= lowest {
            if try u32(o) == 0x0605_4b50 { eocd = o; break }
            o -= 1
        }
        guard eocd >= 0 else { throw bad("no zip end-of-central-directory record (truncated, or not a torch zip checkpoint)") }
        var count = try u16(eocd + 10)
        var cdSize = try u32(eocd + 12)
        var cdOffset = try u32(eocd + 16)
        if count == 0xffff || cdSize == 0xffff_ffff || cdOffset == 0xffff_ffff {
            // zip64: locator just before the EOCD → zip64 EOCD record.
            let locator = eocd - 20
            guard locator >= 0, try u32(locator) == 0x0706_4b50 else { throw bad("zip64 locator missing") }
            let record = try u64(locator + 8)
            guard try u32(record) == 0x0606_4b50 else { throw bad("zip64 end-of-central-directory record missing") }
            count = try u64(record + 32)
            cdSize = try u64(record + 40)
            cdOffset = try u64(record + 48)
        }
        guard cdOffset + cdSize <= b.count else { throw bad("central directory lies outside the file (truncated)") }
        var p = cdOffset
        for _ in 0..<count {
            guard try u32(p) == 0x0201_4b50 else { throw bad("bad central directory entry at byte \(p)") }
            let method = try u16(p + 10)
            var compressed = try u32(p + 20)
            var size = try u32(p + 24)
            let nameLength = try u16(p + 28), extraLength = try u16(p + 30), commentLength = try u16(p + 32)
            var localOffset = try u32(p + 42)
            guard p + 46 + nameLength <= b.count else { throw bad("central directory name past the end") }
            let name = String(decoding: b[(p + 46)..<(p + 46 + nameLength)], as: UTF8.self)
            // zip64 extended information: present fields in the order size, compressed, offset.
            var e = p + 46 + nameLength
            let extraEnd = e + extraLength
            while e + 4 <= extraEnd {
                let tag = try u16(e), length = try u16(e + 2)
                if tag == 0x0001 {
                    var f = e + 4
                    if size == 0xffff_ffff { size = try u64(f); f += 8 }
                    if compressed == 0xffff_ffff { compressed = try u64(f); f += 8 }
                    if localOffset == 0xffff_ffff { localOffset = try u64(f); f += 8 }
                }
                e += 4 + length
            }
            guard try u32(localOffset) == 0x0403_4b50 else { throw bad("member '\(name)': bad local header") }
            let start = localOffset + 30 + (try u16(localOffset + 26)) + (try u16(localOffset + 28))
            guard start <= b.count, compressed <= b.count - start else {
                throw bad("member '\(name)': data [\(start), \(start + compressed)) lies outside the file (truncated)")
            }
            if method == 0, compressed != size { throw bad("member '\(name)': stored size \(compressed) ≠ \(size)") }
            members[name] = Member(name: name, range: start..<(start + compressed), method: method)
            names.append(name)
            p += 46 + nameLength + extraLength + commentLength
        }
    }

    /// The bytes of a stored member.
    public func data(_ name: String) throws -> UnsafeRawBufferPointer {
        guard let m = members[name] else {
            throw WeightSourceError.corrupt(file: file.path, tensor: nil, reason: "zip member '\(name)' is missing")
        }
        guard m.method == 0 else {
            throw WeightSourceError.corrupt(file: file.path, tensor: nil,
                reason: "zip member '\(name)' is compressed (method \(m.method)); only stored members are read")
        }
        return file.slice(m.range.lowerBound, m.range.count)
    }
}
