// Values a plugin returns are bounds-checked before the host acts on them (issue 14): a sampler whose call_count
// is 0xFFFFFFFF is refused at set_timesteps with a one-line error, not 4 billion timesteps allocated.
import Foundation
import PluginHost
import XCTest

final class HostileSamplerTests: XCTestCase {
    func testHugeCallCountIsRefused() throws {
        // Its own folder: the loader tests count the libraries in TestLibraries.folder.
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ldmprobe-hostile-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let lib = dir.appendingPathComponent("libhostile_call_count.so").path
        try TestLibraries.compile(["-std=c11", "-O1", "-shared", "-fPIC", "-I", TestLibraries.include,
                                   "-Wl,--version-script=\(TestLibraries.exportsMap)",
                                   TestLibraries.fixtures.appendingPathComponent("hostile_call_count.c").path, "-lm",
                                   "-o", lib])
        let registry = try PluginRegistry.discover(extraPaths: [lib], useEnvironment: false, useExecutableFolder: false)
        let s = try registry.sampler(spec: "example-euler").instantiate()
        let start = Date()
        XCTAssertThrowsError(try s.setTimesteps(10)) { error in
            let m = "\(error)"
            print("call_count 0xFFFFFFFF → \(m) (\(Date().timeIntervalSince(start)) s)")
            XCTAssertFalse(m.contains("\n"), m)
            XCTAssertTrue(m.contains("call_count") && m.contains("4294967295"), m)
        }
        XCTAssertEqual(s.callCount, 0)
        XCTAssertEqual(s.timesteps, [])
    }
}
