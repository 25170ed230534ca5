import ArgumentParser
import Foundation
import WinnowCore

struct ConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config",
        abstract: "Check the configuration.",
        subcommands: [Check.self]
    )

    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Report config errors (key and line), or the folders and face detectors in effect.")
        @OptionGroup var config: ConfigOptions

        func run() throws {
            let settings = try config.load()
            print("config ok")
            for drop in settings.dropFolders {
                switch drop.mode {
                case .subfolderPerSubject: print("drop:    \(drop.path.path) (one subfolder per subject)")
                case .fixedSubject(let subject): print("drop:    \(drop.path.path) → \(subject)")
                }
            }
            print("library: \(settings.library.path)")
            print("state:   \(settings.databaseFile.path)")
            let notify = settings.notify
            print("notify:  " + (notify.enabled ? "on" + (notify.quietHours.map { ", quiet \($0)" } ?? "") : "off"))
            print("faces:   " + Self.faceDetectors(settings.analysis.faces))
        }

        /// Which detectors the face stage will run (loading the models, 1–2 s), or why it cannot.
        static func faceDetectors(_ faces: FaceSettings) -> String {
            guard faces.enabled else { return "off" }
            do { return try FaceDetector.shared.detectorsSummary } catch { return "unavailable: \(error)" }
        }
    }
}
