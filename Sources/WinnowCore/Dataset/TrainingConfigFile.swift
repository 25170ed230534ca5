import Foundation

/// A starting sd-scripts LoRA training config (`train_network.py --config_file`) that points at the dataset:
/// the user's best settings (`network_dim = 64`, `min_snr_gamma = 5`), everything else at the trainer's
/// defaults. sd-scripts flattens the sections, so they only group the keys for people.
public enum TrainingConfigFile {
    public static func render(subject: String, layout: DatasetLayout, batchSize: Int, resolution: Int,
                              maxTokenLength: Int, outputFolder: URL) -> String {
        let q = DatasetConfigFile.quoted
        var lines = [
            "# STARTING POINT written by winnow for kohya-ss sd-scripts — review before training.",
            "# network_dim = 64 and min_snr_gamma = 5 are the settings that worked best so far; the rest is left",
            "# at the trainer's defaults. dataset_config.toml uses paths relative to the dataset folder, so run:",
            "#   cd \(layout.root.path)",
            "#   accelerate launch <sd-scripts>/train_network.py --config_file <this file>",
            "",
            "[model]",
            "# A Stable Diffusion 1.5 checkpoint: a Hugging Face id or a .safetensors path.",
            "pretrained_model_name_or_path = \(q("runwayml/stable-diffusion-v1-5"))",
            "",
            "[dataset]",
            "dataset_config = \(q(layout.configFile.path))",
            "",
            "[network]",
            "network_module = \(q("networks.lora"))",
            "network_dim = 64",
            "",
            "[training]",
            "train_batch_size = \(batchSize)",
            "resolution = \(q("\(resolution),\(resolution)"))",
            "min_snr_gamma = 5.0",
        ]
        if maxTokenLength > 75 { lines.append("max_token_length = \(maxTokenLength)") }
        lines += [
            "",
            "[output]",
            "output_dir = \(q(outputFolder.path))",
            "output_name = \(q(subject))",
            "save_model_as = \(q("safetensors"))",
        ]
        return lines.joined(separator: "\n") + "\n"
    }
}
