// PluginHost — what `ldmprobe plugins --json` prints: every plugin and every failed library. Codable, so tests
// and scripts can read it back.
import Foundation
import PluginABI

public struct RegistryReport: Codable, Sendable {
    public struct Plugin: Codable, Sendable {
        public var kind: PluginKind
        public var name: String
        public var version: String
        public var abi: String
        public var description: String
        public var file: String
        public var params: [ParamInfo]
        public var actions: [ActionInfo]
        /// Declared LDMP_CAP_* names ("one-pass", …); nil in reports of hosts before ABI 1.1.
        public var capabilities: [String]?
    }

    public struct Failure: Codable, Sendable {
        public var file: String
        public var reason: String
    }

    public var hostAbi: String
    public var searched: [String]
    public var plugins: [Plugin]
    public var failures: [Failure]
}

extension PluginRegistry {
    public var report: RegistryReport {
        RegistryReport(
            hostAbi: "\(LDMP_ABI_VERSION_MAJOR).\(LDMP_ABI_VERSION_MINOR)",
            searched: searchedDirectories,
            plugins: plugins.map {
                .init(kind: $0.kind, name: $0.name, version: $0.version, abi: $0.abiVersion,
                      description: $0.description, file: $0.library, params: $0.params, actions: $0.actions,
                      capabilities: Capability(rawValue: $0.capabilities).names)
            },
            failures: failures.map { .init(file: $0.path, reason: $0.reason) })
    }

    /// The report as pretty-printed JSON (keys sorted, so output is stable).
    public func reportJSON() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(report), as: UTF8.self)
    }
}
