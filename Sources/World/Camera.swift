// World: a pinhole camera looking at a target point; depth labels are camera-space z (like MiDaS), not ray length.

/// Pinhole camera with a vertical field of view.
public struct Camera: Sendable {
    public var position: Vec3
    public var target: Vec3
    /// Vertical field of view, degrees.
    public var fovDegrees: Double

    public init(position: Vec3, target: Vec3, fovDegrees: Double) {
        self.position = position; self.target = target; self.fovDegrees = fovDegrees
    }

    /// Orthonormal basis: forward (into the scene), right, up.
    public var basis: (forward: Vec3, right: Vec3, up: Vec3) {
        let f = (target - position).normalized
        let r = f.cross(Vec3(0, 1, 0)).normalized
        let u = r.cross(f)
        return (f, r, u)
    }

    /// Unit ray direction through image point (px, py) in pixels (0,0 = top-left corner) of a w×h image.
    @inline(__always)
    func direction(px: Double, py: Double, width: Int, height: Int,
                   basis: (forward: Vec3, right: Vec3, up: Vec3), tanHalf: Double) -> Vec3 {
        let aspect = Double(width) / Double(height)
        let sx = (2 * px / Double(width) - 1) * tanHalf * aspect
        let sy = (1 - 2 * py / Double(height)) * tanHalf
        return (basis.forward + basis.right * sx + basis.up * sy).normalized
    }

    /// Horizontal image coordinate in [-1, 1] (left to right) of a world point; used for "left of".
    public func screenX(of p: Vec3) -> Double {
        let b = basis
        let v = p - position
        let z = v.dot(b.forward)
        return v.dot(b.right) / max(z, 1e-9)
    }
}

/// A directional sun plus ambient light. Shading = ambient + intensity·max(0, n·l)·visibility, at most 1.
public struct Light: Sendable {
    /// Unit vector towards the light.
    public var direction: Vec3
    public var intensity: Double
    public var ambient: Double

    public init(direction: Vec3, intensity: Double, ambient: Double) {
        self.direction = direction.normalized; self.intensity = intensity; self.ambient = ambient
    }
}
