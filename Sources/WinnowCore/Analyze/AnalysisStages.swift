/// The analysis stages the daemon and `winnow scan` run, in order.
public enum AnalysisStages {
    public static func standard(config: WinnowConfig) -> [any AnalysisStage] {
        config.analysis.faces.enabled ? [FaceStage(settings: config.analysis.faces)] : []
    }
}
