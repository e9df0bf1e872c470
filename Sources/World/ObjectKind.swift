// World: the vocabulary of scenes — object shapes, colours, materials, floors. Their names are the caption words
// and (for shapes) the object classifier's classes, in this order.

/// An object's shape. The raw value is its class index in the `world-objects` classifier.
public enum ObjectKind: Int, CaseIterable, Sendable {
    case sphere, cube, cylinder, cone, torus

    /// The caption word (and class name).
    public var name: String {
        switch self {
        case .sphere: return "sphere"
        case .cube: return "cube"
        case .cylinder: return "cylinder"
        case .cone: return "cone"
        case .torus: return "torus"
        }
    }
}

/// A named base colour (albedo, before a small per-object jitter).
public enum ObjectColor: Int, CaseIterable, Sendable {
    case red, orange, yellow, green, blue, purple, white

    public var name: String {
        switch self {
        case .red: return "red"
        case .orange: return "orange"
        case .yellow: return "yellow"
        case .green: return "green"
        case .blue: return "blue"
        case .purple: return "purple"
        case .white: return "white"
        }
    }

    /// Linear albedo in [0, 1].
    public var albedo: Vec3 {
        switch self {
        case .red: return Vec3(0.80, 0.12, 0.10)
        case .orange: return Vec3(0.90, 0.45, 0.08)
        case .yellow: return Vec3(0.90, 0.82, 0.15)
        case .green: return Vec3(0.15, 0.65, 0.20)
        case .blue: return Vec3(0.12, 0.25, 0.85)
        case .purple: return Vec3(0.50, 0.18, 0.70)
        case .white: return Vec3(0.90, 0.90, 0.88)
        }
    }
}

/// Surface finish. Shiny objects add a specular highlight that is in the RGB image but not in shading × albedo.
public enum Material: Int, CaseIterable, Sendable {
    case matte, shiny

    /// The caption adjective ("" for matte, which the caption leaves out).
    public var adjective: String { self == .shiny ? "shiny" : "" }
}

/// The ground plane's texture.
public enum FloorKind: Int, CaseIterable, Sendable {
    case wood, checkered, grass, stone

    /// The caption's closing phrase.
    public var phrase: String {
        switch self {
        case .wood: return "on a wooden floor"
        case .checkered: return "on a checkered floor"
        case .grass: return "on grass"
        case .stone: return "on a stone floor"
        }
    }
}
