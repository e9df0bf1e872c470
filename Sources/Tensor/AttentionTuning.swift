// Query-block size for the blocked attention kernel (Tensor+Attention.swift), with environment overrides for tuning.
import Foundation

/// Block size choice for `Tensor.attention` (LDMPROBE_ATTN_ROWS overrides it, for tuning).
public enum AttentionTuning {
    static let override: Int? = ProcessInfo.processInfo.environment["LDMPROBE_ATTN_ROWS"].flatMap { Int($0) }
    /// LDMPROBE_ATTN_SERIAL=1: tasks one after another with multithreaded sgemm (for comparison).
    static let serial = ProcessInfo.processInfo.environment["LDMPROBE_ATTN_SERIAL"] == "1"

    /// Query rows per task: about 512 K scores (2 MB; at 4096 keys 128 rows: measured faster than 16–64 rows,
    /// whose smaller sgemms run less efficiently than the L2 misses cost), at least 16.
    public static func blockRows(tk: Int) -> Int {
        if let override { return override }
        return max(16, (512 << 10) / max(1, tk))
    }
}
