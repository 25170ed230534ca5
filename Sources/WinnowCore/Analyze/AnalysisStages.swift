/// The analysis stages the daemon and `winnow scan` run, in order.
public enum AnalysisStages {
    public static func standard(config: WinnowConfig) -> [any AnalysisStage] {
        [FaceStage(settings: config.analysis.faces)]
    }
}
