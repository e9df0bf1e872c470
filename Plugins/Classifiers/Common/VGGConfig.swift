// ClassifierSupport — VGG architectures as torchvision builds them (torchvision.models.vgg: cfgs A/B/D/E and
// make_layers), and the state-dict names their layers get.
//
// torchvision numbers `features` modules in order: each conv is followed by its ReLU (and, with batch norm, a
// BatchNorm2d between them), each "M" is one MaxPool2d(2, 2). The classifier is Linear, ReLU, Dropout, Linear,
// ReLU, Dropout, Linear, so its weights are classifier.0, classifier.3 and classifier.6. Channel widths are not
// part of the configuration: they are read from the weight shapes, so slim models of the same topology load too.

/// One entry of a torchvision VGG configuration: a 3×3 conv (pad 1) + ReLU, or a 2×2 max pool.
public enum VGGStage: Equatable {
    case conv
    case pool
}

public struct VGGConfig: Equatable {
    /// Plugin name: vgg11, vgg13, vgg16, vgg19, optionally with _bn.
    public var name: String
    /// torchvision's cfg letter (A = 11, B = 13, D = 16, E = 19 weight layers).
    public var letter: String
    /// The stage sequence with torchvision's default widths (used for random weights).
    public var widths: [Int?]   // nil = "M"
    public var batchNorm: Bool

    public var stages: [VGGStage] { widths.map { $0 == nil ? .pool : .conv } }

    /// torchvision's cfgs (torchvision/models/vgg.py), nil for "M".
    static let cfgs: [String: [Int?]] = [
        "A": [64, nil, 128, nil, 256, 256, nil, 512, 512, nil, 512, 512, nil],
        "B": [64, 64, nil, 128, 128, nil, 256, 256, nil, 512, 512, nil, 512, 512, nil],
        "D": [64, 64, nil, 128, 128, nil, 256, 256, 256, nil, 512, 512, 512, nil, 512, 512, 512, nil],
        "E": [64, 64, nil, 128, 128, nil, 256, 256, 256, 256, nil, 512, 512, 512, 512, nil, 512, 512, 512, 512, nil],
    ]

    /// Every plugin this library offers, in `ldmprobe plugins` order.
    public static let all: [VGGConfig] = {
        var out: [VGGConfig] = []
        for (depth, letter) in [(11, "A"), (13, "B"), (16, "D"), (19, "E")] {
            for bn in [false, true] {
                out.append(VGGConfig(name: "vgg\(depth)" + (bn ? "_bn" : ""), letter: letter,
                                     widths: cfgs[letter]!, batchNorm: bn))
            }
        }
        return out
    }()

    public static func named(_ name: String) -> VGGConfig? { all.first { $0.name == name } }

    /// The `features.N` index of every conv (and of its batch norm at N+1 when batchNorm), in order.
    public var convModuleIndices: [Int] {
        var index = 0, out: [Int] = []
        for stage in stages {
            switch stage {
            case .pool: index += 1
            case .conv:
                out.append(index)
                index += batchNorm ? 3 : 2
            }
        }
        return out
    }

    /// The classifier's Linear modules (between them: ReLU and Dropout).
    public static let classifierModuleIndices = [0, 3, 6]

    /// Every key a torchvision state dict of this architecture holds (num_batches_tracked is optional).
    public var expectedKeys: [String] {
        var keys: [String] = []
        for i in convModuleIndices {
            keys += ["features.\(i).weight", "features.\(i).bias"]
            if batchNorm {
                keys += ["weight", "bias", "running_mean", "running_var"].map { "features.\(i + 1).\($0)" }
            }
        }
        for i in Self.classifierModuleIndices { keys += ["classifier.\(i).weight", "classifier.\(i).bias"] }
        return keys
    }
}
