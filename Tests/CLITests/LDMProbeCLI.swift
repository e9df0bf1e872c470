// Runs the built `ldmprobe` executable for the CLI tests: it is found next to the test bundle, in the build's
// product folder (the same folder that holds the plugin libraries).
import Foundation
import XCTest

enum LDMProbeCLI {
    /// The product folder of this build: the folder holding the .xctest bundle (or the test executable).
    static var productFolder: URL? {
        let candidates = [Bundle.main.bundleURL, URL(fileURLWithPath: CommandLine.arguments[0])]
        for c in candidates {
            var dir = c.standardizedFileURL
            for _ in 0..<4 {
                if FileManager.default.isExecutableFile(atPath: dir.appendingPathComponent("ldmprobe").path) { return dir }
                dir = dir.deletingLastPathComponent()
            }
        }
        return nil
    }

    /// Whether the embedded demo model is there: $LDMPROBE_DEMO, else Assets/demo above the product folder (as
    /// the binary looks it up).
    static var demoModelPresent: Bool {
        if let env = ProcessInfo.processInfo.environment["LDMPROBE_DEMO"], !env.isEmpty {
            return FileManager.default.fileExists(atPath: env + "/model/model_index.json")
        }
        guard var dir = productFolder else { return false }
        while dir.path != "/" {
            if FileManager.default.fileExists(atPath: dir.appendingPathComponent("Assets/demo/model/model_index.json").path) {
                return true
            }
            dir = dir.deletingLastPathComponent()
        }
        return false
    }

    /// Collects one pipe's bytes on its own thread, so a chatty child cannot block on a full pipe.
    private final class Drain: @unchecked Sendable {
        private(set) var data = Data()
        private let group = DispatchGroup()
        init(_ handle: FileHandle) {
            group.enter()
            DispatchQueue.global().async { self.data = handle.readDataToEndOfFile(); self.group.leave() }
        }
        func wait() -> Data { group.wait(); return data }
    }

    /// Runs ldmprobe with `arguments` (and `environment` added to this process's); returns (status, stdout,
    /// stderr). Fails the test when no executable is built.
    static func run(_ arguments: [String], environment: [String: String] = [:]) throws -> (Int32, String, String) {
        let folder = try XCTUnwrap(productFolder, "no ldmprobe executable next to the test bundle "
            + "(build it: swift build -c release --build-tests)")
        let p = Process()
        p.executableURL = folder.appendingPathComponent("ldmprobe")
        p.arguments = arguments
        if !environment.isEmpty {
            p.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        }
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let errDrain = Drain(err.fileHandleForReading)
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        let errData = errDrain.wait()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: outData, as: UTF8.self), String(decoding: errData, as: UTF8.self))
    }
}
