import Foundation

/// `dataset_config.toml` for kohya sd-scripts (`--dataset_config`), using only keys of its schema
/// (library/config_util.py: `[general]`, `[[datasets]]`, `[[datasets.subsets]]`); the trainer rejects unknown keys.
public enum DatasetConfigFile {
    public struct Subset: Sendable, Equatable {
        /// Relative to the dataset folder.
        public var imageDir: String
        public var classTokens: String
        public var repeats: Int
        public var isReg: Bool
    }

    /// Bucketing as sd-scripts' defaults, written out so the file says what the trainer will do.
    public static func render(resolution: Int, subsets: [Subset]) -> String {
        var lines = [
            "# Written by winnow for kohya-ss sd-scripts: train_network.py --dataset_config dataset_config.toml",
            "# image_dir paths are relative: start the trainer from this folder (or make them absolute).",
            "# winnow keeps this file current as images arrive; once you edit it, winnow leaves it alone.",
            "",
            "[general]",
            "shuffle_caption = true",
            "# \"<trigger> <class>\" opens every caption and stays first when captions are shuffled.",
            "keep_tokens = 1",
            "caption_extension = \".txt\"",
            "enable_bucket = true",
            "min_bucket_reso = 256",
            "max_bucket_reso = \(max(1024, resolution * 2))",
            "bucket_reso_steps = 64",
            "",
            "[[datasets]]",
            "resolution = \(resolution)",
        ]
        for subset in subsets {
            lines += [
                "",
                "  [[datasets.subsets]]",
                "  image_dir = \(quoted(subset.imageDir))",
                "  class_tokens = \(quoted(subset.classTokens))",
                "  num_repeats = \(subset.repeats)",
                "  is_reg = \(subset.isReg)",
            ]
        }
        return lines.joined(separator: "\n")
    }

    /// A TOML basic string.
    static func quoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F { out += String(format: "\\u%04X", scalar.value) } else { out.unicodeScalars.append(scalar) }
            }
        }
        return out + "\""
    }
}
