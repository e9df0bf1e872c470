// PluginHost — runs a plugin's declared action (action.h) with command-line arguments, through libffi.
//
//     let status = try ActionRunner.run(plugin: info, action: "write_sigmas", arguments: ["out.txt", "50"])
//
// The arguments are type-checked against the declaration first (count, int/float/bool syntax); a mismatch throws
// PluginError.actionUsage with a usage line. The function is then called as
//     int32_t fn(const ldmp_host *host, <args…>)
// and its status returned; a non-zero status comes with the message the plugin reported (`lastMessage`).
import CFFI
import Foundation
import PluginABI

public enum ActionRunner {
    /// The result of one action call.
    public struct Outcome: Sendable {
        public var status: Int32
        /// What the plugin reported through report_error ("" when nothing).
        public var message: String
    }

    /// "ldmprobe action ddim write_sigmas <output:path> <steps:int>".
    public static func usage(_ plugin: PluginInfo, _ action: ActionInfo) -> String {
        let args = zip(action.argNames, action.argTypes).map { "<\($0):\($1.rawValue)>" }
        return (["ldmprobe action", plugin.name, action.name] + args).joined(separator: " ")
    }

    public static func run(plugin: PluginInfo, action name: String, arguments: [String]) throws -> Outcome {
        guard let index = plugin.actions.firstIndex(where: { $0.name == name }) else {
            let list = plugin.actions.map(\.name).joined(separator: ", ")
            throw PluginError.actionUsage(plugin: plugin.name, action: name, reason: "no such action",
                                          usage: list.isEmpty ? "\(plugin.label) declares no actions"
                                                              : "actions of \(plugin.label): \(list)")
        }
        let action = plugin.actions[index]
        let fn = plugin.actionFunctions[index]
        let use = usage(plugin, action)
        guard arguments.count == action.argTypes.count else {
            throw PluginError.actionUsage(plugin: plugin.name, action: name,
                                          reason: "expected \(action.argTypes.count) argument(s), got \(arguments.count)",
                                          usage: use)
        }

        // One 8-byte slot per argument (every declared C type fits), plus the strings they point to.
        let n = arguments.count + 1
        let slots = UnsafeMutableRawPointer.allocate(byteCount: 8 * n, alignment: 8)
        var strings: [UnsafeMutablePointer<CChar>?] = []
        defer {
            slots.deallocate()
            strings.forEach { free($0) }
        }
        var types: [UnsafeMutablePointer<ffi_type>?] = [withUnsafeMutablePointer(to: &ffi_type_pointer) { $0 }]
        slots.storeBytes(of: UnsafeRawPointer(plugin.host), as: UnsafeRawPointer.self)
        for (k, (text, type)) in zip(arguments, action.argTypes).enumerated() {
            let slot = slots + 8 * (k + 1)
            func bad(_ why: String) -> PluginError {
                .actionUsage(plugin: plugin.name, action: name,
                             reason: "argument \(k + 1) (\(action.argNames[k])) '\(text)': \(why)", usage: use)
            }
            switch type {
            case .string, .path:
                let value = type == .path && !text.isEmpty ? PluginLoader.absolutePath(text) : text
                let s = strdup(value)
                strings.append(s)
                slot.storeBytes(of: UnsafeRawPointer(s), as: UnsafeRawPointer?.self)
                types.append(withUnsafeMutablePointer(to: &ffi_type_pointer) { $0 })
            case .int:
                guard let i = Int64(text) else { throw bad("expected an integer") }
                slot.storeBytes(of: i, as: Int64.self)
                types.append(withUnsafeMutablePointer(to: &ffi_type_sint64) { $0 })
            case .float:
                guard let d = Double(text) else { throw bad("expected a number") }
                slot.storeBytes(of: d, as: Double.self)
                types.append(withUnsafeMutablePointer(to: &ffi_type_double) { $0 })
            case .bool:
                let b: Int32
                switch text.lowercased() {
                case "true", "1": b = 1
                case "false", "0": b = 0
                default: throw bad("expected true/false/1/0")
                }
                slot.storeBytes(of: b, as: Int32.self)
                types.append(withUnsafeMutablePointer(to: &ffi_type_sint32) { $0 })
            }
        }

        var cif = ffi_cif()
        var values: [UnsafeMutableRawPointer?] = (0..<n).map { slots + 8 * $0 }
        // libffi widens small integer returns to a full ffi_arg.
        var result: UInt64 = 0
        let status: Int32 = try types.withUnsafeMutableBufferPointer { tp in
            let prep = ffi_prep_cif(&cif, FFI_DEFAULT_ABI, UInt32(n), &ffi_type_sint32, tp.baseAddress)
            guard prep == FFI_OK else {
                throw PluginError.ffiFailed(plugin: plugin.name, action: name, status: Int(prep.rawValue))
            }
            _ = HostServices.takeLastError()
            values.withUnsafeMutableBufferPointer { vp in
                ffi_call(&cif, unsafeBitCast(fn, to: (@convention(c) () -> Void).self), &result, vp.baseAddress)
            }
            return Int32(truncatingIfNeeded: result)
        }
        return Outcome(status: status, message: HostServices.takeLastError())
    }
}
