// ProcessHeap: the glibc settings apply, malloc's figures follow a large allocation, and a freed buffer above the
// mmap threshold leaves the heap's live bytes (so it no longer counts towards RSS).
import Tensor
import XCTest

final class ProcessHeapTests: XCTestCase {
    func testSettingsApplyAndFiguresFollowALargeBuffer() {
        // ProcessHeap is the only code that sets glibc's thresholds (Compute.setup applies them once if no one did).
        XCTAssertTrue(ProcessHeap.configure(environment: [:]), "mallopt refused the settings (glibc expected)")
        XCTAssertFalse(ProcessHeap.configure(environment: ["LDMPROBE_MALLOC": "default"]))
        XCTAssertTrue(ProcessHeap.configure(environment: ["LDMPROBE_MALLOC": "lean"]))
        XCTAssertTrue(ProcessHeap.configure(environment: [:]))
        let before = ProcessHeap.stats()
        let n = 8 << 20                                                      // 32 MB of floats
        let p = UnsafeMutablePointer<Float>.allocate(capacity: n)
        p.initialize(repeating: 1, count: n)
        let during = ProcessHeap.stats()
        p.deallocate()
        ProcessHeap.trim()
        let after = ProcessHeap.stats()
        print("heap in use: before \(before.inUse), with 32 MB \(during.inUse), after free \(after.inUse); "
              + "mapped \(before.mapped) / \(during.mapped) / \(after.mapped)")
        // Whether the 32 MB come from a fresh mapping or a free chunk left by earlier tests in this process depends on
        // the heap's history (a free chunk that fits is reused before the mmap threshold is consulted), so only the
        // live-byte figures are asserted; a page of allocator bookkeeping either way.
        XCTAssertGreaterThanOrEqual(during.inUse - before.inUse, 4 * n - 4096, "malloc's figures follow a 32 MB buffer")
        XCTAssertLessThan(after.inUse, during.inUse - 4 * n + (1 << 20), "freeing it gives the 32 MB back")
    }
}
