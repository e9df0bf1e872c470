// TorchGenerator: torch's default CPU generator — `torch.manual_seed(s); torch.randn(shape)` and `torch.rand(shape)`
// reproduced bit for bit in float32 (torch 2.x, the AVX2 kernels of its x86-64 wheels). The published dataset is
// (prompt, seed) rows, so the initial latents must be exactly torch's.
//
// What torch does (ATen/native/cpu/DistributionTemplates.h, ATen/core/DistributionsHelper.h):
// - rand: each element is (word & 0xFFFFFF) · 2⁻²⁴ from one 32-bit MT19937 word.
// - randn with ≥ 16 elements (contiguous float32): every element first gets a float uniform as above; then each
//   block of 16 is turned into normals in place by Box–Muller: lanes 0–7 are u1, lanes 8–15 u2,
//   r = √(−2 log(1 − u1)), θ = 2π u2, out = (r cos θ, r sin θ), with avx_mathfun's float32 log/sincos
//   (CephesAVXMath). When the count is not a multiple of 16, 16 fresh uniforms overwrite the LAST 16 elements and
//   that block is transformed again.
// - randn with < 16 elements: the scalar double path — u1, u2 from 53 bits of two words each, r = √(−2 log1p(−u2)),
//   θ = 2π u1, returns r cos θ and caches r sin θ for the next element (the cache lives in the generator).

import Foundation
import Tensor

/// torch's CPU default generator: MT19937 plus torch's uniform and normal transforms.
public struct TorchGenerator: RandomSource {
    private var engine: MT19937
    private var cachedNormal: Double?
    /// Which compilation of avx_mathfun to mirror: torch's Linux wheels fuse multiply-adds (see CephesAVXMath).
    public var fusedMultiplyAdd: Bool = true

    /// `torch.manual_seed(seed)`: the low 32 bits seed MT19937; the cached normal is cleared.
    public init(seed: UInt64) {
        engine = MT19937(seed: seed)
        cachedNormal = nil
    }

    /// Seeds given as Python ints may be negative: torch wraps them to uint64 first.
    public init(seed: Int64) {
        self.init(seed: UInt64(bitPattern: seed))
    }

    /// One 32-bit word (`generator->random()`).
    public mutating func random32() -> UInt32 { engine.next32() }

    /// Two words, the first as the high half (`generator->random64()`).
    public mutating func random64() -> UInt64 {
        let hi = UInt64(engine.next32())
        let lo = UInt64(engine.next32())
        return (hi << 32) | lo
    }

    /// A float uniform in [0, 1) as `uniform_real_distribution<float>(0, 1)` draws it.
    @inline(__always) private mutating func uniformFloat() -> Float {
        Float(random32() & 0xFF_FFFF) * (1.0 / 16_777_216.0)
    }

    /// A double uniform in [0, 1) as `uniform_real_distribution<double>(0, 1)` draws it.
    @inline(__always) private mutating func uniformDouble() -> Double {
        Double(random64() & ((1 << 53) - 1)) * (1.0 / 9_007_199_254_740_992.0)
    }

    /// `torch.rand(shape)`: `count` float32 uniforms in [0, 1).
    public mutating func rand(count: Int) -> [Float] {
        (0..<count).map { _ in uniformFloat() }
    }

    /// `torch.randn(shape)` for a contiguous float32 tensor of `count` elements.
    public mutating func randn(count: Int) -> [Float] {
        if count < 16 {
            return (0..<count).map { _ in Float(scalarNormal()) }
        }
        var data = [Float](repeating: 0, count: count)
        let fused = fusedMultiplyAdd
        for i in 0..<count { data[i] = uniformFloat() }
        data.withUnsafeMutableBufferPointer { buf in
            var i = 0
            while i + 16 <= count {
                Self.boxMuller16(buf.baseAddress! + i, fused: fused)
                i += 16
            }
        }
        if count % 16 != 0 {
            let start = count - 16
            for j in 0..<16 { data[start + j] = uniformFloat() }
            data.withUnsafeMutableBufferPointer { Self.boxMuller16($0.baseAddress! + start, fused: fused) }
        }
        return data
    }

    /// `torch.randn(shape)` as a Tensor (e.g. initial latents [1, 4, 64, 64]).
    public mutating func randn(shape: [Int]) -> Tensor {
        Tensor(shape: shape, data: randn(count: shape.reduce(1, *)))
    }

    /// The scalar `normal_distribution<double>(0, 1)` with the generator's one-sample cache.
    private mutating func scalarNormal() -> Double {
        if let cached = cachedNormal {
            cachedNormal = nil
            return cached
        }
        let u1 = uniformDouble()
        let u2 = uniformDouble()
        let r = (-2.0 * Foundation.log1p(-u2)).squareRoot()
        let theta = 2.0 * Double.pi * u1
        cachedNormal = r * Foundation.sin(theta)
        return r * Foundation.cos(theta)
    }

    /// NormalFill16<float> (AVX2): 16 uniforms in place → 16 standard normals.
    private static func boxMuller16(_ p: UnsafeMutablePointer<Float>, fused: Bool) {
        let twoPi = Float(2.0 * Double.pi)
        for j in 0..<8 {
            let u1 = 1 - p[j]
            let u2 = p[j + 8]
            let radius = (Float(-2) * CephesAVXMath.log(u1, fused: fused)).squareRoot()
            let theta = twoPi * u2
            let (s, c) = CephesAVXMath.sincos(theta, fused: fused)
            p[j] = radius * c
            p[j + 8] = radius * s
        }
    }
}
