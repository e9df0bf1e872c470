// World: ray casts a scene into an image and its exact labels. Primary rays find the nearest object or the
// floor; one shadow ray per hit gives cast shadows. RGB/albedo/shading average samples×samples rays per pixel;
// depth, inverse depth and the foreground mask come from the pixel-centre ray, so they are exact.
import Dispatch

/// Renders scenes at any size.
public struct Renderer: Sendable {
    /// Rays per pixel along each axis for RGB, albedo and shading (1 = the centre ray only, so RGB = albedo ×
    /// shading exactly on matte surfaces; 2 = 4 rays, smoother edges).
    public var samples: Int

    public init(samples: Int = 2) {
        self.samples = max(1, samples)
    }

    /// What one ray sees.
    struct Sample {
        var albedo: Vec3
        var shading: Double
        var specular: Double
        var depth: Double   // camera-space z, +inf for sky
        var object: Int     // -1 floor or sky
    }

    public func render(_ scene: Scene, width: Int, height: Int) -> RenderedScene {
        var out = RenderedScene(width: width, height: height)
        let basis = scene.camera.basis
        let tanHalf = tanDeg(scene.camera.fovDegrees / 2)
        let n = samples
        // Rows in parallel; each row writes only its own slice of these buffers, copied out at the end.
        let count = width * height
        let rows = (UnsafeMutableBufferPointer<Float>.allocate(capacity: 3 * count),
                    UnsafeMutableBufferPointer<Float>.allocate(capacity: 3 * count),
                    UnsafeMutableBufferPointer<Float>.allocate(capacity: count),
                    UnsafeMutableBufferPointer<Float>.allocate(capacity: count),
                    UnsafeMutableBufferPointer<Float>.allocate(capacity: count),
                    UnsafeMutableBufferPointer<UInt8>.allocate(capacity: count),
                    UnsafeMutableBufferPointer<Int8>.allocate(capacity: count))
        defer {
            rows.0.deallocate(); rows.1.deallocate(); rows.2.deallocate(); rows.3.deallocate()
            rows.4.deallocate(); rows.5.deallocate(); rows.6.deallocate()
        }
        DispatchQueue.concurrentPerform(iterations: height) { y in
            for x in 0..<width {
                let i = y * width + x
                let centre = trace(scene, scene.camera.direction(px: Double(x) + 0.5, py: Double(y) + 0.5,
                                                                 width: width, height: height,
                                                                 basis: basis, tanHalf: tanHalf), basis)
                var a = Vec3.zero, s = 0.0, c = Vec3.zero
                if n == 1 {
                    a = centre.albedo; s = centre.shading
                    c = centre.albedo * centre.shading + Vec3(1, 1, 1) * centre.specular
                } else {
                    for sy in 0..<n {
                        for sx in 0..<n {
                            let d = scene.camera.direction(px: Double(x) + (Double(sx) + 0.5) / Double(n),
                                                           py: Double(y) + (Double(sy) + 0.5) / Double(n),
                                                           width: width, height: height, basis: basis, tanHalf: tanHalf)
                            let r = trace(scene, d, basis)
                            a = a + r.albedo; s += r.shading
                            c = c + r.albedo * r.shading + Vec3(1, 1, 1) * r.specular
                        }
                    }
                    let w = 1 / Double(n * n)
                    a = a * w; s *= w; c = c * w
                }
                rows.0[3 * i] = Float(min(c.x, 1)); rows.0[3 * i + 1] = Float(min(c.y, 1)); rows.0[3 * i + 2] = Float(min(c.z, 1))
                rows.1[3 * i] = Float(a.x); rows.1[3 * i + 1] = Float(a.y); rows.1[3 * i + 2] = Float(a.z)
                rows.2[i] = Float(s)
                rows.3[i] = Float(centre.depth)
                rows.4[i] = centre.depth.isFinite ? Float(1 / centre.depth) : 0
                rows.5[i] = centre.object >= 0 ? 1 : 0
                rows.6[i] = Int8(centre.object)
            }
        }
        out.rgb = Array(rows.0); out.albedo = Array(rows.1); out.shading = Array(rows.2)
        out.depth = Array(rows.3); out.inverseDepth = Array(rows.4); out.foreground = Array(rows.5)
        out.objectIndex = Array(rows.6)
        return out
    }

    /// Traces one primary ray from the camera.
    func trace(_ scene: Scene, _ d: Vec3, _ basis: (forward: Vec3, right: Vec3, up: Vec3)) -> Sample {
        let o = scene.camera.position
        var bestT = Double.infinity
        var normal = Vec3(0, 1, 0)
        var object = -1
        for (k, obj) in scene.objects.enumerated() {
            if let hit = obj.intersect(origin: o, direction: d, tMin: 1e-6, tMax: bestT) {
                bestT = hit.t; normal = hit.normal; object = k
            }
        }
        var albedo: Vec3
        if d.y < 0 {
            let tFloor = -o.y / d.y
            if tFloor < bestT {
                bestT = tFloor; normal = Vec3(0, 1, 0); object = -1
            }
        }
        if !bestT.isFinite {
            // Sky: its colour is its albedo, lit by 1.
            let up = pow07(max(d.y, 0))
            albedo = scene.skyHorizon * (1 - up) + scene.skyZenith * up
            return Sample(albedo: albedo, shading: 1, specular: 0, depth: .infinity, object: -1)
        }
        let p = o + d * bestT
        if object >= 0 {
            albedo = scene.objects[object].albedo
        } else {
            albedo = FloorTexture.albedo(scene.floor, x: p.x, z: p.z, tint: scene.floorTint, phase: scene.floorPhase)
        }
        // Face the normal towards the viewer (rays may graze from inside a cap edge).
        if normal.dot(d) > 0 { normal = -normal }
        let l = scene.light.direction
        let ndl = max(0, normal.dot(l))
        var visibility = 0.0
        if ndl > 0 {
            visibility = 1
            let so = p + normal * 1e-4
            for obj in scene.objects where obj.intersect(origin: so, direction: l, tMin: 1e-6, tMax: 1e4) != nil {
                visibility = 0
                break
            }
        }
        let direct = scene.light.intensity * ndl * visibility
        let shading = min(1, scene.light.ambient + direct)
        var specular = 0.0
        if object >= 0 && scene.objects[object].material == .shiny && direct > 0 {
            let h = (l - d).normalized
            specular = 0.6 * scene.light.intensity * visibility * powInt(max(0, normal.dot(h)), 48)
        }
        return Sample(albedo: albedo, shading: shading, specular: specular,
                      depth: (p - o).dot(basis.forward), object: object)
    }
}

@inline(__always) func powInt(_ x: Double, _ n: Int) -> Double {
    var r = 1.0, b = x, e = n
    while e > 0 { if e & 1 == 1 { r *= b }; b *= b; e >>= 1 }
    return r
}

#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif
@inline(__always) func pow07(_ x: Double) -> Double { pow(x, 0.7) }
@inline(__always) func tanDeg(_ deg: Double) -> Double { tan(deg * Double.pi / 180) }
