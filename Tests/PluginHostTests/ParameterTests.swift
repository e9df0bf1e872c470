// `name[:key=value,…]` specs: parsing, validation against the declaration, defaults, and what the plugin sees.
import Foundation
import PluginHost
import XCTest

final class ParameterTests: XCTestCase {
    func testSpecParsing() throws {
        var s = try PluginSpec.parse("ddim:eta=0.0,steps_offset=1")
        XCTAssertEqual(s.name, "ddim")
        XCTAssertFalse(s.isPath)
        XCTAssertEqual(s.settings.map(\.key), ["eta", "steps_offset"])
        XCTAssertEqual(s.settings.map(\.value), ["0.0", "1"])

        s = try PluginSpec.parse("./plugins/libmine.so:weights=/a/b.safetensors,label=x\\,y")
        XCTAssertEqual(s.name, "./plugins/libmine.so")
        XCTAssertTrue(s.isPath)
        XCTAssertEqual(s.settings.map(\.value), ["/a/b.safetensors", "x,y"])

        s = try PluginSpec.parse("/abs/libx.so")
        XCTAssertTrue(s.isPath)
        XCTAssertEqual(s.settings, [])
        XCTAssertEqual(try PluginSpec.parse("lms").settings, [])
        XCTAssertEqual(try PluginSpec.parse("lms:").settings, [])
        XCTAssertEqual(try PluginSpec.parse("x:expr=a=b").settings.first?.value, "a=b")

        for bad in [":eta=1", "ddim:eta", "ddim:eta=1,eta=2", "ddim:=3"] {
            XCTAssertThrowsError(try PluginSpec.parse(bad), bad) { print($0) }
        }
    }

    func testDefaultsAndValuesReachThePlugin() throws {
        let r = try TestLibraries.registry()
        var c = try r.classifier(spec: "echo-classifier").instantiate()
        XCTAssertEqual(c.className(0), "flag=0 count=3 temp=1 label= file= mode=b set=000000")

        let cwd = FileManager.default.currentDirectoryPath
        c = try r.classifier(spec: "echo-classifier:flag=true,count=7,temp=1.5,label=hi there,file=w.bin,mode=c")
            .instantiate()
        let expected = "flag=1 count=7 temp=1.5 label=hi there file=\(URL(fileURLWithPath: cwd).appendingPathComponent("w.bin").standardizedFileURL.path) mode=c set=111111"
        XCTAssertEqual(c.className(0), expected)
        XCTAssertEqual(c.classNames.count, 3)
        XCTAssertNil(c.className(3))
    }

    func testValidationErrors() throws {
        let r = try TestLibraries.registry()
        let valid = "parameters: flag (bool, default false), count (int 1…10, default 3), "
            + "temp (float 0.5…2, default 1.0), label (string, default \"\"), file (path, default \"\"), "
            + "mode (choice a|b|c, default b)"
        let cases: [(String, String)] = [
            ("echo-classifier:colour=red", "classifier echo-classifier: unknown parameter 'colour'; " + valid),
            ("echo-classifier:count=abc", "classifier echo-classifier: count=abc: expected an integer; " + valid),
            ("echo-classifier:count=11", "classifier echo-classifier: count=11: out of range [1, 10]; " + valid),
            ("echo-classifier:count=2.5", "classifier echo-classifier: count=2.5: expected an integer; " + valid),
            ("echo-classifier:temp=0.1", "classifier echo-classifier: temp=0.1: out of range [0.5, 2]; " + valid),
            ("echo-classifier:temp=nan", "classifier echo-classifier: temp=nan: expected a finite number; " + valid),
            ("echo-classifier:mode=z", "classifier echo-classifier: mode=z: expected one of a|b|c; " + valid),
            ("echo-classifier:flag=maybe",
             "classifier echo-classifier: flag=maybe: expected a bool (true/false/1/0); " + valid),
        ]
        for (spec, message) in cases {
            XCTAssertThrowsError(try r.classifier(spec: spec), spec) { e in
                XCTAssertEqual("\(e)", message)
            }
        }
        XCTAssertThrowsError(try r.labeler(spec: "index-labeler")) { e in
            XCTAssertEqual("\(e)", "labeler index-labeler: parameter 'offset' is required; "
                           + "parameters: offset (int, required)")
        }
        XCTAssertEqual(try r.labeler(spec: "index-labeler:offset=-5").parameters["offset"]?.intValue, -5)
    }
}
