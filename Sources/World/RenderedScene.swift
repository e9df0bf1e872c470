// World: the image and exact labels of one rendered scene, row-major [H, W(, C)] float buffers.

/// One rendered scene. RGB = albedo × shading (+ a specular term on shiny objects) by construction.
public struct RenderedScene: Sendable {
    public let width: Int
    public let height: Int
    /// [H, W, 3] in [0, 1].
    public var rgb: [Float]
    /// [H, W, 3] in [0, 1]: surface colour without lighting (sky: its colour).
    public var albedo: [Float]
    /// [H, W] in [0, 1]: ambient + direct light with cast shadows (sky: 1).
    public var shading: [Float]
    /// [H, W]: camera-space z of the surface (sky: +infinity). From the pixel-centre ray.
    public var depth: [Float]
    /// [H, W]: 1 / depth (sky: 0), the convention of MiDaS's relative inverse depth.
    public var inverseDepth: [Float]
    /// [H, W]: 1 where the pixel-centre ray hits an object, else 0 (floor and sky are background).
    public var foreground: [UInt8]
    /// [H, W]: index of the object hit by the pixel-centre ray, -1 for floor and sky.
    public var objectIndex: [Int8]

    public init(width: Int, height: Int) {
        self.width = width; self.height = height
        let n = width * height
        rgb = [Float](repeating: 0, count: n * 3)
        albedo = [Float](repeating: 0, count: n * 3)
        shading = [Float](repeating: 0, count: n)
        depth = [Float](repeating: 0, count: n)
        inverseDepth = [Float](repeating: 0, count: n)
        foreground = [UInt8](repeating: 0, count: n)
        objectIndex = [Int8](repeating: -1, count: n)
    }

    /// [H, W, 3] bytes, value·255 rounded (as the study saves images).
    public var rgbBytes: [UInt8] { rgb.map { UInt8((min(max($0, 0), 1) * 255).rounded()) } }
    public var albedoBytes: [UInt8] { albedo.map { UInt8((min(max($0, 0), 1) * 255).rounded()) } }
    /// [H, W] bytes: 255 foreground, 0 background (TRACER's convention: foreground = value > 0).
    public var foregroundBytes: [UInt8] { foreground.map { $0 != 0 ? 255 : 0 } }
}
