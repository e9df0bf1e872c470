// Query-block size for the blocked attention kernel (Tensor+Attention.swift), with environment overrides for tuning.
import CKernels
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

    /// LDMPROBE_ATTN_FUSED=0: the sgemm path even where the fused kernel runs (for comparison).
    static let fusedOff = ProcessInfo.processInfo.environment["LDMPROBE_ATTN_FUSED"] == "0"

    /// Whether Tensor.attention takes the fused kernel: asked for (or not refused, no sgemm block size given and a
    /// shape where it measured faster) and the CPU runs it.
    static func useFused(_ fused: Bool?, blockRows: Int?, tq: Int, tk: Int, d: Int) -> Bool {
        guard ldmp_attn_fused_supported() != 0 else { return false }
        if let fused { return fused }
        return blockRows == nil && !fusedOff && fusedWins(tq: tq, tk: tk, d: d)
    }

    /// Shapes where the fused kernel beat the sgemm path per CPU-second (A/B in one process, 2 cores under load):
    /// UNet self-attention 4096² d 40 1.50×, 1024² d 40 1.35×, d 80 1.13–1.21×, 256² d 160 1.07×; cross-attention
    /// (77 keys) 1.14–1.19×. It lost on 64 × 64 at d 160 (0.85×), CLIP's 77 × 77 at d 64 (0.84×) and the VAE's d 512
    /// (0.6×), where packing Kᵀ and V and per-row overheads weigh more.
    static func fusedWins(tq: Int, tk: Int, d: Int) -> Bool {
        tq >= 256 && tk >= 64 && d <= 160
    }

    /// LDMPROBE_ATTN_FUSED_ROWS (rounded up to a multiple of 24) overrides the fused kernel's query block.
    static let fusedRowsOverride: Int? = ProcessInfo.processInfo.environment["LDMPROBE_ATTN_FUSED_ROWS"]
        .flatMap { Int($0) }.map { max(24, (min($0, 1 << 16) + 23) / 24 * 24) }   // capped before the arithmetic

    /// Query rows per block of the fused kernel for `tk` keys.
    static func fusedRows(tk: Int) -> Int { fusedRowsOverride ?? ldmp_attn_fused_rows(tk) }
}
