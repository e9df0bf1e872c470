// World: draws a random scene from a seed — one or two objects, a floor, a sun, a sky and a camera.

/// Scene distribution. Everything derives from the seed through SceneRandom, so a seed is a scene.
public struct SceneSampler: Sendable {
    /// Probability that a scene has two objects (else one).
    public var twoObjectProbability: Double = 0.5

    public init() {}

    public func scene(seed: UInt64) -> Scene {
        var rng = SceneRandom(seed: seed)
        // Camera on a circle around the scene, looking slightly down.
        let azimuth = rng.uniform(0, 2 * Double.pi)
        let elevation = rng.uniform(12, 32) * Double.pi / 180
        let distance = rng.uniform(6.0, 7.5)
        let target = Vec3(0, 0.55, 0)
        let position = target + Vec3(_cos(elevation) * _cos(azimuth), _sin(elevation), _cos(elevation) * _sin(azimuth))
            * distance
        let camera = Camera(position: position, target: target, fovDegrees: rng.uniform(34, 42))
        let basis = camera.basis
        // Ground-plane axes of the camera: right and forward projected onto y = 0.
        let right = Vec3(basis.right.x, 0, basis.right.z).normalized
        let forward = Vec3(basis.forward.x, 0, basis.forward.z).normalized

        let count = rng.uniform(0, 1) < twoObjectProbability ? 2 : 1
        var objects: [SceneObject] = []
        for i in 0..<count {
            let kind = ObjectKind.allCases[rng.index(ObjectKind.allCases.count)]
            let color = ObjectColor.allCases[rng.index(ObjectColor.allCases.count)]
            let material: Material = rng.uniform(0, 1) < 0.3 ? .shiny : .matte
            let jitter = Vec3(rng.uniform(-0.05, 0.05), rng.uniform(-0.05, 0.05), rng.uniform(-0.05, 0.05))
            let albedo = clamp01(color.albedo + jitter)
            let size = kind == .torus ? rng.uniform(0.65, 0.85) : rng.uniform(0.55, 0.8)
            // One object near the centre; two objects on either side of it, left one first.
            let side = count == 1 ? rng.uniform(-0.4, 0.4) : (i == 0 ? -1.0 : 1.0) * rng.uniform(1.05, 1.45)
            let depth = rng.uniform(-0.6, 0.6)
            let p = right * side + forward * depth
            objects.append(SceneObject(kind: kind, color: color, material: material, albedo: albedo,
                                       groundX: p.x, groundZ: p.z, size: size, yaw: rng.uniform(0, 2 * Double.pi)))
        }
        // Keep the caption's order true: left to right on screen, footprints apart.
        if count == 2 {
            objects.sort { camera.screenX(of: $0.center) < camera.screenX(of: $1.center) }
            let gap = (Vec3(objects[0].groundX, 0, objects[0].groundZ) - Vec3(objects[1].groundX, 0, objects[1].groundZ)).length
            let need = objects[0].footprintRadius + objects[1].footprintRadius + 0.1
            if gap < need {
                let push = (need - gap) / 2 + 0.01
                objects[0].groundX -= right.x * push; objects[0].groundZ -= right.z * push
                objects[1].groundX += right.x * push; objects[1].groundZ += right.z * push
            }
        }

        let floor = FloorKind.allCases[rng.index(FloorKind.allCases.count)]
        let tint = Vec3(rng.uniform(0.85, 1.1), rng.uniform(0.85, 1.1), rng.uniform(0.85, 1.1))
        let phase = Vec3(rng.uniform(0, 100), rng.uniform(0, 2 * Double.pi), rng.uniform(0, 100))
        let sunAzimuth = rng.uniform(0, 2 * Double.pi)
        let sunElevation = rng.uniform(25, 70) * Double.pi / 180
        let intensity = rng.uniform(0.6, 0.85)
        let ambient = rng.uniform(0.12, 1 - intensity)
        let light = Light(direction: Vec3(_cos(sunElevation) * _cos(sunAzimuth), _sin(sunElevation),
                                          _cos(sunElevation) * _sin(sunAzimuth)),
                          intensity: intensity, ambient: ambient)
        let warm = rng.uniform(-0.08, 0.08)
        let skyHorizon = clamp01(Vec3(0.80 + warm, 0.85, 0.90 - warm))
        let skyZenith = clamp01(Vec3(0.30 + warm, 0.50, 0.85 - warm) * rng.uniform(0.85, 1.1))
        return Scene(seed: seed, objects: objects, floor: floor, floorTint: tint, floorPhase: phase, light: light,
                     skyHorizon: skyHorizon, skyZenith: skyZenith, camera: camera)
    }
}

@inline(__always) func clamp01(_ v: Vec3) -> Vec3 {
    Vec3(min(max(v.x, 0), 1), min(max(v.y, 0), 1), min(max(v.z, 0), 1))
}
