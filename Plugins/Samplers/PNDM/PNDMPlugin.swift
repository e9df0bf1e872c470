// The PNDM sampler plugin: its descriptor, parameters and the library's entry symbol.
import PluginABI
import PluginKit
import SamplerSupport

enum PNDMPlugin {
    static let params: [ParamSpec] = [
        SamplerParams.spacingSpec(fallback: "leading"),
        SamplerParams.predictionSpec(["epsilon", "v_prediction"]),
    ]

    static func make(_ p: ParamValues, _ json: String?) throws -> any Sampler {
        var config = try SchedulerConfig(json: json, defaults: .pndm, sampler: PNDM.name)
        try SamplerParams.overrideChoice(p, "timestep_spacing", SamplerParams.spacings, sampler: PNDM.name,
                                         into: &config.timestepSpacing)
        try SamplerParams.overrideChoice(p, "prediction_type", ["epsilon", "v_prediction"], sampler: PNDM.name,
                                         into: &config.predictionType)
        return try PNDM(config: config)
    }

    static let descriptor = PluginDescriptor(
        kind: LDMP_KIND_SAMPLER, name: PNDM.name, version: (1, 0, 0),
        description: "PNDM/PLMS, matching diffusers 0.42.1 PNDMScheduler (SD v1.4's default; n + 1 calls for n steps)",
        params: params,
        capabilities: LDMP_CAP_SAMPLER_STATEFUL,  // keeps past model outputs
        vtable: SamplerBridge.vtable(create: { host, params, count, json, out in
            SamplerBridge.create(host, params, count, json, out, sampler: PNDM.name, declared: PNDMPlugin.params,
                                 PNDMPlugin.make)
        }))
}

@_cdecl("ldmprobe_entry_v1")
public func ldmprobeEntryV1() -> UnsafePointer<ldmp_entry> {
    PluginEntry.entry(plugins: { [PNDMPlugin.descriptor] })
}
