// The VGG classifier plugins (classifier.h): vgg11, vgg13, vgg16, vgg19 and their _bn variants, one descriptor
// each over the same code (torchvision's cfgs A/B/D/E), plus the `convert` action (.pth → .safetensors).
//
//     --classifier vgg16:weights=vgg16-397923af.pth                       torchvision's ImageNet weights
//     --classifier vgg16:weights=vgg16.safetensors,preprocess=caffe       Keras-style input (the follow-up study)
//     --classifier vgg16:weights=random:0                                 random full-size weights (benchmarks)
//     ldmprobe action vgg16 convert vgg16-397923af.pth vgg16.safetensors
import PluginABI
import PluginKit
import ClassifierSupport

@_cdecl("ldmprobe_entry_v1")
public func ldmprobeEntry() -> UnsafePointer<ldmp_entry> {
    PluginEntry.entry(plugins: { VGGConfig.all.map(VGGPlugin.descriptor) })
}

enum VGGPlugin {
    static let params: [ParamSpec] = [
        .path("weights", default: "",
              help: "required: .safetensors or torchvision .pth (state-dict names features.N.*, classifier.{0,3,6}.*); "
                  + "random:SEED[/DIV] = random weights (widths/DIV) for benchmarks"),
        .choice("preprocess", ImagePreprocessing.allCases.map(\.rawValue), default: "torchvision",
                help: "torchvision: resize short side 256 (bilinear, antialias), crop 224, ImageNet mean/std; "
                    + "caffe: Keras VGG16 (nearest 224×224, BGR, minus 103.939/116.779/123.68)"),
    ]

    static let convert: @convention(c) (UnsafePointer<ldmp_host>?, UnsafePointer<CChar>?, UnsafePointer<CChar>?) -> Int32 = {
        host, input, output in
        PluginCall.run(host) {
            guard let input, let output else { throw PluginKitError.invalidArgument("vgg convert: NULL argument") }
            do {
                try VGGConvert.run(input: String(cString: input), output: String(cString: output), host: LDMHost(host))
            } catch let e as ClassifierError {
                throw e.pluginError
            }
        }
    }

    static let actions: [ActionSpec] = [
        ActionSpec("convert", help: "convert a torchvision .pth state dict to .safetensors (F32, same names)",
                   args: [("input", LDMP_ARG_PATH), ("output", LDMP_ARG_PATH)], function: convert),
    ]

    static func descriptor(_ config: VGGConfig) -> PluginDescriptor {
        PluginDescriptor(
            kind: LDMP_KIND_CLASSIFIER, name: config.name, version: (1, 0, 0),
            description: "torchvision \(config.name) (cfg \(config.letter)\(config.batchNorm ? ", batch norm" : "")) "
                + "image classifier; widths read from the weights",
            params: params, actions: actions,
            vtable: vtable(for: config))
    }
}
