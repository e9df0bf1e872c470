// StudyRandom: the study's seeded random source (splits, shuffled-label controls, bootstrap resamples) is the
// project's one SplitMix64 — the same generator as the linear probe's, so the fixtures' Python replays every draw.
@_exported import SeededRandom

public typealias StudyRandom = SplitMix64
