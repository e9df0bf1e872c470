// PluginHost — one declared action (action.h), validated and copied out of the plugin.

/// One declared action.
public struct ActionInfo: Codable, Sendable, Equatable {
    public var name: String
    public var help: String
    public var argNames: [String]
    public var argTypes: [ArgType]

    public init(name: String, help: String, argNames: [String], argTypes: [ArgType]) {
        self.name = name
        self.help = help
        self.argNames = argNames
        self.argTypes = argTypes
    }
}
