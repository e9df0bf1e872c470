// PluginHost — validate-plugin's checks of the plugins that take images: classifiers and labelers.
// Classifiers: class names for every index, probabilities finite in [0, 1] summing to 1 on random images of two
// sizes, the same for the same image, two instances agreeing. Labelers: a known label kind, labels F32 [H, W]
// finite (binary: 0/1) at two sizes, LDMP_CAP_LABELER_NEEDS_IMAGE kept (no image → an error), NOT_FOUND with a
// message for a missing id.
import Foundation
import SeededRandom

extension PluginValidator {
    static func randomImage(_ h: Int, _ w: Int, _ rng: inout SplitMix64) -> [UInt8] {
        (0..<(h * w * 3)).map { _ in UInt8(truncatingIfNeeded: rng.next() >> 56) }
    }

    static func checkClassifier(_ plugin: ClassifierPlugin, _ o: ValidationOptions, _ r: inout Recorder) {
        r.run("create-destroy") { try createDestroy(max(2, o.repeats / 4)) { _ = try plugin.instantiate() } }
        guard let c = r.value("classes", {
            let c = try plugin.instantiate()
            let n = c.classCount
            guard n > 0 else { throw ValidationFailure("class_count is 0") }
            for i in 0..<n where c.className(i) == nil { throw ValidationFailure("class_name(\(i)) is NULL") }
            guard c.v.class_name!(c.handle, UInt32(n)) == nil else {
                throw ValidationFailure("class_name(\(n)) (out of range) is not NULL")
            }
            return (c, "\(n) classes, all named; class_name(\(n)) is NULL")
        }) else { return }
        var rng = SplitMix64(seed: o.seed)
        let images = [(32, 32, randomImage(32, 32, &rng)), (17, 23, randomImage(17, 23, &rng))]
        r.run("probabilities") {
            var worst = 0.0
            for (h, w, img) in images {
                let p = try c.classify(image: img, height: h, width: w)
                try requireFinite(p, "classify [\(h), \(w), 3]")
                if let i = p.firstIndex(where: { $0 < 0 || $0 > 1 }) {
                    throw ValidationFailure("classify [\(h), \(w), 3]: probability \(p[i]) of class \(i) is outside [0, 1]")
                }
                let sum = p.reduce(0.0) { $0 + Double($1) }
                guard abs(sum - 1) <= 1e-3 else {
                    throw ValidationFailure("classify [\(h), \(w), 3]: probabilities sum to \(sum), not 1 (±1e-3)")
                }
                worst = max(worst, abs(sum - 1))
            }
            return "random images [32, 32, 3] and [17, 23, 3]: finite, in [0, 1], |sum − 1| ≤ \(worst)"
        }
        r.run("deterministic") {
            let other = try plugin.instantiate()
            for (h, w, img) in images {
                let a = try c.classify(image: img, height: h, width: w)
                let b = try other.classify(image: img, height: h, width: w)
                let again = try c.classify(image: img, height: h, width: w)
                guard a == b, a == again else {
                    throw ValidationFailure("the same image [\(h), \(w), 3] gives other probabilities (maxdiff "
                                            + "\(max(maxDiff(a, b), maxDiff(a, again))))")
                }
            }
            return "same image, same probabilities bit for bit, on one instance and on two"
        }
    }

    static func checkLabeler(_ plugin: LabelerPlugin, _ o: ValidationOptions, _ r: inout Recorder) {
        let temporary = FileManager.default.temporaryDirectory
            .appendingPathComponent("ldmprobe-validate-\(getpid())-\(UUID().uuidString.prefix(8))")
        defer { try? FileManager.default.removeItem(at: temporary) }
        let source: String
        if let s = o.labelSource { source = s } else {
            try? FileManager.default.createDirectory(at: temporary, withIntermediateDirectories: true)
            source = temporary.path
        }
        let needsImage = plugin.needsImage
        r.run("create-destroy") {
            try createDestroy(max(2, o.repeats / 4)) { _ = try plugin.instantiate(source: needsImage ? "" : source) }
        }
        guard let l = r.value("label-kind", {
            let l = try plugin.instantiate(source: needsImage ? "" : source)
            let raw = l.v.label_kind!(l.handle)
            guard raw <= 1 else { throw ValidationFailure("label_kind() = \(raw) is not an ldmp_label_kind") }
            return (l, "\(l.labelKind.rawValue)")
        }) else { return }
        var rng = SplitMix64(seed: o.seed)
        let image = randomImage(24, 20, &rng)
        let id = o.imageID ?? "validate-plugin-missing-id"
        r.run("load") {
            var sizes: [String] = []
            for (h, w) in [(16, 16), (9, 13)] {
                let out: [Float]
                do {
                    out = try l.load(imageID: id, height: h, width: w, image: image, imageHeight: 24, imageWidth: 20)
                } catch let e where LabelerInstance.isNotFound(e) && o.imageID == nil && !needsImage {
                    guard case PluginError.callFailed(_, _, _, let message) = e, !message.isEmpty else {
                        throw ValidationFailure("LDMP_ERR_NOT_FOUND for id '\(id)' without a message (report_error)")
                    }
                    return "no label for id '\(id)': LDMP_ERR_NOT_FOUND with \"\(message)\" (pass --label-source "
                        + "and --image-id to check a real one)"
                }
                guard out.count == h * w else { throw ValidationFailure("label has \(out.count) values for [\(h), \(w)]") }
                try requireFinite(out, "label [\(h), \(w)]")
                if l.labelKind == .binary, let bad = out.first(where: { $0 != 0 && $0 != 1 }) {
                    throw ValidationFailure("binary label [\(h), \(w)] holds \(bad) (must be 0 or 1)")
                }
                let again = try l.load(imageID: id, height: h, width: w, image: image, imageHeight: 24, imageWidth: 20)
                guard again == out else { throw ValidationFailure("loading '\(id)' twice gives other labels") }
                sizes.append("[\(h), \(w)]")
            }
            return "id '\(id)' at \(sizes.joined(separator: " and ")): F32, finite"
                + (l.labelKind == .binary ? ", 0/1" : "") + ", the same when loaded again"
        }
        if needsImage {
            r.run("needs-image") {
                do {
                    _ = try l.load(imageID: id, height: 4, width: 4)
                } catch PluginError.callFailed(_, _, _, let message) where !message.isEmpty {
                    return "declares LDMP_CAP_LABELER_NEEDS_IMAGE and refuses a NULL image: \"\(message)\""
                }
                throw ValidationFailure("declares LDMP_CAP_LABELER_NEEDS_IMAGE but load without an image did not "
                                        + "fail with a message")
            }
        }
    }
}
