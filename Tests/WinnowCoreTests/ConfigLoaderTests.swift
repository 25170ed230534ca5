import Foundation
import Testing
@testable import WinnowCore

@Suite struct ConfigLoaderTests {
    let loader = ConfigLoader(paths: XDGPaths(environment: ["HOME": "/home/u", "XDG_CONFIG_HOME": "/nonexistent/cfg"]))

    @Test func emptyFileGivesTheBuiltInDefault() throws {
        let config = try loader.parse("")
        #expect(config.dropFolders.map(\.path.path) == ["/home/u/Downloads/winnow"])
        #expect(config.dropFolders.first?.mode == .subfolderPerSubject)
        #expect(config.library.path == "/home/u/Pictures/winnow")
    }

    @Test func documentedDefaultConfigParses() throws {
        let file = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../config/winnow.toml").standardizedFileURL
        let config = try loader.load(file: file)
        #expect(config.dropFolders.count >= 1)
        // The file documents the built-in defaults: it must not drift from them.
        #expect(config.analysis == AnalysisSettings())
    }

    @Test func dropFoldersAndSubjectsAreRead() throws {
        let config = try loader.parse("""
        library = "~/LoRA"
        [[drop]]
        path = "~/Downloads/winnow"
        [[drop]]
        path = "/data/anne"
        subject = "anne"
        [subjects.anne]
        trigger = "ohwx"
        class = "woman"
        """)
        #expect(config.library.path == "/home/u/LoRA")
        #expect(config.dropFolders[1].mode == .fixedSubject("anne"))
        #expect(config.settings(for: "anne").classToken == "woman")
        #expect(config.settings(for: "other").classToken == "person")
    }

    @Test func theFaceSizeCheckFollowsTheTrainingResolutionUnlessSetApart() throws {
        let sdxl = try loader.parse("[dataset]\nresolution = 1024\n")
        #expect(sdxl.analysis.faces.minFaceSide == 1024)
        let off = try loader.parse("[dataset]\nresolution = 1024\n[faces]\nmin_face_side = 0\n")
        #expect(off.analysis.faces.minFaceSide == 0)
        #expect(off.dataset.resolution == 1024)
    }

    @Test func unknownKeyIsNamedWithItsLine() {
        #expect {
            _ = try loader.parse("library = \"/x\"\n\n[analysis]\nworking_sid = 512\n")
        } throws: { error in
            let error = error as? ConfigError
            return error?.key == "analysis.working_sid" && error?.line == 4
        }
    }

    @Test func wrongTypeIsAnError() {
        #expect(throws: ConfigError.self) { _ = try loader.parse("library = 3\n") }
    }

    @Test func syntaxErrorCarriesTheLine() {
        #expect {
            _ = try loader.parse("library = \"/x\"\n[[drop]\npath = 1\n")
        } throws: { error in (error as? ConfigError)?.line == 2 }
    }

    @Test func badSubjectNameIsRefused() {
        #expect(throws: ConfigError.self) { _ = try loader.parse("[[drop]]\npath = \"/d\"\nsubject = \"../etc\"\n") }
    }

    @Test func commaInTriggerIsRefused() {
        #expect(throws: ConfigError.self) { _ = try loader.parse("[subjects.a]\ntrigger = \"a, b\"\n") }
    }
}

@Suite struct NotifyConfigTests {
    let loader = ConfigLoader(paths: XDGPaths(environment: ["HOME": "/home/u", "XDG_CONFIG_HOME": "/nonexistent/cfg"]))

    @Test func notifySectionIsRead() throws {
        let config = try loader.parse("""
        [notify]
        enabled = false
        quiet_hours = "23:00-07:00"
        burst_seconds = 3
        """)
        #expect(config.notify.enabled == false)
        #expect(config.notify.quietHours == QuietHours(start: 23 * 60, end: 7 * 60))
        #expect(config.notify.burstSeconds == 3)
    }

    @Test func badQuietHoursNameTheKeyAndLine() {
        #expect(throws: ConfigError(key: "notify.quiet_hours", line: 3, message: "\"late\" is not a window like \"22:00-07:30\"")) {
            try loader.parse("library = \"~/x\"\n[notify]\nquiet_hours = \"late\"\n")
        }
    }
}
