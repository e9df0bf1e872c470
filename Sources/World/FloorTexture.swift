// World: procedural albedo of the ground plane (wood planks, checker tiles, grass, stone), a function of (x, z).

/// Ground albedo for each floor kind. Pure functions of position and the scene's tint/phase.
enum FloorTexture {
    @inline(__always)
    static func hash(_ x: Int, _ y: Int, _ salt: Int) -> Double {
        var h = UInt64(bitPattern: Int64(x)) &* 0x9E37_79B9_7F4A_7C15
        h ^= UInt64(bitPattern: Int64(y)) &* 0xC2B2_AE3D_27D4_EB4F
        h ^= UInt64(bitPattern: Int64(salt)) &* 0x1656_67B1_9E37_79F9
        h ^= h >> 29; h &*= 0xBF58_476D_1CE4_E5B9; h ^= h >> 32
        return Double(h >> 11) * (1.0 / 9_007_199_254_740_992.0)
    }

    /// Smooth value noise in [0, 1].
    @inline(__always)
    static func noise(_ x: Double, _ y: Double, _ salt: Int) -> Double {
        let fx = x.rounded(.down), fy = y.rounded(.down)
        let ix = Int(fx), iy = Int(fy)
        let tx = x - fx, ty = y - fy
        let sx = tx * tx * (3 - 2 * tx), sy = ty * ty * (3 - 2 * ty)
        let a = hash(ix, iy, salt), b = hash(ix + 1, iy, salt)
        let c = hash(ix, iy + 1, salt), d = hash(ix + 1, iy + 1, salt)
        return (a + (b - a) * sx) + ((c + (d - c) * sx) - (a + (b - a) * sx)) * sy
    }

    static func albedo(_ kind: FloorKind, x: Double, z: Double, tint: Vec3, phase: Vec3) -> Vec3 {
        let px = x + phase.x, pz = z + phase.z
        var c: Vec3
        switch kind {
        case .wood:
            // Planks 0.5 wide along x, grain rings, dark seams.
            let plank = (pz / 0.5).rounded(.down)
            let offset = hash(Int(plank), 7, 1) * 10
            let grain = 0.5 + 0.5 * _sin((px + offset) * 3.0 + 4 * noise((px + offset) * 1.5, pz * 6, 2))
            let seam = abs(pz / 0.5 - (pz / 0.5).rounded()) < 0.04 ? 0.55 : 1.0
            let shade = 0.85 + 0.3 * hash(Int(plank), 3, 4)
            c = (Vec3(0.62, 0.40, 0.20) * (1 - 0.35 * grain)) * (shade * seam)
        case .checkered:
            let ix = Int((px / 0.6).rounded(.down)), iz = Int((pz / 0.6).rounded(.down))
            c = (ix + iz) & 1 == 0 ? Vec3(0.85, 0.85, 0.82) : Vec3(0.18, 0.18, 0.20)
        case .grass:
            let n = 0.6 * noise(px * 3, pz * 3, 5) + 0.4 * noise(px * 11, pz * 11, 6)
            c = Vec3(0.20, 0.45, 0.12) * (0.7 + 0.6 * n)
        case .stone:
            // Irregular slabs: cell noise with grout lines.
            let ix = Int((px / 0.8).rounded(.down)), iz = Int((pz / 0.8).rounded(.down))
            let fx = px / 0.8 - Double(ix), fz = pz / 0.8 - Double(iz)
            let grout = (fx < 0.05 || fz < 0.05) ? 0.6 : 1.0
            let n = noise(px * 5, pz * 5, 8)
            let g = 0.45 + 0.15 * hash(ix, iz, 9) + 0.15 * n
            c = Vec3(g, g * 0.97, g * 0.93) * grout
        }
        return clamp01(c * tint)
    }
}
