/// The analysis stages the daemon and `winnow scan` run, in order.
public enum AnalysisStages {
    /// `faces: false` leaves out the face stage (`winnow scan --no-faces`).
    public static func standard(config: WinnowConfig, faces: Bool = true) -> [any AnalysisStage] {
        var stages: [any AnalysisStage] = [QualityStage(maxPixels: config.analysis.maxPixels)]
        if faces && config.analysis.faces.enabled { stages.append(FaceStage(settings: config.analysis.faces)) }
        return stages
    }
}
