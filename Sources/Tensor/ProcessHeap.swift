// ProcessHeap: the one place that sets glibc malloc's tunables (docs/memory.md). By default glibc keeps up to 8
// arenas per core (each holding freed memory of its own) and moves its mmap threshold as buffers come and go.
import CKernels
import Foundation

public enum ProcessHeap {
    /// Fixed thresholds (also switches off glibc's dynamic ones): buffers under 32 MB (every activation at latent 32,
    /// most at 64) come from the heap and are reused from call to call; free memory at the top of the heap is kept
    /// up to 512 MB. Measured against 1 MB / 4 MB (`lean`), which maps and unmaps every buffer of 1 MB and more:
    /// that saves 10–15 MB of peak RSS but costs ~50% more CPU per UNet call (page faults and page clearing).
    public static let mmapThreshold = 32 << 20
    public static let trimThreshold = 512 << 20

    /// glibc arenas (M_ARENA_MAX).
    public static let arenas = 1

    /// LDMPROBE_MALLOC=lean: the RSS-first thresholds, for comparison.
    static let leanMmapThreshold = 1 << 20
    static let leanTrimThreshold = 4 << 20

    /// Applies the settings (LDMPROBE_MALLOC=default keeps glibc's own, =lean the RSS-first ones). Call it at
    /// process start, before threads allocate; `Compute.setup` applies the environment's settings once if the
    /// program did not. Returns whether settings were applied.
    @discardableResult
    public static func configure(environment: [String: String]) -> Bool {
        configured.lock()
        isConfigured = true
        configured.unlock()
        let mode = environment["LDMPROBE_MALLOC"]
        guard mode != "default" else { return false }
        let lean = mode == "lean"
        // One arena: threads rarely malloc at once here (tensors are allocated by the op's caller), and the
        // workers' scratch (conv tiles, attention) then reuses the caller's freed activations instead of keeping
        // free memory of its own in a second arena (−8 MB peak RSS at latent 32 and 64, docs/memory.md).
        return ldmp_heap_configure(Int32(arenas), lean ? leanMmapThreshold : mmapThreshold,
                                   lean ? leanTrimThreshold : trimThreshold) == 1
    }

    private static let configured = NSLock()
    nonisolated(unsafe) private static var isConfigured = false

    /// `configure` with the process environment, unless it already ran (library users that never call it).
    static func configureOnce() {
        configured.lock()
        let done = isConfigured
        configured.unlock()
        if !done { configure(environment: ProcessInfo.processInfo.environment) }
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
