// World: one object resting on the ground. Its geometry is a unit shape in object space, scaled, turned about y
// and moved so that its lowest point touches y = 0.

/// An object of the scene: shape, colour, material, pose and size.
public struct SceneObject: Sendable {
    public var kind: ObjectKind
    public var color: ObjectColor
    public var material: Material
    /// Albedo actually used (the named colour with a small jitter).
    public var albedo: Vec3
    /// Position on the ground (x, z); the object stands on y = 0.
    public var groundX: Double
    public var groundZ: Double
    /// Uniform scale of the unit shape (world units per object unit).
    public var size: Double
    /// Rotation about the vertical axis, radians.
    public var yaw: Double

    public init(kind: ObjectKind, color: ObjectColor, material: Material, albedo: Vec3,
                groundX: Double, groundZ: Double, size: Double, yaw: Double) {
        self.kind = kind; self.color = color; self.material = material; self.albedo = albedo
        self.groundX = groundX; self.groundZ = groundZ; self.size = size; self.yaw = yaw
    }

    /// Height of the object-space origin above the ground, in object units (the unit shape's lowest y, negated).
    var baseOffset: Double { kind == .torus ? Shapes.torusMinor : 1 }

    /// World-space centre of the object-space origin.
    public var center: Vec3 { Vec3(groundX, baseOffset * size, groundZ) }

    /// Radius of a sphere around the object (for placement and ray culling), world units.
    public var boundingRadius: Double {
        switch kind {
        case .sphere: return size
        case .cube: return size * 3.0.squareRoot()
        case .cylinder: return size * 2.0.squareRoot()
        case .cone: return size * 2.0.squareRoot()
        case .torus: return size * (1 + Shapes.torusMinor)
        }
    }

    /// Horizontal footprint radius, world units (placement keeps footprints apart).
    public var footprintRadius: Double {
        switch kind {
        case .cube: return size * 2.0.squareRoot()
        case .torus: return size * (1 + Shapes.torusMinor)
        default: return size
        }
    }

    /// Nearest hit of the world ray o + t·d (d unit) with t in (tMin, tMax): distance and world normal.
    @inline(__always)
    func intersect(origin o: Vec3, direction d: Vec3, tMin: Double, tMax: Double) -> (t: Double, normal: Vec3)? {
        let c = center
        // Cull with the bounding sphere first.
        let oc = o - c
        let b = oc.dot(d)
        let r = boundingRadius
        let disc = b * b - (oc.dot(oc) - r * r)
        if disc < 0 { return nil }
        let sq = disc.squareRoot()
        if -b + sq <= tMin || -b - sq >= tMax { return nil }
        // Object space: undo translation, yaw and scale. Distances scale by `size`.
        let inv = 1 / size
        let ol = oc.rotatedY(-yaw) * inv
        let dl = d.rotatedY(-yaw)
        guard let hit = Shapes.intersect(kind, origin: ol, direction: dl, tMin: tMin * inv, tMax: tMax * inv)
        else { return nil }
        return (hit.t * size, hit.normal.rotatedY(yaw))
    }
}
