// PluginKit — reading the parameter list create() receives (params.h), by name.
//
//     let p = ParamValues(params, count: paramCount)       // copies everything; safe after create returns
//     let eta = try p.double("eta")
//     let spacing = try p.string("timestep_spacing")
//     if p.isSet("weights") { … }
//
// A missing name or a type mismatch throws PluginKitError.invalidArgument naming the parameter.
import PluginABI

public struct ParamValues {
    public struct Value {
        public var type: ldmp_param_type
        public var isSet: Bool
        public var intValue: Int64
        public var floatValue: Double
        public var stringValue: String

        public init(type: ldmp_param_type, isSet: Bool = true, intValue: Int64 = 0, floatValue: Double = 0,
                    stringValue: String = "") {
            self.type = type
            self.isSet = isSet
            self.intValue = intValue
            self.floatValue = floatValue
            self.stringValue = stringValue
        }
    }

    /// Values by name, copied out of the host's array.
    public private(set) var values: [String: Value] = [:]
    /// Names in the order the host passed them.
    public private(set) var names: [String] = []

    public init(_ params: UnsafePointer<ldmp_param_value>?, count: UInt32) {
        guard let params, count > 0 else { return }
        // Step by the first element's struct_size (version.h's array rule); a shorter one than this plugin's
        // sizeof would be a host older than ABI 1.0: read nothing rather than past it.
        let stride = Int(UnsafeRawPointer(params).load(as: UInt32.self))
        guard stride >= MemoryLayout<ldmp_param_value>.size else { return }
        for i in 0..<Int(count) {
            let v = (UnsafeRawPointer(params) + i * stride).load(as: ldmp_param_value.self)
            guard let cname = v.name else { continue }
            let name = String(cString: cname)
            names.append(name)
            values[name] = Value(type: ldmp_param_type(v.type), isSet: v.is_set != 0, intValue: v.int_value,
                                 floatValue: v.float_value,
                                 stringValue: v.string_value.map { String(cString: $0) } ?? "")
        }
    }

    /// A list built in Swift (for tests of a plugin without a host).
    public init(_ values: [String: Value]) {
        self.values = values
        self.names = values.keys.sorted()
    }

    public func value(_ name: String) throws -> Value {
        guard let v = values[name] else {
            throw PluginKitError.invalidArgument(
                "parameter '\(name)' was not passed (passed: \(names.joined(separator: ", ")))")
        }
        return v
    }

    public func isSet(_ name: String) -> Bool { values[name]?.isSet ?? false }

    /// FLOAT (or INT, converted).
    public func double(_ name: String) throws -> Double {
        let v = try value(name)
        if v.type == LDMP_PARAM_FLOAT { return v.floatValue }
        if v.type == LDMP_PARAM_INT { return Double(v.intValue) }
        throw mismatch(name, v, "float")
    }

    /// INT (or BOOL as 0/1).
    public func int(_ name: String) throws -> Int {
        let v = try value(name)
        if v.type == LDMP_PARAM_INT || v.type == LDMP_PARAM_BOOL { return Int(v.intValue) }
        throw mismatch(name, v, "int")
    }

    public func bool(_ name: String) throws -> Bool {
        let v = try value(name)
        if v.type == LDMP_PARAM_BOOL || v.type == LDMP_PARAM_INT { return v.intValue != 0 }
        throw mismatch(name, v, "bool")
    }

    /// The string of STRING, PATH and CHOICE parameters; the raw text for the others.
    public func string(_ name: String) throws -> String {
        try value(name).stringValue
    }

    private func mismatch(_ name: String, _ v: Value, _ wanted: String) -> PluginKitError {
        .invalidArgument("parameter '\(name)' is \(typeName(v.type)), read as \(wanted) (plugin bug: check its declaration)")
    }

    private func typeName(_ t: ldmp_param_type) -> String {
        switch t {
        case LDMP_PARAM_BOOL: return "bool"
        case LDMP_PARAM_INT: return "int"
        case LDMP_PARAM_FLOAT: return "float"
        case LDMP_PARAM_STRING: return "string"
        case LDMP_PARAM_PATH: return "path"
        case LDMP_PARAM_CHOICE: return "choice"
        default: return "type \(t.rawValue)"
        }
    }
}
