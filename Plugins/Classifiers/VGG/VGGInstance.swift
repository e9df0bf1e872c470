// One VGG classifier instance: the network, its preprocessing, and the class names as C strings (owned here,
// valid until destroy, as classifier.h requires).
import Foundation
import PluginKit
import ClassifierSupport

final class VGGInstance {
    let name: String
    let network: VGGNetwork
    let preprocessing: ImagePreprocessing
    let classCount: Int
    private let names: [UnsafeMutablePointer<CChar>]

    init(name: String, network: VGGNetwork, preprocessing: ImagePreprocessing) {
        self.name = name
        self.network = network
        self.preprocessing = preprocessing
        classCount = network.classCount
        // ImageNet's names for a 1000-way head; "class_i" for any other head size.
        let labels = classCount == ImageNetClasses.names.count
            ? ImageNetClasses.names : (0..<classCount).map { "class_\($0)" }
        names = labels.map { strdup($0)! }
    }

    deinit { names.forEach { free($0) } }

    func className(_ index: Int) -> UnsafePointer<CChar>? {
        index >= 0 && index < names.count ? UnsafePointer(names[index]) : nil
    }

    /// Softmax probabilities [classes] for U8 [height, width, 3] RGB.
    func classify(_ image: UnsafeBufferPointer<UInt8>, height: Int, width: Int) -> [Float] {
        let x = preprocessing.input(image, height: height, width: width)   // [1, 3, 224, 224]
        return network.probabilities(x).data                                 // [1, classes]
    }
}
