// World: where the embedded demo's files live. Order (first hit wins):
//   1. an explicit path (a plugin's `weights` parameter),
//   2. $LDMPROBE_DEMO — the demo folder itself (the one holding model/ and estimators/),
//   3. upwards from a start folder (the plugin library's or the executable's): <dir>/Assets/demo,
//      then <dir>/share/ldmprobe/demo (an installed prefix: bin/, lib/, share/ldmprobe/demo).
// A build in the checkout (.build/release/libWorldLabelers.so) therefore finds <checkout>/Assets/demo.
import Foundation

public enum DemoAssets {
    /// The environment variable naming the demo folder.
    public static let environmentVariable = "LDMPROBE_DEMO"

    /// The demo folder, searched from `start` (a file or folder) upwards; nil if none has `relative`.
    public static func folder(from start: String, containing relative: String) -> String? {
        if let env = ProcessInfo.processInfo.environment[environmentVariable], !env.isEmpty {
            return FileManager.default.fileExists(atPath: env + "/" + relative) ? env : nil
        }
        var dir = URL(fileURLWithPath: start).standardizedFileURL
        var isDir: ObjCBool = false
        if !(FileManager.default.fileExists(atPath: dir.path, isDirectory: &isDir) && isDir.boolValue) {
            dir = dir.deletingLastPathComponent()
        }
        while true {
            for candidate in ["Assets/demo", "share/ldmprobe/demo"] {
                let f = dir.appendingPathComponent(candidate).path
                if FileManager.default.fileExists(atPath: f + "/" + relative) { return f }
            }
            let parent = dir.deletingLastPathComponent()
            if parent.path == dir.path { return nil }
            dir = parent
        }
    }

    /// Resolves a file of the demo: `explicit` when non-empty, else `relative` inside the demo folder.
    public static func resolve(_ relative: String, explicit: String, from start: String) throws -> String {
        if !explicit.isEmpty {
            guard FileManager.default.fileExists(atPath: explicit) else {
                throw WorldError.assetsNotFound("\(explicit) does not exist")
            }
            return explicit
        }
        guard let f = folder(from: start, containing: relative) else {
            let env = ProcessInfo.processInfo.environment[environmentVariable] ?? ""
            throw WorldError.assetsNotFound(env.isEmpty
                ? "no Assets/demo/\(relative) above \(start)"
                : "\(environmentVariable)=\(env) has no \(relative)")
        }
        return f + "/" + relative
    }
}
