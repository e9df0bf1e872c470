// PluginKit — declaring a named action (action.h) from Swift.
//
//     let convert: @convention(c) (UnsafePointer<ldmp_host>?, UnsafePointer<CChar>?, UnsafePointer<CChar>?) -> Int32 =
//         { host, src, dst in PluginCall.run(host) { try convertWeights(String(cString: src!), String(cString: dst!)) } }
//     ActionSpec("convert", help: "convert a .pth to safetensors",
//                args: [("input", LDMP_ARG_PATH), ("output", LDMP_ARG_PATH)], function: convert)
//
// The C types per argument: STRING/PATH → UnsafePointer<CChar>?, INT → Int64, FLOAT → Double, BOOL → Int32.
// The host calls the function through libffi with the host pointer first; the signature must match `args`.
import PluginABI

public struct ActionSpec {
    public var name: String
    public var help: String
    public var args: [(name: String, type: ldmp_arg_type)]
    public var function: @convention(c) () -> Void

    /// `function` must be a `@convention(c)` function whose parameters are the host pointer then `args`.
    public init<F>(_ name: String, help: String, args: [(name: String, type: ldmp_arg_type)], function: F) {
        precondition(MemoryLayout<F>.size == MemoryLayout<UnsafeRawPointer>.size,
                     "ActionSpec \(name): function must be a @convention(c) function pointer")
        precondition(args.count <= Int(LDMP_MAX_ACTION_ARGS), "ActionSpec \(name): too many arguments")
        self.name = name
        self.help = help
        self.args = args
        self.function = unsafeBitCast(function, to: (@convention(c) () -> Void).self)
    }

    /// The C declaration, its strings and arrays in static storage.
    public var cDescriptor: ldmp_action_desc {
        let names: [UnsafePointer<CChar>?] = args.map { StaticStorage.cString($0.name) }
        return ldmp_action_desc(
            struct_size: StaticStorage.size(of: ldmp_action_desc.self),
            name: StaticStorage.cString(name),
            help: StaticStorage.cString(help),
            arg_count: UInt32(args.count),
            arg_types: StaticStorage.array(args.map { $0.type.rawValue }),
            arg_names: StaticStorage.array(names),
            fn: function)
    }
}
