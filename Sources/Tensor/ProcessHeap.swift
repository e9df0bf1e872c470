// ProcessHeap: glibc malloc settings that keep peak RSS near the live bytes (docs/memory.md). By default glibc
// keeps up to 8 arenas per core (each holding freed memory of its own) and, after a large buffer is freed, raises
// its mmap threshold to 32 MB and its trim threshold to 64 MB, so tens of MB of freed activations stay resident.
import CKernels

public enum ProcessHeap {
    /// Fixed thresholds (also switches off glibc's dynamic raise): buffers of 1 MB and more are mapped and unmapped
    /// on their own; free memory at the top of the heap above 4 MB goes back at once.
    public static let mmapThreshold = 1 << 20
    public static let trimThreshold = 4 << 20

    /// Applies the settings once, at process start (before threads allocate). LDMPROBE_MALLOC=default keeps
    /// glibc's own (for comparison). Returns whether they were applied.
    @discardableResult
    public static func configure(environment: [String: String]) -> Bool {
        guard environment["LDMPROBE_MALLOC"] != "default" else { return false }
        // One arena per core: threads rarely malloc at once here (tensors are allocated by the op's caller).
        return ldmp_heap_configure(Int32(max(1, Compute.cores)), mmapThreshold, trimThreshold) == 1
    }

    /// Returns free heap pages to the system (after a model load, whose temporaries leave holes).
    public static func trim() { _ = ldmp_heap_trim() }

    /// Bytes malloc holds for live blocks, free inside its arenas, and in mapped chunks (mallinfo2; 0 elsewhere).
    public static func stats() -> (inUse: Int, free: Int, mapped: Int) {
        var used = 0, free = 0, mapped = 0
        ldmp_heap_stats(&used, &free, &mapped)
        return (used, free, mapped)
    }
}
