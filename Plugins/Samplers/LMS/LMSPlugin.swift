// The K-LMS sampler plugin: its descriptor, parameters and the library's entry symbol.
import PluginABI
import PluginKit
import SamplerSupport

enum LMSPlugin {
    static let params: [ParamSpec] = [
        .int("order", default: 4, range: 1...LMS.maxOrder,
             help: "linear multistep order (diffusers' step(order=4)); fewer at the first steps"),
        SamplerParams.spacingSpec(fallback: "linspace"),
        SamplerParams.predictionSpec(["epsilon", "v_prediction", "sample"]),
    ]

    static func make(_ p: ParamValues, _ json: String?) throws -> any Sampler {
        var config = try SchedulerConfig(json: json, defaults: .lms, sampler: LMS.name)
        try SamplerParams.overrideChoice(p, "timestep_spacing", SamplerParams.spacings, sampler: LMS.name,
                                         into: &config.timestepSpacing)
        try SamplerParams.overrideChoice(p, "prediction_type", ["epsilon", "v_prediction", "sample"],
                                         sampler: LMS.name, into: &config.predictionType)
        let order = p.values["order"] == nil ? 4 : try p.int("order")
        return try LMS(config: config, order: order)
    }

    static let descriptor = PluginDescriptor(
        kind: LDMP_KIND_SAMPLER, name: LMS.name, version: (1, 0, 0),
        description: "K-LMS, matching diffusers 0.42.1 LMSDiscreteScheduler (float timesteps, order 4)",
        params: params,
        capabilities: LDMP_CAP_SAMPLER_STATEFUL,  // keeps past model outputs
        vtable: SamplerBridge.vtable(create: { host, params, count, json, out in
            SamplerBridge.create(host, params, count, json, out, sampler: LMS.name, declared: LMSPlugin.params,
                                 LMSPlugin.make)
        }))
}

@_cdecl("ldmprobe_entry_v1")
public func ldmprobeEntryV1() -> UnsafePointer<ldmp_entry> {
    PluginEntry.entry(plugins: { [LMSPlugin.descriptor] })
}
