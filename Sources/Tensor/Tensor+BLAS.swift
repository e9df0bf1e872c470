// OpenBLAS entry points and the small parallel-for every kernel uses.
import COpenBLAS
import Foundation
import Dispatch

/// Thread setup for the numeric runtime: one pool (Dispatch's) of `cores` threads serves sgemm (split in
/// `sgemm`), the elementwise and normalisation loops (`parallelFor`) and the blocked kernels' tasks.
public enum Compute {
    /// Cores the kernels use: the active processors, or LDMPROBE_THREADS (at most those) when set (benchmarks).
    public static let cores: Int = {
        let available = max(1, ProcessInfo.processInfo.activeProcessorCount)
        // Fewer threads than cores on request, never more (an oversubscribed pool only adds context switches).
        if let s = ProcessInfo.processInfo.environment["LDMPROBE_THREADS"], let n = Int(s), n >= 1 {
            return min(n, available)
        }
        return available
    }()

    /// LDMPROBE_BLAS_POOL=openblas: OpenBLAS's own threads serve sgemm (the behaviour before one pool; for
    /// comparison). Default: OpenBLAS stays single-threaded and `sgemm` splits large products over Dispatch's
    /// threads itself, so one pool of `cores` threads does all the work — OpenBLAS's idle workers otherwise
    /// spin (sched_yield, ~0.1 s after every call) while Dispatch runs the next op on every core.
    static let openBLASPool = ProcessInfo.processInfo.environment["LDMPROBE_BLAS_POOL"] == "openblas"

    private static let once: Void = {
        openblas_set_num_threads(openBLASPool ? Int32(cores) : 1)
        ProcessHeap.configureOnce()
    }()

    /// Sets OpenBLAS's thread count once (idempotent; every sgemm wrapper calls it).
    @inline(__always) public static func setup() { _ = once }

    /// Runs `body` with OpenBLAS limited to one thread (when `enabled`), for loops that call sgemm from several
    /// threads at once: each call then stays on its own core instead of queueing for OpenBLAS's thread pool.
    public static func withSingleThreadedBLAS<R>(_ enabled: Bool = true, _ body: () throws -> R) rethrows -> R {
        setup()
        guard enabled, cores > 1 else { return try body() }
        if openBLASPool {
            openblas_set_num_threads(1)
            defer { openblas_set_num_threads(Int32(cores)) }
            return try body()
        }
        splitLock.lock(); singleThreaded += 1; splitLock.unlock()
        defer { splitLock.lock(); singleThreaded -= 1; splitLock.unlock() }
        return try body()
    }

    private static let splitLock = NSLock()
    /// > 0 while tasks run sgemm on every core (withSingleThreadedBLAS): `sgemm` must not split then.
    nonisolated(unsafe) private static var singleThreaded = 0

    /// Parts `sgemm` splits an m × n × k product into: 1 when OpenBLAS threads itself, inside tasks, or below
    /// ~2 M multiply-adds (where dispatch costs more than it saves).
    static func sgemmParts(m: Int, n: Int, k: Int) -> Int {
        guard !openBLASPool, cores > 1, m * n * k >= 1 << 21, max(m, n) >= 64 else { return 1 }
        splitLock.lock()
        defer { splitLock.unlock() }
        return singleThreaded > 0 ? 1 : min(cores, max(m, n) / 32)
    }

    /// Runs `body(task, scratch)` for task in 0..<n on up to `cores` threads that take the next task as they
    /// finish one (so a core slowed by other load does less). Each thread owns one scratch buffer of
    /// `scratch` floats, reused across its tasks.
    public static func concurrentTasks(_ n: Int, scratch: Int, threads maxThreads: Int = cores,
                                       _ body: (Int, UnsafeMutablePointer<Float>) -> Void) {
        let threads = min(maxThreads, n)
        func run(_ next: () -> Int?) {
            let buf = UnsafeMutablePointer<Float>.allocate(capacity: max(1, scratch))
            defer { buf.deallocate() }
            while let t = next() { body(t, buf) }
        }
        if threads <= 1 {
            var i = 0
            run { defer { i += 1 }; return i < n ? i : nil }
            return
        }
        let lock = NSLock()
        var counter = 0
        DispatchQueue.concurrentPerform(iterations: threads) { _ in
            run {
                lock.lock()
                defer { lock.unlock() }
                guard counter < n else { return nil }
                counter += 1
                return counter - 1
            }
        }
    }
}

/// Runs `body(i)` for i in 0..<n, spread over `Compute.cores` threads in contiguous chunks.
/// Small n (or `minPerThread` items of work) run inline to avoid dispatch overhead.
@inline(__always)
public func parallelFor(_ n: Int, minPerThread: Int = 1, _ body: (Int) -> Void) {
    let threads = min(Compute.cores, n / max(1, minPerThread))
    if threads <= 1 {
        for i in 0..<n { body(i) }
        return
    }
    let chunk = (n + threads - 1) / threads
    DispatchQueue.concurrentPerform(iterations: threads) { t in
        let lo = t * chunk, hi = min(n, lo + chunk)
        var i = lo
        while i < hi { body(i); i += 1 }
    }
}

/// Row-major single-precision GEMM: C[m,n] = alpha · op(A)[m,k] · op(B)[k,n] + beta · C.
/// `lda`/`ldb`/`ldc` are the row strides of A, B, C as stored (so a head's columns inside a wider matrix work).
@inline(__always)
public func sgemm(transA: Bool = false, transB: Bool = false, m: Int, n: Int, k: Int, alpha: Float = 1,
                  a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
                  beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int) {
    Compute.setup()
    let ta = transA ? CblasTrans : CblasNoTrans, tb = transB ? CblasTrans : CblasNoTrans
    let parts = Compute.sgemmParts(m: m, n: n, k: k)
    if parts <= 1 {
        cblas_sgemm(CblasRowMajor, ta, tb, Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c,
                    Int32(ldc))
        return
    }
    // Split the longer side of C into `parts` column (or row) panels, multiples of 16, one per thread; every
    // element of C is still one dot product over all of k, as in one call.
    let splitN = n >= m
    let length = splitN ? n : m
    let chunk = ((length + parts - 1) / parts + 15) / 16 * 16
    DispatchQueue.concurrentPerform(iterations: parts) { t in
        let lo = t * chunk, len = min(chunk, length - lo)
        guard len > 0 else { return }
        if splitN {   // columns lo ..< lo + len: op(B)'s columns are B's rows when transposed
            cblas_sgemm(CblasRowMajor, ta, tb, Int32(m), Int32(len), Int32(k), alpha, a, Int32(lda),
                        transB ? b + lo * ldb : b + lo, Int32(ldb), beta, c + lo, Int32(ldc))
        } else {      // rows lo ..< lo + len: op(A)'s rows are A's columns when transposed
            cblas_sgemm(CblasRowMajor, ta, tb, Int32(len), Int32(n), Int32(k), alpha, transA ? a + lo : a + lo * lda,
                        Int32(lda), b, Int32(ldb), beta, c + lo * ldc, Int32(ldc))
        }
    }
}

extension Tensor {
    /// Matrix product of the last two axes, batched over leading axes when both have the same ones:
    /// [..., M, K] × [..., K, N] → [..., M, N]. A 2-D right operand is shared by every batch.
    public func matmul(_ other: Tensor, transposeOther: Bool = false) -> Tensor {
        precondition(shape.count >= 2 && other.shape.count >= 2, "matmul: needs 2-D or more")
        let m = shape[shape.count - 2], k = shape[shape.count - 1]
        let ok = transposeOther ? other.shape[other.shape.count - 1] : other.shape[other.shape.count - 2]
        let n = transposeOther ? other.shape[other.shape.count - 2] : other.shape[other.shape.count - 1]
        precondition(k == ok, "matmul: inner sizes \(k) and \(ok) differ")
        let batch = count / (m * k)
        let otherBatch = other.count / (k * n)
        precondition(otherBatch == 1 || otherBatch == batch, "matmul: batch sizes differ")
        var out = Tensor(zeros: Array(shape.dropLast()) + [n])
        data.withUnsafeBufferPointer { a in
            other.data.withUnsafeBufferPointer { b in
                out.data.withUnsafeMutableBufferPointer { c in
                    for i in 0..<batch {
                        sgemm(transB: transposeOther, m: m, n: n, k: k,
                              a: a.baseAddress! + i * m * k, lda: k,
                              b: b.baseAddress! + (otherBatch == 1 ? 0 : i * k * n), ldb: transposeOther ? k : n,
                              c: c.baseAddress! + i * m * n, ldc: n)
                    }
                }
            }
        }
        return out
    }
}
