/// The `[faces]` section: how faces are found and how big they must be for training.
public struct FaceSettings: Sendable, Equatable {
    /// False for a LoRA of something that is not a person: no face stage, no face verdicts, no angle folders.
    public var enabled = true
    /// Smallest side, in full-resolution pixels, of the face region (the face box doubled: head and some
    /// shoulders, what a trainer's crop keeps) and of the image. Below it the verdict is `too-small`.
    /// The config loader sets it to `[dataset] resolution` (512 for SD 1.5, 1024 for SDXL / Flux) unless
    /// `[faces] min_face_side` says otherwise.
    public var minFaceSide: Int = 512
    /// Long side of the gray copy detection runs on (cost grows with its square).
    public var detectionSide: Int = 640
    /// Images whose detection copy is smaller than this and show no face at first (or only faces smaller than
    /// `retryBelowFaceSide`) are searched again at 2×, to find faces smaller than the detector's window.
    public var upsampleBelow: Int = 700
    /// See `upsampleBelow`: twice HOG's 80 px window, in pixels of the (enlarged) copy HOG ran on.
    var retryBelowFaceSide: Double = 160
    /// Detection copies smaller than this are enlarged to it first (at most 2×): video frames, thumbnails.
    public var hogMinSide: Int = 448
    /// Long side of the copy the profile cascade runs on.
    public var profileSide: Int = 480

    // Detector tuning, fitted on the DEV set by `scripts/eval-faces` (not user keys).
    /// HOG detection score a face needs (dlib's own threshold is 0).
    var hogMinScore: Double = -0.4
    /// Neighbour hits a profile-cascade box needs (false faces on textures have few: at most 5 on DEV's no-face
    /// images with the LBP cascade; real profiles 6 to 27).
    var profileMinNeighbours: Int = 6
    /// Smallest profile box searched, as a fraction of the detection copy's long side.
    var minProfileFraction: Double = 0.08
    /// Faces smaller than this fraction of the main face's side are background, not a second subject.
    var minRelativeSide: Double = 0.5
    /// HOG score below which a face from a turned sub-detector is checked by the profile cascade too (dlib's own
    /// threshold: hits below it exist only because `hogMinScore` admits them).
    var weakHogScore: Double = 0
    /// Long side of the copy dlib's CNN detector runs on, where HOG and the profile cascade found nothing
    /// (0: never). It finds faces from about 40 px on that copy; its cost grows with the pixel count.
    var cnnSide: Int = 192
    /// CNN detection score a face needs (the network's own threshold is 0).
    var cnnMinScore: Double = 0
    /// CNN box → HOG-like box for the landmark fit: side factor and downward shift (× the CNN box's side),
    /// medians over DEV faces both detectors find.
    var cnnToHogScale: Double = 1.091
    var cnnToHogDrop: Double = 0.087
    /// Roll (degrees, measured on a first upright fit) from which the landmarks are fitted again with the face turned
    /// level: the landmark model was trained on upright faces. DEV photos turned by −30° and 35° (`scripts/eval-faces
    /// --tilt -30 35`) kept their yaw within 1.1–1.2° (p90) refitted, 3.4–8.1° fitted upright only.
    var levelFitRoll: Double = 15
    /// Yaw given to a face only the profile cascade found.
    var profileYaw: Double = 75
    /// Landmark yaw from which a HOG face counts as a profile (landmark yaw saturates well before 90°).
    var profileConfirmYaw: Double = 40

    public init() {}

    /// How much of the image around the face box counts as the face region.
    public static let regionFactor = 2.0
}
