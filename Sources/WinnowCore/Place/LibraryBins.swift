/// Folder names for kept images, one per face-angle bin.
public enum LibraryBins {
    public static func folderName(for facts: ImageFacts?) -> String? {
        guard let faces = facts?.faces, let yaw = faces.yawBin else { return nil }
        let pitch = faces.pitchBin ?? .level
        return pitch == .level ? yaw.rawValue : "\(yaw.rawValue)-\(pitch.rawValue)"
    }
}
