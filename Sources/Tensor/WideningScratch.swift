// WideningScratch: float32 buffers a half Parameter is widened into for one use. Large ones are reused across calls,
// because a fresh buffer above glibc's mmap threshold (32 MB) pays page faults on every call.
import Foundation

/// A pool of float buffers; each use takes one (the smallest free one that fits) and returns it. Uses may nest
/// (FeedForward holds two at once) and may come from several threads.
enum WideningScratch {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var free: [UnsafeMutableBufferPointer<Float>] = []

    /// Runs `body` with a buffer of at least `count` floats, contents undefined.
    static func with<R>(_ count: Int, _ body: (UnsafeMutablePointer<Float>) throws -> R) rethrows -> R {
        let buffer = take(count)
        defer { give(buffer) }
        return try body(buffer.baseAddress!)
    }

    private static func take(_ count: Int) -> UnsafeMutableBufferPointer<Float> {
        lock.lock()
        defer { lock.unlock() }
        let fits = free.indices.filter { free[$0].count >= count }
        if let i = fits.min(by: { free[$0].count < free[$1].count }) { return free.remove(at: i) }
        // None fits: replace the largest free one (its memory goes back) by one of the size asked for.
        if let i = free.indices.max(by: { free[$0].count < free[$1].count }) { free.remove(at: i).deallocate() }
        return .allocate(capacity: max(1, count))
    }

    /// Buffers below this many floats go back to malloc after use: the heap reuses them without page faults (they
    /// are under its 32 MB mmap threshold), and a kept one would sit in the UNet's memory peak (2 MB held there).
    static let keptFloats = ProcessHeap.mmapThreshold / 4

    private static func give(_ buffer: UnsafeMutableBufferPointer<Float>) {
        guard buffer.count >= keptFloats else { return buffer.deallocate() }
        lock.lock()
        free.append(buffer)
        lock.unlock()
    }

    /// Floats held by free buffers (tests, memory reports).
    static var heldFloats: Int {
        lock.lock()
        defer { lock.unlock() }
        return free.reduce(0) { $0 + $1.count }
    }
}
