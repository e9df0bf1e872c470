// The DDIM sampler plugin: its descriptor, parameters and the library's entry symbol.
import PluginABI
import PluginKit
import SamplerSupport

enum DDIMPlugin {
    static let params: [ParamSpec] = [
        .float("eta", default: 0.0, range: 0...1,
               help: "DDIM η: 0 = deterministic DDIM, 1 = DDPM-like; > 0 needs the host's noise each step"),
        SamplerParams.spacingSpec(fallback: "leading"),
        SamplerParams.predictionSpec(["epsilon", "v_prediction", "sample"]),
    ]

    static func make(_ p: ParamValues, _ json: String?) throws -> any Sampler {
        var config = try SchedulerConfig(json: json, defaults: .ddim, sampler: DDIM.name)
        try SamplerParams.overrideChoice(p, "timestep_spacing", SamplerParams.spacings, sampler: DDIM.name,
                                         into: &config.timestepSpacing)
        try SamplerParams.overrideChoice(p, "prediction_type", ["epsilon", "v_prediction", "sample"],
                                         sampler: DDIM.name, into: &config.predictionType)
        let eta = p.values["eta"] == nil ? 0 : try p.double("eta")
        return try DDIM(config: config, eta: eta)
    }

    static let descriptor = PluginDescriptor(
        kind: LDMP_KIND_SAMPLER, name: DDIM.name, version: (1, 0, 0),
        description: "DDIM, matching diffusers 0.42.1 DDIMScheduler (eta, leading/trailing/linspace spacing)",
        params: params,
        vtable: SamplerBridge.vtable(create: { host, params, count, json, out in
            SamplerBridge.create(host, params, count, json, out, sampler: DDIM.name, declared: DDIMPlugin.params,
                                 DDIMPlugin.make)
        }))
}

@_cdecl("ldmprobe_entry_v1")
public func ldmprobeEntryV1() -> UnsafePointer<ldmp_entry> {
    PluginEntry.entry(plugins: { [DDIMPlugin.descriptor] })
}
