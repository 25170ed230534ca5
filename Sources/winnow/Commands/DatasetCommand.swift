import ArgumentParser
import Foundation
import Logging
import WinnowCore

/// Shared by the dataset commands: the subject argument, checked, and a dataset brought up to date.
struct SubjectDataset {
    let settings: WinnowConfig
    let database: WinnowDatabase
    let keeper: DatasetKeeper

    init(config: ConfigOptions, subject: String) throws {
        guard Subject.isValid(subject) else { throw CLIError("\"\(subject)\" is not a subject name") }
        settings = try config.load()
        database = try State.open(settings)
        keeper = DatasetKeeper(config: settings, database: database)
        guard try !Journal(database: database).list(subject: subject).isEmpty else {
            throw CLIError("winnow has no images of \"\(subject)\" yet (see `winnow status`)")
        }
    }

    /// Syncs first: the folder is current even if the daemon is not running.
    @discardableResult
    func sync(_ subject: String) throws -> DatasetKeeper.SyncResult {
        do { return try keeper.sync(subject: subject) } catch { throw CLIError("cannot update the dataset of \(subject): \(error)") }
    }
}

struct DatasetCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dataset",
        abstract: "Summary of a subject's trainer-ready folder: images, repeats, steps per epoch, warnings."
    )

    @OptionGroup var config: ConfigOptions
    @Argument(help: "The subject.") var subject: String
    @Option(help: "Batch size for the steps-per-epoch figure.") var batchSize = 1
    @Option(help: "Also write a starting sd-scripts LoRA training config (TOML) to this file.", completion: .file(extensions: ["toml"]))
    var trainingConfig: String?
    @Flag(help: "Overwrite the training config file if it exists.") var force = false
    @Flag(help: "Print JSON.") var json = false

    func validate() throws {
        guard batchSize >= 1 else { throw ValidationError("--batch-size must be at least 1") }
    }

    func run() throws {
        let dataset = try SubjectDataset(config: config, subject: subject)
        let sync = try dataset.sync(subject)
        let report = try DatasetReport.make(subject: subject, keeper: dataset.keeper, batchSize: batchSize)
        var written: String?
        if let trainingConfig {
            let file = URL(fileURLWithPath: trainingConfig).standardizedFileURL
            if FileManager.default.fileExists(atPath: file.path) && !force {
                throw CLIError("\(file.path) exists (use --force to replace it)")
            }
            let text = TrainingConfigFile.render(
                subject: subject, layout: dataset.keeper.layout(subject: subject), batchSize: batchSize,
                resolution: dataset.settings.dataset.resolution, maxTokenLength: dataset.settings.captions.maxTokenLength,
                outputFolder: dataset.settings.library.appendingPathComponent(subject).appendingPathComponent("lora"))
            do { try text.write(to: file, atomically: true, encoding: .utf8) } catch {
                throw CLIError("cannot write \(file.path): \(error.localizedDescription)")
            }
            written = file.path
        }
        if json {
            struct Out: Encodable { var dataset: DatasetReport; var trainingConfig: String?; var conflicts: [String] }
            return try Output.json(Out(dataset: report, trainingConfig: written, conflicts: sync.conflicts))
        }
        print("dataset:   \(report.folder)")
        print("images:    \(report.images) in img/\(URL(fileURLWithPath: report.imageFolder).lastPathComponent)/, \(report.captions) captions (\(report.userEditedCaptions) edited by you)")
        if report.regImages > 0 { print("reg:       \(report.regImages) regularization images") }
        print("repeats:   \(report.repeats)")
        print("per epoch: \(report.samplesPerEpoch) samples, \(report.stepsPerEpoch) steps at batch size \(report.batchSize)")
        for conflict in sync.conflicts { print("warning:   \(conflict) is not winnow's; that image is left out") }
        for warning in report.warnings { print("warning:   \(warning)") }
        if let written { print("training config (a starting point): \(written)") }
    }
}

struct CaptionCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "caption",
        abstract: "Write the captions of a subject now; --redo regenerates winnow's own captions (yours stay)."
    )

    @OptionGroup var config: ConfigOptions
    @Argument(help: "The subject.") var subject: String
    @Flag(help: "Regenerate every caption winnow wrote (asking the external captioner again); edited ones stay.")
    var redo = false

    func run() async throws {
        let dataset = try SubjectDataset(config: config, subject: subject)
        let keeper = dataset.keeper
        // Built-in captions first, so every image has one whatever the external captioner does.
        let result = redo ? try keeper.redoCaptions(subject: subject) : try dataset.sync(subject)
        print("\(result.images) images: \(result.captionsWritten) captions written, \(result.userCaptions) edited by you left as they are")
        if let settings = dataset.settings.captions.external {
            var logger = Logger(label: "winnow.caption")
            logger.logLevel = .warning
            let queue = ExternalCaptionQueue(keeper: keeper, captioner: ExternalCaptioners.make(settings, config: dataset.settings), logger: logger)
            let external = await queue.runOnce(subjects: [subject], force: true)
            print("external captioner: \(external.captioned) captioned, \(external.failed) failed (those keep the built-in caption)")
            for error in external.errors.prefix(5) { print("  \(error)") }
            for name in external.overTokenLimit { print("warning: \(name): caption is over the \(dataset.settings.captions.maxTokenLength)-token CLIP window") }
        }
    }
}

struct RegCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reg",
        abstract: "Fill a subject's reg/1_<class>/ with the kept images of other subjects of the same class."
    )

    @OptionGroup var config: ConfigOptions
    @Argument(help: "The subject whose dataset gets the regularization images.") var subject: String
    @Option(parsing: .upToNextOption, help: "Subjects to draw from (same class). Give none to stop using regularization.")
    var from: [String] = []

    func run() throws {
        let dataset = try SubjectDataset(config: config, subject: subject)
        let ownClass = dataset.settings.settings(for: subject).classToken
        for other in from {
            guard Subject.isValid(other), other != subject else { throw CLIError("\"\(other)\" cannot be a regularization source") }
            let otherClass = dataset.settings.settings(for: other).classToken
            guard otherClass == ownClass else {
                throw CLIError("\(other) is a \"\(otherClass)\", \(subject) a \"\(ownClass)\": regularization images must share the class")
            }
        }
        try dataset.keeper.setRegularizationSources(from, for: subject)
        let result = try dataset.sync(subject)
        let layout = dataset.keeper.layout(subject: subject)
        print("\(result.regImages) regularization images in \(layout.regFolder.path)\(from.isEmpty ? "" : " (from \(from.joined(separator: ", ")))")")
    }
}
