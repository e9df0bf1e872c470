// World: ray intersection with the unit shapes in object space (unit direction). Analytic for all shapes but the
// torus, which is sphere-traced on its signed distance to 1e-6 and refined, so depth is exact to float32 scale.

/// Ray–shape intersection in object space.
enum Shapes {
    /// Minor radius of the unit torus (major radius 1), lying flat in the xz plane.
    static let torusMinor = 0.38

    typealias Hit = (t: Double, normal: Vec3)

    @inline(__always)
    static func intersect(_ kind: ObjectKind, origin o: Vec3, direction d: Vec3, tMin: Double, tMax: Double) -> Hit? {
        switch kind {
        case .sphere: return sphere(o, d, tMin, tMax)
        case .cube: return box(o, d, tMin, tMax)
        case .cylinder: return cylinder(o, d, tMin, tMax)
        case .cone: return cone(o, d, tMin, tMax)
        case .torus: return torus(o, d, tMin, tMax)
        }
    }

    /// Unit sphere at the origin.
    static func sphere(_ o: Vec3, _ d: Vec3, _ tMin: Double, _ tMax: Double) -> Hit? {
        let b = o.dot(d)
        let disc = b * b - (o.dot(o) - 1)
        if disc < 0 { return nil }
        let sq = disc.squareRoot()
        for t in [-b - sq, -b + sq] where t > tMin && t < tMax {
            return (t, (o + d * t).normalized)
        }
        return nil
    }

    /// Cube [-1, 1]^3 (slab test).
    static func box(_ o: Vec3, _ d: Vec3, _ tMin: Double, _ tMax: Double) -> Hit? {
        var t0 = -Double.infinity, t1 = Double.infinity
        var n0 = Vec3.zero, n1 = Vec3.zero
        let os = [o.x, o.y, o.z], ds = [d.x, d.y, d.z]
        for axis in 0..<3 {
            let axisN = axis == 0 ? Vec3(1, 0, 0) : axis == 1 ? Vec3(0, 1, 0) : Vec3(0, 0, 1)
            if abs(ds[axis]) < 1e-12 {
                if abs(os[axis]) > 1 { return nil }
                continue
            }
            var a = (-1 - os[axis]) / ds[axis], b = (1 - os[axis]) / ds[axis]
            var na = -axisN, nb = axisN
            if a > b { swap(&a, &b); swap(&na, &nb) }
            if a > t0 { t0 = a; n0 = na }
            if b < t1 { t1 = b; n1 = nb }
            if t0 > t1 { return nil }
        }
        if t0 > tMin && t0 < tMax { return (t0, n0) }
        if t1 > tMin && t1 < tMax { return (t1, n1) }
        return nil
    }

    /// Upright cylinder: radius 1, y in [-1, 1], with caps.
    static func cylinder(_ o: Vec3, _ d: Vec3, _ tMin: Double, _ tMax: Double) -> Hit? {
        var best: Hit? = nil
        var bestT = tMax
        let a = d.x * d.x + d.z * d.z
        if a > 1e-12 {
            let b = o.x * d.x + o.z * d.z
            let c = o.x * o.x + o.z * o.z - 1
            let disc = b * b - a * c
            if disc >= 0 {
                let sq = disc.squareRoot()
                for t in [(-b - sq) / a, (-b + sq) / a] where t > tMin && t < bestT {
                    let p = o + d * t
                    if abs(p.y) <= 1 { best = (t, Vec3(p.x, 0, p.z).normalized); bestT = t; break }
                }
            }
        }
        if abs(d.y) > 1e-12 {
            for capY in [-1.0, 1.0] {
                let t = (capY - o.y) / d.y
                if t > tMin && t < bestT {
                    let p = o + d * t
                    if p.x * p.x + p.z * p.z <= 1 { best = (t, Vec3(0, capY, 0)); bestT = t }
                }
            }
        }
        return best
    }

    /// Upright cone: base radius 1 at y = -1, apex at y = 1 (radius (1 - y)/2), with its base disc.
    static func cone(_ o: Vec3, _ d: Vec3, _ tMin: Double, _ tMax: Double) -> Hit? {
        var best: Hit? = nil
        var bestT = tMax
        // x² + z² − k(1 − y)² = 0 with k = 1/4; w = 1 − y.
        let k = 0.25
        let w0 = 1 - o.y
        let a = d.x * d.x + d.z * d.z - k * d.y * d.y
        let b = o.x * d.x + o.z * d.z + k * w0 * d.y
        let c = o.x * o.x + o.z * o.z - k * w0 * w0
        var roots: [Double] = []
        if abs(a) > 1e-12 {
            let disc = b * b - a * c
            if disc >= 0 {
                let sq = disc.squareRoot()
                roots = [(-b - sq) / a, (-b + sq) / a].sorted()
            }
        } else if abs(b) > 1e-12 {
            roots = [-c / (2 * b)]
        }
        for t in roots where t > tMin && t < bestT {
            let p = o + d * t
            if p.y >= -1 && p.y <= 1 {
                best = (t, Vec3(p.x, k * (1 - p.y), p.z).normalized); bestT = t; break
            }
        }
        if abs(d.y) > 1e-12 {
            let t = (-1 - o.y) / d.y
            if t > tMin && t < bestT {
                let p = o + d * t
                if p.x * p.x + p.z * p.z <= 1 { best = (t, Vec3(0, -1, 0)); bestT = t }
            }
        }
        return best
    }

    @inline(__always)
    static func torusDistance(_ p: Vec3) -> Double {
        let q = (p.x * p.x + p.z * p.z).squareRoot() - 1
        return (q * q + p.y * p.y).squareRoot() - torusMinor
    }

    /// Torus (major radius 1, minor `torusMinor`) lying in the xz plane: sphere tracing from the bounding sphere.
    static func torus(_ o: Vec3, _ d: Vec3, _ tMin: Double, _ tMax: Double) -> Hit? {
        let rb = 1 + torusMinor + 1e-3
        let b = o.dot(d)
        let disc = b * b - (o.dot(o) - rb * rb)
        if disc < 0 { return nil }
        let sq = disc.squareRoot()
        var t = max(tMin, -b - sq)
        let tEnd = min(tMax, -b + sq)
        var steps = 0
        while t < tEnd && steps < 256 {
            let dist = torusDistance(o + d * t)
            if dist < 1e-7 {
                let p = o + d * t
                let rxz = (p.x * p.x + p.z * p.z).squareRoot()
                let ring = rxz > 1e-12 ? Vec3(p.x / rxz, 0, p.z / rxz) : Vec3(1, 0, 0)
                return (t, (p - ring).normalized)
            }
            t += dist
            steps += 1
        }
        return nil
    }
}
