// Progress on stderr for long runs: `image i/N id, step j/U, s/step, ETA`. On a terminal the line is updated in
// place (\r); otherwise (logs of batch jobs, Slurm) one line per finished image, so a log shows where a job is
// without a line per step.
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Writes progress lines to stderr and estimates the remaining time from the mean seconds per step so far.
public final class ProgressReporter {
    /// Images in this run (for the ETA).
    public var totalImages: Int
    private var stepsDone = 0
    private var secondsInSteps: Double = 0
    private var lastStepStart = Date()
    public var enabled: Bool
    /// stderr is a terminal: update one line in place.
    public let inPlace: Bool
    /// A line was left open by an in-place update (closed before any other output).
    private var open = false

    public init(totalImages: Int, enabled: Bool = true, inPlace: Bool = isatty(2) != 0) {
        self.totalImages = totalImages
        self.enabled = enabled
        self.inPlace = inPlace
    }

    public func stepWillStart() { lastStepStart = Date() }

    /// Reports step `call` (0-based) of `calls` for image `index` (0-based) of the run.
    public func stepDidFinish(index: Int, id: String, call: Int, calls: Int) {
        let dt = Date().timeIntervalSince(lastStepStart)
        stepsDone += 1
        secondsInSteps += dt
        guard enabled else { return }
        let perStep = secondsInSteps / Double(stepsDone)
        let remaining = (totalImages - index - 1) * calls + (calls - call - 1)
        let line = "image \(index + 1)/\(totalImages) \(id), step \(call + 1)/\(calls), "
            + String(format: "%.2f", inPlace ? dt : perStep) + " s/step, ETA \(Self.format(perStep * Double(remaining)))"
        if inPlace {
            FileHandle.standardError.write(Data(("\r\u{1B}[K" + line).utf8))
            open = true
        } else if call == calls - 1 {
            FileHandle.standardError.write(Data((line + "\n").utf8))
        }
    }

    /// Ends an in-place line (before other output, and at the end of the run).
    public func close() {
        guard open else { return }
        FileHandle.standardError.write(Data("\n".utf8))
        open = false
    }

    /// A free-form line (skipped images, decode, …).
    public func note(_ text: String) {
        guard enabled else { return }
        close()
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }

    static func format(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        if s >= 3600 { return String(format: "%dh%02dm", s / 3600, (s % 3600) / 60) }
        if s >= 60 { return String(format: "%dm%02ds", s / 60, s % 60) }
        return "\(s)s"
    }
}
