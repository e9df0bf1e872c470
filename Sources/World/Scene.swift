// World: a complete scene (objects, floor, light, sky, camera) and its caption.

/// Everything needed to render one image and its labels.
public struct Scene: Sendable {
    /// The seed the scene was drawn from (also the generation seed in the dataset CSV).
    public var seed: UInt64
    /// Objects, ordered left to right as the camera sees them (the caption names them in this order).
    public var objects: [SceneObject]
    public var floor: FloorKind
    /// Floor texture tint and offset, so floors of one kind differ.
    public var floorTint: Vec3
    public var floorPhase: Vec3
    public var light: Light
    /// Sky colour at the horizon and at the zenith.
    public var skyHorizon: Vec3
    public var skyZenith: Vec3
    public var camera: Camera

    public init(seed: UInt64, objects: [SceneObject], floor: FloorKind, floorTint: Vec3, floorPhase: Vec3,
                light: Light, skyHorizon: Vec3, skyZenith: Vec3, camera: Camera) {
        self.seed = seed; self.objects = objects; self.floor = floor; self.floorTint = floorTint
        self.floorPhase = floorPhase; self.light = light; self.skyHorizon = skyHorizon; self.skyZenith = skyZenith
        self.camera = camera
    }

    /// "a red cube left of a shiny blue sphere on a wooden floor".
    public var caption: String {
        let names = objects.map { o -> String in
            let words = [o.material.adjective, o.color.name, o.kind.name].filter { !$0.isEmpty }
            let article = "aeiou".contains(words[0].first!) ? "an" : "a"
            return article + " " + words.joined(separator: " ")
        }
        return names.joined(separator: " left of ") + " " + floor.phrase
    }

    /// The class the `world-objects` classifier should give: the first-named (leftmost) object's shape.
    public var subject: ObjectKind { objects[0].kind }
}
