// PickleValue: the values RestrictedUnpickler builds — plain Python data, plus opaque objects that an allow-listed
// callable produced (a tensor, a storage, a numpy array). Lists and dicts are reference types because pickle
// mutates them after they are memoised (APPEND, SETITEMS).

/// A Python value as far as a restricted unpickler understands it.
public indirect enum PickleValue: CustomStringConvertible {
    case none
    case bool(Bool)
    case int(Int)
    case float(Double)
    case string(String)
    case bytes([UInt8])
    case tuple([PickleValue])
    case list(PickleList)
    case dict(PickleDict)
    case set([PickleValue])
    /// An allow-listed global used as a value ("torch.FloatStorage"), "module.name".
    case global(String)
    /// What an allow-listed callable returned.
    case object(PickleObject)

    /// At most about 200 characters: values shared through the memo can describe exponentially large trees, and
    /// each level costs a character, so the budget also bounds the recursion.
    public var description: String {
        var out = ""
        describe(into: &out, budget: 200)
        return out
    }

    private func describe(into out: inout String, budget: Int) {
        guard out.count < budget else { out += "…"; return }
        func items(_ open: String, _ close: String, _ values: [PickleValue]) {
            out += open
            for (i, v) in values.enumerated() {
                if i > 0 { out += ", " }
                guard out.count < budget else { out += "…"; break }
                v.describe(into: &out, budget: budget)
            }
            out += close
        }
        switch self {
        case .none: out += "None"
        case .bool(let b): out += b ? "True" : "False"
        case .int(let i): out += "\(i)"
        case .float(let f): out += "\(f)"
        case .string(let s): out += "'\(s.prefix(budget))'"
        case .bytes(let b): out += "bytes(\(b.count))"
        case .tuple(let t): items("(", ")", t)
        case .list(let l): items("[", "]", l.items)
        case .dict(let d): items("{", "}", d.items.map(\.key))
        case .set(let s): out += "set(\(s.count))"
        case .global(let g): out += g
        case .object(let o): out += "<\(o.type)>"
        }
    }

    public var asInt: Int? { if case .int(let i) = self { return i }; if case .bool(let b) = self { return b ? 1 : 0 }; return nil }
    public var asString: String? { if case .string(let s) = self { return s }; return nil }
    public var asTuple: [PickleValue]? {
        switch self {
        case .tuple(let t): return t
        case .list(let l): return l.items
        default: return nil
        }
    }
    public var asDict: PickleDict? { if case .dict(let d) = self { return d }; return nil }
    public var asObject: PickleObject? { if case .object(let o) = self { return o }; return nil }
}

/// A mutable Python list.
public final class PickleList {
    public var items: [PickleValue]
    /// Nesting depth and whether it sits inside another container (RestrictedUnpickler's depth cap).
    var nesting = 1
    var sealed = false
    public init(_ items: [PickleValue] = []) { self.items = items }
}

/// A mutable Python dict (insertion order kept, as OrderedDict and dict both keep it).
public final class PickleDict {
    public var items: [(key: PickleValue, value: PickleValue)] = []
    /// State given to BUILD (an OrderedDict's instance attributes such as `_metadata`), kept but not interpreted.
    public var attributes: PickleValue?
    /// Nesting depth and whether it sits inside another container (RestrictedUnpickler's depth cap).
    var nesting = 1
    var sealed = false
    public init() {}

    /// The value under a string key.
    public subscript(key: String) -> PickleValue? {
        items.last(where: { $0.key.asString == key })?.value
    }
}

/// An object made by an allow-listed callable; `payload` is whatever that callable chose to store.
public final class PickleObject {
    /// The global that made it ("torch._utils._rebuild_tensor_v2").
    public let type: String
    public var payload: Any
    public init(type: String, payload: Any) {
        self.type = type
        self.payload = payload
    }
}
