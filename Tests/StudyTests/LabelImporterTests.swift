// The label importers (tracer, midas, intrinsic, generic) through dlopen, on every format: npy, pfm, 16-bit png,
// pkl (protocols 2/4/5, numpy-1.x names, Fortran order), and refused pickles; values from numpy/torch.
import FileFormats
import PluginHost
import Study
import XCTest

final class LabelImporterTests: XCTestCase {
    func load(_ spec: String, _ folder: String, _ id: String, _ H: Int, _ W: Int) throws -> [Float] {
        let l = try StudyFixtures.registry().labeler(spec: spec).instantiate(source: StudyFixtures.url("labels/\(folder)").path)
        return try l.load(imageID: id, height: H, width: W)
    }

    func check(_ got: [Float], _ rel: String, _ tol: Float, _ what: String) throws {
        let d = StudyFixtures.maxdiff(got, try StudyFixtures.npy(rel).values)
        print("\(what): maxdiff \(d)")
        XCTAssertLessThanOrEqual(d, tol, what)
    }

    func testMidasFormatsAgree() throws {
        // The same depth map as float32 .npy, float64 [1,H,W] .npy, .pfm and pickles: z-scored as the study.
        let ref = "labels/expect_midas_zscore_native.npy"
        try check(try load("midas", "npy", "img_a", 24, 20), ref, 1e-6, "midas npy f32 zscore")
        try check(try load("midas", "npy", "img_b", 24, 20), ref, 1e-6, "midas npy f32 [1,H,W] zscore")
        try check(try load("midas", "pfm", "img_a", 24, 20), ref, 1e-6, "midas pfm zscore")
        for id in ["img_p2", "img_p4", "img_p5", "img_np1", "img_fortran"] {
            try check(try load("midas", "pkl", id, 24, 20), ref, 1e-6, "midas pkl \(id) zscore")
        }
        try check(try load("midas", "npy", "img_a", 32, 32), "labels/expect_midas_zscore_bilinear.npy", 1e-5,
                  "midas 24×20 → 32×32 bilinear vs torch F.interpolate")
        try check(try load("midas:normalize=minmax,resize=nearest", "npy", "img_a", 32, 32), "labels/expect_minmax_nearest.npy",
                  1e-6, "midas minmax + nearest vs torch")
        try check(try load("midas:normalize=none", "png16", "img_a", 24, 20), "labels/expect_png16_raw.npy", 0,
                  "midas 16-bit png raw")
    }

    func testTracerAndIntrinsic() throws {
        try check(try load("tracer", "tracer", "img_a", 32, 32), "labels/expect_tracer_nearest.npy", 0, "tracer > 0, nearest 32×32")
        try check(try load("tracer:threshold=128", "tracer", "img_a", 24, 20), "labels/expect_tracer_t128_native.npy", 0, "tracer > 128")
        try check(try load("intrinsic", "intrinsic", "img_a", 24, 20), "labels/expect_intrinsic_shading_native.npy", 1e-3,
                  "intrinsic shading = 1/clip(inv) − 1")
        let reg = try StudyFixtures.registry()
        XCTAssertEqual(try reg.labeler(spec: "tracer").instantiate(source: StudyFixtures.url("labels/tracer").path).labelKind, .binary)
        XCTAssertEqual(try reg.labeler(spec: "generic:kind=binary").instantiate(source: StudyFixtures.url("labels/npy").path).labelKind, .binary)
        XCTAssertEqual(try reg.labeler(spec: "generic").instantiate(source: StudyFixtures.url("labels/npy").path).labelKind, .continuous)
    }

    func testRefusalsAndMissingLabels() throws {
        try? FileManager.default.removeItem(atPath: "/tmp/ldmprobe_pwned")
        for id in ["img_evil", "img_list", "img_int", "img_trunc"] {
            XCTAssertThrowsError(try load("generic", "bad", id, 4, 4)) { print("\(id): \($0)") }
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: "/tmp/ldmprobe_pwned"), "a refused pickle must never run code")
        XCTAssertThrowsError(try load("midas", "npy", "no_such_image", 4, 4)) { e in
            XCTAssertTrue(LabelerInstance.isNotFound(e), "missing label → LDMP_ERR_NOT_FOUND: \(e)")
            XCTAssertTrue("\(e)".contains("no_such_image") && "\(e)".contains("labels/npy"), "\(e)")
        }
        XCTAssertThrowsError(try StudyFixtures.registry().labeler(spec: "midas").instantiate(source: "/no/such/folder"))
    }

    func testPFMRoundTrip() throws {
        let img = PFMImage(width: 3, height: 2, channels: 1, values: [1, 2, 3, 4, 5, -6.5])
        let back = try PFMImage.decode(img.encoded(), path: "mem")
        XCTAssertEqual(back, img)
        XCTAssertThrowsError(try PFMImage.decode(img.encoded().prefix(20), path: "truncated.pfm"))
        XCTAssertThrowsError(try PFMImage.decode(Data("P6\n1 1\n255\n".utf8), path: "ppm.pfm"))
    }
}
