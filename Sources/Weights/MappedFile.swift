// MappedFile: a whole file mapped read-only with mmap, so multi-GB checkpoints cost address space, not RAM, and
// tensors are converted straight from the page cache.
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A read-only memory mapping of one file; unmapped when the last reference goes.
public final class MappedFile: @unchecked Sendable {
    /// The path it was opened with (used in error messages).
    public let path: String
    /// The file's bytes.
    public let bytes: UnsafeRawBufferPointer

    public init(path: String) throws {
        self.path = path
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else {
            throw WeightSourceError.unreadable(file: path, reason: String(cString: strerror(errno)))
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            throw WeightSourceError.unreadable(file: path, reason: String(cString: strerror(errno)))
        }
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            throw WeightSourceError.unreadable(file: path, reason: "not a regular file")
        }
        let size = Int(info.st_size)
        if size == 0 {
            bytes = UnsafeRawBufferPointer(start: nil, count: 0)
            return
        }
        guard let base = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), base != MAP_FAILED else {
            throw WeightSourceError.unreadable(file: path, reason: "mmap failed: \(String(cString: strerror(errno)))")
        }
        bytes = UnsafeRawBufferPointer(start: base, count: size)
    }

    deinit {
        if let base = bytes.baseAddress { munmap(UnsafeMutableRawPointer(mutating: base), bytes.count) }
    }

    /// Drops the whole pages inside `range` from this process's resident set once their bytes were copied out:
    /// otherwise loading keeps the file's pages and their converted copies resident at once (RSS twice the
    /// weights). The mapping is read-only and private, so a later read just faults the page in again.
    public func release(_ range: Range<Int>) {
        guard let base = bytes.baseAddress else { return }
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let lo = (range.lowerBound + page - 1) / page * page, hi = range.upperBound / page * page
        guard hi > lo else { return }
        _ = madvise(UnsafeMutableRawPointer(mutating: base + lo), hi - lo, MADV_DONTNEED)
    }

    /// Bytes [offset, offset + count) — the caller has checked the range.
    public func slice(_ offset: Int, _ count: Int) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + count)])
    }
}
