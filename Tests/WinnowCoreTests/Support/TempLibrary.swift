import Foundation
import Logging
@testable import WinnowCore

/// A real library, drop folder and SQLite state in a fresh temporary folder, fed through the real Ingestor.
final class TempLibrary {
    let root: URL
    var config: WinnowConfig
    let database: WinnowDatabase
    let ingestor: Ingestor
    let keeper: DatasetKeeper

    /// The DEV face images shipped beside the repository (`../shared/data/faces/images`).
    static let faces: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("../shared/data/faces/images").standardizedFileURL

    /// The first `count` photos labelled with one frontal or three-quarter face: images winnow keeps.
    static func faceImages(_ count: Int) throws -> [URL] {
        let labels = try String(contentsOf: faces.deletingLastPathComponent().appendingPathComponent("labels.csv"), encoding: .utf8)
        // file,yaw_deg,pitch_deg,roll_deg,yaw_bin,pitch_bin,faces_count,expression,person,width,height,… (no
        // commas before `note`). Photos of 400 px and more: the face detector's job is tested elsewhere.
        let names = labels.split(whereSeparator: \.isNewline).dropFirst().compactMap { line -> String? in
            let fields = line.split(separator: ",", maxSplits: 11, omittingEmptySubsequences: false)
            guard fields.count > 10, fields[6] == "1", ["frontal", "3q_left", "3q_right"].contains(fields[4]),
                  min(Int(fields[9]) ?? 0, Int(fields[10]) ?? 0) >= 400 else { return nil }
            return String(fields[0].dropFirst("images/".count))
        }.sorted()
        return names.prefix(count).map { faces.appendingPathComponent($0) }
    }

    init(configure: (inout WinnowConfig) -> Void = { _ in }) throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("winnow-test-\(UUID().uuidString.prefix(8))")
        let drop = root.appendingPathComponent("drop")
        try FileManager.default.createDirectory(at: drop, withIntermediateDirectories: true)
        var config = WinnowConfig(library: root.appendingPathComponent("library"), stateDirectory: root.appendingPathComponent("state"),
                                  dropFolders: [DropFolder(path: drop, mode: .subfolderPerSubject)])
        config.subjects["anne"] = SubjectSettings(trigger: "ohwx", classToken: "woman")
        config.subjects["kelly"] = SubjectSettings(trigger: "sks", classToken: "woman")
        configure(&config)
        self.config = config
        database = try WinnowDatabase(file: config.databaseFile)
        // The dataset and caption stages are tested from the images alone: what the judging and face
        // stages would decide about each photo is their own tests' business.
        ingestor = Ingestor(config: config, database: database, analyzer: ImageAnalyzer(settings: config.analysis),
                            logger: Logger(label: "test"))
        keeper = DatasetKeeper(config: config, database: database, logger: Logger(label: "test"))
        ingestor.observers.append(keeper)
    }

    deinit { try? FileManager.default.removeItem(at: root) }

    /// Copies `images` into `<drop>/<subject>/` (as a browser would save them) and ingests each.
    @discardableResult
    func ingest(_ images: [URL], subject: String) throws -> [FileRecord] {
        let folder = config.dropFolders[0].path.appendingPathComponent(subject)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return try images.compactMap { image in
            let saved = folder.appendingPathComponent(image.lastPathComponent)
            try FileManager.default.copyItem(at: image, to: saved)
            return try ingestor.process(DropFile(path: saved, dropFolder: config.dropFolders[0]))
        }
    }

    func layout(_ subject: String) -> DatasetLayout { keeper.layout(subject: subject) }

    /// Files (not folders) under the subject's dataset folder, relative, sorted.
    func datasetFiles(_ subject: String) -> [String] { DatasetZip.entries(of: layout(subject).root) }
}
