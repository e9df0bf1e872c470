// `ldmprobe classify --classifier NAME[:key=value,…] IMAGE… [--top 5] [--json]`: classifies PNG images with a
// classifier plugin and prints the top classes of each (text, or one JSON array with --json).
//     ldmprobe classify --classifier vgg16:weights=vgg16.safetensors cat.png dog.png --top 3
//     ldmprobe classify --classifier vgg16:weights=random:0 img.png --repeat 10     (timing: s/image on stderr)
import ArgumentParser
import FileFormats
import Foundation
import PluginHost
import Study

struct ClassifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "classify",
        abstract: "Classify images with a classifier plugin (e.g. vgg16) and print the top classes.")

    @Option(help: ArgumentHelp("The classifier and its parameters: NAME[:key=value,…], e.g. "
                               + "vgg16:weights=vgg16.safetensors,preprocess=caffe.", valueName: "spec"))
    var classifier: String

    @Argument(help: "PNG images (8-bit or 16-bit, gray or RGB; alpha is composited on black).")
    var images: [String]

    @Option(help: "How many classes to list per image.")
    var top = 5

    @Flag(help: "Print one JSON array: [{\"image\", \"top\": [{\"index\", \"label\", \"probability\"}]}].")
    var json = false

    @Option(help: "Classify each image this many times and report the time per call on stderr (benchmarking).")
    var `repeat` = 1

    @OptionGroup var plugins: PluginOptions

    func validate() throws {
        guard !images.isEmpty else { throw ValidationError("give at least one image") }
        guard top >= 1 else { throw ValidationError("--top must be ≥ 1") }
        guard `repeat` >= 1 else { throw ValidationError("--repeat must be ≥ 1") }
    }

    struct Result: Codable {
        var image: String
        var top: [RankedClass]
    }

    func run() throws {
        let registry = try plugins.registry()
        let plugin = try registry.classifier(spec: classifier)
        let t0 = Date()
        let instance = try plugin.instantiate()
        let loadSeconds = Date().timeIntervalSince(t0)
        let labels = instance.classNames
        var results: [Result] = []
        var times: [Double] = []
        for path in images {
            let png = try PNGImage.read(URL(fileURLWithPath: path), as: .rgb8)
            var probs: [Float] = []
            for _ in 0..<`repeat` {
                let t = Date()
                probs = try instance.classify(image: png.bytes, height: png.height, width: png.width)
                times.append(Date().timeIntervalSince(t))
            }
            let ranked = ClassRanking.top(probs, labels: labels, k: top)
            results.append(Result(image: path, top: ranked))
            if !json {
                print(path)
                for (i, r) in ranked.enumerated() {
                    print("  \(i + 1). \(r.label) (\(r.index))  " + String(format: "%.6f", Double(r.probability)))
                }
            }
        }
        if json {
            let e = JSONEncoder()
            e.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            print(String(decoding: try e.encode(results), as: UTF8.self))
        }
        let sorted = times.sorted()
        let mean = times.reduce(0, +) / Double(times.count)
        FileHandle.standardError.write(Data(("\(plugin.name): " + String(
            format: "loaded in %.2f s; %d call(s), mean %.4f s, median %.4f s, min %.4f s per image\n",
            loadSeconds, times.count, mean, sorted[sorted.count / 2], sorted[0])).utf8))
    }
}
