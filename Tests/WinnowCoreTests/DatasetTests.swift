import Foundation
import Testing
import TOMLKit
import ZIPFoundation
@testable import WinnowCore

/// The keys kohya sd-scripts accepts in `dataset_config.toml` for DreamBooth datasets with caption dropout
/// (library/config_util.py, ConfigSanitizer: SUBSET_ASCENDABLE + DB_SUBSET_* + DO_SUBSET_ASCENDABLE for
/// subsets; DATASET_ASCENDABLE added for datasets and [general]). voluptuous rejects any other key.
enum SDScriptsSchema {
    enum Kind { case bool, int, number, string, pair, any }
    static let subsetAscendable: [String: Kind] = [
        "color_aug": .bool, "face_crop_aug_range": .pair, "flip_aug": .bool, "num_repeats": .int, "random_crop": .bool,
        "shuffle_caption": .bool, "keep_tokens": .int, "keep_tokens_separator": .string, "secondary_separator": .string,
        "caption_separator": .string, "enable_wildcard": .bool, "token_warmup_min": .int, "token_warmup_step": .number,
        "caption_prefix": .string, "caption_suffix": .string, "custom_attributes": .any, "resize_interpolation": .string,
    ]
    static let dropout: [String: Kind] = ["caption_dropout_every_n_epochs": .int, "caption_dropout_rate": .number, "caption_tag_dropout_rate": .number]
    static let dreamBoothAscendable: [String: Kind] = ["caption_extension": .string, "class_tokens": .string, "cache_info": .bool]
    static let dreamBoothDistinct: [String: Kind] = ["image_dir": .string, "is_reg": .bool, "alpha_mask": .bool]
    static let datasetAscendable: [String: Kind] = [
        "batch_size": .int, "bucket_no_upscale": .bool, "bucket_reso_steps": .int, "enable_bucket": .bool,
        "max_bucket_reso": .int, "min_bucket_reso": .int, "validation_seed": .int, "validation_split": .number,
        "resolution": .any, "network_multiplier": .number, "resize_interpolation": .string,
    ]
    static var subset: [String: Kind] { subsetAscendable.merging(dreamBoothDistinct) { a, _ in a }.merging(dreamBoothAscendable) { a, _ in a }.merging(dropout) { a, _ in a } }
    static var general: [String: Kind] { datasetAscendable.merging(subsetAscendable) { a, _ in a }.merging(dreamBoothAscendable) { a, _ in a }.merging(dropout) { a, _ in a } }
    static var dataset: [String: Kind] { general }

    /// Every problem with `table` against `schema`, as "key: problem".
    static func problems(_ table: TOMLTable, _ schema: [String: Kind], at path: String, except: Set<String> = []) -> [String] {
        table.keys.filter { !except.contains($0) }.compactMap { key -> String? in
            guard let kind = schema[key] else { return "\(path)\(key): not in the sd-scripts schema" }
            let value = table[key]!
            let ok: Bool
            switch kind {
            case .bool: ok = value.bool != nil
            case .int: ok = value.int != nil
            case .number: ok = value.int != nil || value.double != nil
            case .string: ok = value.string != nil
            case .pair: ok = value.array?.count == 2
            case .any: ok = true
            }
            return ok ? nil : "\(path)\(key): wrong type"
        }
    }
}

@Suite(.serialized, .timeLimit(.minutes(1))) struct DatasetTests {
    @Test func keptImagesLandInTheDatasetWithCaptionsStartingWithTriggerAndClass() throws {
        let library = try TempLibrary()
        let images = try TempLibrary.faceImages(6)
        try library.ingest(images, subject: "anne")
        let layout = library.layout("anne")
        #expect(layout.imageFolder.lastPathComponent == "10_ohwx woman")
        let files = DatasetReport.images(in: layout.imageFolder)
        #expect(files.map(\.lastPathComponent) == images.map(\.lastPathComponent).sorted())
        for image in files {
            let caption = try String(contentsOf: DatasetLayout.captionFile(for: image), encoding: .utf8)
            #expect(caption.hasPrefix("ohwx woman,"))
            #expect(caption.hasSuffix("\n") && caption.dropLast().contains("\n") == false)
            // A hard link to the library copy: no second copy of the bytes, and the original untouched.
            var a = stat(), b = stat()
            let row = try #require(try Journal(database: library.database).list(subject: "anne").first { $0.libraryPath?.hasSuffix("/" + image.lastPathComponent) == true })
            #expect(stat(image.path, &a) == 0 && stat(row.libraryPath!, &b) == 0 && a.st_ino == b.st_ino)
        }
        for original in images { #expect(FileManager.default.fileExists(atPath: original.path)) }
    }

    @Test func datasetConfigUsesOnlyKeysOfTheSDScriptsSchema() throws {
        let library = try TempLibrary()
        try library.ingest(try TempLibrary.faceImages(3), subject: "anne")
        try library.ingest(try TempLibrary.faceImages(5).suffix(2), subject: "kelly")
        try library.keeper.setRegularizationSources(["kelly"], for: "anne")
        try library.keeper.sync(subject: "anne")

        let text = try String(contentsOf: library.layout("anne").configFile, encoding: .utf8)
        let root = try TOMLTable(string: text)
        #expect(Set(root.keys) == ["general", "datasets"])
        let general = try #require(root["general"]?.table)
        var problems = SDScriptsSchema.problems(general, SDScriptsSchema.general, at: "general.")
        let datasets = try #require(root["datasets"]?.array)
        #expect(datasets.count == 1)
        var subsets: [TOMLTable] = []
        for case let dataset? in datasets.map({ $0.table }) {
            problems += SDScriptsSchema.problems(dataset, SDScriptsSchema.dataset, at: "datasets.", except: ["subsets"])
            for case let subset? in (dataset["subsets"]?.array ?? []).map({ $0.table }) {
                problems += SDScriptsSchema.problems(subset, SDScriptsSchema.subset, at: "datasets.subsets.")
                subsets.append(subset)
            }
        }
        #expect(problems == [])
        #expect(general["caption_extension"]?.string == ".txt")
        #expect(subsets.map { $0["image_dir"]?.string } == ["img/10_ohwx woman", "reg/1_woman"])
        #expect(subsets.map { $0["is_reg"]?.bool } == [false, true])
        #expect(subsets.map { $0["class_tokens"]?.string } == ["ohwx woman", "woman"])
        // image_dir is relative to the dataset folder and exists there.
        for subset in subsets {
            let dir = library.layout("anne").root.appendingPathComponent(subset["image_dir"]!.string!)
            #expect(!DatasetReport.images(in: dir).isEmpty)
        }
        #expect(DatasetReport.images(in: library.layout("anne").regFolder).count == 2)
    }

    @Test func aRejectedImageLeavesTheDatasetWithItsCaption() throws {
        let library = try TempLibrary()
        let rows = try library.ingest(try TempLibrary.faceImages(4), subject: "anne")
        var row = try #require(rows.first)
        let name = (row.libraryPath! as NSString).lastPathComponent
        let inDataset = library.layout("anne").imageFolder.appendingPathComponent(name)
        #expect(FileManager.default.fileExists(atPath: inDataset.path))

        // The user rejects it: the file moves to rejects/, the observers hear of it (as `winnow reject` does).
        let rejects = LibraryLayout(root: library.config.library).folder(subject: "anne", verdict: .rejected)
        let destination = FileMover.freeDestination(for: name, in: rejects)
        try FileMover.move(URL(fileURLWithPath: row.libraryPath!), to: destination)
        row.userVerdict = .rejected
        row.libraryPath = destination.path
        try library.ingestor.journal.save(row)
        library.ingestor.notify(row)

        #expect(!FileManager.default.fileExists(atPath: inDataset.path))
        #expect(!FileManager.default.fileExists(atPath: DatasetLayout.captionFile(for: inDataset).path))
        #expect(FileManager.default.fileExists(atPath: destination.path))  // the library copy is untouched
        #expect(DatasetReport.images(in: library.layout("anne").imageFolder).count == 3)
    }

    @Test func theDatasetCopyIsNeverTheLastOneToGo() throws {
        let library = try TempLibrary()
        let rows = try library.ingest(try TempLibrary.faceImages(2), subject: "anne")
        let name = (rows[0].libraryPath! as NSString).lastPathComponent
        let inDataset = library.layout("anne").imageFolder.appendingPathComponent(name)
        // The user deletes the library file by hand: the image leaves the training set, but its
        // last remaining copy (the dataset's) is not deleted by winnow.
        unlink(rows[0].libraryPath!)
        try library.keeper.sync(subject: "anne")
        #expect(FileManager.default.fileExists(atPath: inDataset.path))
        #expect(try library.keeper.keptRows(subject: "anne").count == 1)
    }

    @Test func unreadableFilesNeverReachTheDataset() throws {
        let library = try TempLibrary()
        let broken = library.root.appendingPathComponent("broken.jpg")
        try Data("not a jpeg at all".utf8).write(to: broken)
        let rows = try library.ingest([broken] + (try TempLibrary.faceImages(1)), subject: "anne")
        #expect(rows.first?.verdict == .notImage)
        #expect(DatasetReport.images(in: library.layout("anne").imageFolder).map(\.lastPathComponent) == [try TempLibrary.faceImages(1)[0].lastPathComponent])
    }

    @Test func aUserEditedCaptionSurvivesRedoAndNewFacts() throws {
        let library = try TempLibrary()
        try library.ingest(try TempLibrary.faceImages(3), subject: "anne")
        let images = DatasetReport.images(in: library.layout("anne").imageFolder)
        let edited = DatasetLayout.captionFile(for: images[0])
        let untouched = DatasetLayout.captionFile(for: images[1])
        try "ohwx woman, my own words\n".write(to: edited, atomically: false, encoding: .utf8)

        // New facts for every image (the face stage ran), then what `winnow caption --redo` does.
        for var row in try library.keeper.keptRows(subject: "anne") {
            var facts = try #require(row.imageFacts)
            facts.faces = FaceFacts(count: 1, box: [0, 0, facts.width / 3, facts.height / 3], yawBin: .profileLeft, pitchBin: .level)
            row.facts = String(decoding: try JSONEncoder().encode(facts), as: UTF8.self)
            try library.ingestor.journal.save(row)
        }
        let result = try library.keeper.sync(subject: "anne")

        #expect(try String(contentsOf: edited, encoding: .utf8) == "ohwx woman, my own words\n")
        #expect(try String(contentsOf: untouched, encoding: .utf8) == "ohwx woman, profile facing left, portrait\n")
        #expect(result.userCaptions == 1)
        #expect(try library.keeper.captions.isOwn(untouched))
        #expect(try !library.keeper.captions.isOwn(edited))
    }

    @Test func aCaptionFileWinnowDidNotWriteIsNeverOverwritten() throws {
        let library = try TempLibrary()
        let image = try TempLibrary.faceImages(1)[0]
        let folder = library.layout("anne").imageFolder
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let caption = DatasetLayout.captionFile(for: folder.appendingPathComponent(image.lastPathComponent))
        try "ohwx woman, written before winnow\n".write(to: caption, atomically: false, encoding: .utf8)
        try library.ingest([image], subject: "anne")
        #expect(try String(contentsOf: caption, encoding: .utf8) == "ohwx woman, written before winnow\n")
    }

    @Test func sameNamesFromTwoAngleFoldersGetDistinctDatasetNames() {
        func row(_ id: Int64, _ path: String) -> FileRecord {
            var row = FileRecord(subject: "anne", sourcePath: "/drop/x", size: 1, mtime: 0)
            row.id = id
            row.libraryPath = path
            return row
        }
        // kept/frontal/a.jpg and kept/3q-left/a.jpg share a name; a.png shares the caption stem a.txt.
        let names = DatasetKeeper.datasetNames([row(7, "/l/kept/3q-left/a.jpg"), row(3, "/l/kept/frontal/a.jpg"), row(9, "/l/kept/a.png")],
                                               prefix: nil).map(\.1)
        #expect(names == ["a.jpg", "a-7.jpg", "a-9.png"])
        #expect(DatasetKeeper.datasetNames([row(1, "/l/kept/a.jpg")], prefix: "kelly").map(\.1) == ["kelly_a.jpg"])
    }

    @Test func zipListsExactlyTheDataset() throws {
        let library = try TempLibrary()
        try library.ingest(try TempLibrary.faceImages(5), subject: "anne")
        let zip = library.root.appendingPathComponent("anne.zip")
        var ticks = 0
        let summary = try DatasetZip.write(root: library.layout("anne").root, to: zip) { _, _ in ticks += 1 }
        let archive = try Archive(url: zip, accessMode: .read)
        let listed = archive.map(\.path).sorted()
        #expect(listed == library.datasetFiles("anne"))
        #expect(listed.contains("dataset_config.toml"))
        #expect(listed.filter { $0.hasPrefix("img/10_ohwx woman/") }.count == 10)
        #expect(summary.images == 5 && summary.captions == 5 && ticks == listed.count)
        // The bytes survive the round trip.
        let entry = try #require(archive["img/10_ohwx woman/" + (try TempLibrary.faceImages(1)[0].lastPathComponent)])
        var out = Data()
        _ = try archive.extract(entry) { out.append($0) }
        #expect(out == (try Data(contentsOf: try TempLibrary.faceImages(1)[0])))
    }

    @Test func reportCountsStepsAndWarns() throws {
        let library = try TempLibrary()
        try library.ingest(try TempLibrary.faceImages(3), subject: "anne")
        let report = try DatasetReport.make(subject: "anne", keeper: library.keeper, batchSize: 4)
        #expect(report.images == 3 && report.captions == 3 && report.repeats == 10)
        #expect(report.samplesPerEpoch == 30 && report.stepsPerEpoch == 8)
        #expect(report.warnings.contains { $0.hasPrefix("only 3 images") })
        #expect(!report.warnings.contains { $0.hasPrefix("missing angles") })  // no face facts: nothing to say

        // Once the face stage measured them: the checklist names what is still missing.
        let bins: [(YawBin, PitchBin)] = [(.frontal, .level), (.profileLeft, .up), (.threeQuarterRight, .level)]
        for (var row, bin) in zip(try library.keeper.keptRows(subject: "anne"), bins) {
            var facts = try #require(row.imageFacts)
            facts.faces = FaceFacts(count: 1, yawBin: bin.0, pitchBin: bin.1)
            row.facts = String(decoding: try JSONEncoder().encode(facts), as: UTF8.self)
            try library.ingestor.journal.save(row)
        }
        let later = try DatasetReport.make(subject: "anne", keeper: library.keeper, batchSize: 1)
        #expect(later.warnings.contains("missing angles: profile right, 3/4 left, looking down"))
    }

    @Test func reportNamesImagesBelowTheTrainingResolution() throws {
        let library = try TempLibrary { $0.dataset.resolution = 1024 }
        let images = try TempLibrary.faceImages(8)
        try library.ingest(images, subject: "anne")
        let small = try library.keeper.keptRows(subject: "anne").filter { row in
            let facts = row.imageFacts!
            return facts.width * facts.height < 1024 * 1024
        }
        let report = try DatasetReport.make(subject: "anne", keeper: library.keeper, batchSize: 1)
        #expect(!small.isEmpty)
        #expect(report.warnings.contains { $0.hasPrefix("\(small.count) below the training resolution 1024×1024") })
    }

    @Test func changingRepeatsMovesTheDatasetAndKeepsEditedCaptions() throws {
        let first = try TempLibrary()
        try first.ingest(try TempLibrary.faceImages(2), subject: "anne")
        let images = DatasetReport.images(in: first.layout("anne").imageFolder)
        try "ohwx woman, mine\n".write(to: DatasetLayout.captionFile(for: images[0]), atomically: false, encoding: .utf8)
        var config = first.config
        config.dataset.repeats = 20
        let keeper = DatasetKeeper(config: config, database: first.database)
        try keeper.sync(subject: "anne")
        let moved = keeper.layout(subject: "anne").imageFolder
        #expect(moved.lastPathComponent == "20_ohwx woman")
        #expect(!FileManager.default.fileExists(atPath: first.layout("anne").imageFolder.path))
        #expect(DatasetReport.images(in: moved).count == 2)
        let caption = DatasetLayout.captionFile(for: moved.appendingPathComponent(images[0].lastPathComponent))
        #expect(try String(contentsOf: caption, encoding: .utf8) == "ohwx woman, mine\n")
    }

    @Test func trainingConfigCarriesTheUsersSettingsAndPointsAtTheDataset() throws {
        let library = try TempLibrary()
        let layout = library.layout("anne")
        let text = TrainingConfigFile.render(subject: "anne", layout: layout, batchSize: 2, resolution: 512,
                                             maxTokenLength: 150, outputFolder: library.root.appendingPathComponent("out"))
        let table = try TOMLTable(string: text)
        var flat: [String: TOMLValueConvertible] = [:]
        for (_, section) in table { for (key, value) in section.table ?? TOMLTable() { flat[key] = value } }
        #expect(flat["network_dim"]?.int == 64)
        #expect(flat["min_snr_gamma"]?.double == 5)
        #expect(flat["dataset_config"]?.string == layout.configFile.path)
        #expect(flat["max_token_length"]?.int == 150)
        #expect(text.contains("STARTING POINT"))
        // Argument names of sd-scripts' train_network.py / library/train_util.py (its --config_file flattens sections).
        let arguments: Set<String> = ["pretrained_model_name_or_path", "dataset_config", "network_module", "network_dim",
                                      "train_batch_size", "resolution", "min_snr_gamma", "max_token_length", "output_dir",
                                      "output_name", "save_model_as"]
        #expect(Set(flat.keys).subtracting(arguments) == [])
    }
}
