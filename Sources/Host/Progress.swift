// A command's stderr lines and its closing summary on stdout. Lines that say "ETA" are progress: on a terminal
// they update one line in place (\r); otherwise every one is printed (the library already limits how often).
import Foundation
#if canImport(Glibc)
import Glibc
#endif

final class Progress {
    let enabled: Bool
    let prefix: String
    let inPlace = isatty(2) != 0
    private var open = false

    init(enabled: Bool, prefix: String) {
        self.enabled = enabled
        self.prefix = prefix
    }

    /// A log line from the library (progress lines update in place on a terminal).
    func line(_ s: String) {
        guard enabled else { return }
        let text = prefix + ": " + s
        if inPlace && s.contains("ETA") {
            FileHandle.standardError.write(Data(("\r\u{1B}[K" + text).utf8))
            open = true
        } else {
            close()
            FileHandle.standardError.write(Data((text + "\n").utf8))
        }
    }

    func close() {
        guard open else { return }
        FileHandle.standardError.write(Data("\n".utf8))
        open = false
    }

    /// The closing summary: what was written and the headline numbers (stdout, also with --quiet).
    func summary(_ s: String) {
        close()
        print(prefix + ": " + s)
    }
}
