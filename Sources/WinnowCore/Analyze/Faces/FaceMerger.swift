/// Turns raw hits from HOG and both profile passes into one list of faces.
struct FaceMerger {
    let settings: FaceSettings

    func merge(_ raw: [DetectedFace]) -> [MergedFace] {
        var faces = hogFaces(raw)
        // Profile hits: only where HOG found nothing; the strongest of overlapping hits (either pass) wins.
        let profiles = raw.filter { ($0.source == .profileImage || $0.source == .profileMirror) && $0.score >= Double(settings.profileMinNeighbours) }
            .sorted { $0.score > $1.score }
        // A weak turned HOG hit the cascade also found is a side view: the cascade's pass gives its side.
        for index in faces.indices where isWeakTurned(faces[index].detection) {
            if let hit = profiles.first(where: { $0.box.overlap(faces[index].detection.box) > 0.5 }) {
                faces[index].profileYaw = side(of: hit) * settings.profileYaw
            }
        }
        for hit in profiles where !faces.contains(where: { $0.detection.box.overlap(hit.box) > 0.3 }) {
            faces.append(MergedFace(detection: hit, parts: [hit], profileYaw: side(of: hit) * settings.profileYaw))
        }
        // CNN hits: only where neither HOG nor the profile cascade found a face (the stage runs the CNN only then).
        if faces.isEmpty {
            let cnn = raw.filter { $0.source == .cnn && $0.score >= settings.cnnMinScore }
            faces = cnn.map { MergedFace(detection: $0, parts: [$0], profileYaw: nil) }
        }
        faces.sort { $0.detection.box.area > $1.detection.box.area }
        // Background faces much smaller than the main one do not make a "multi-face" image.
        guard let mainSide = faces.first?.detection.box.side else { return [] }
        return faces.filter { $0.detection.box.side >= mainSide * settings.minRelativeSide }
    }

    /// A HOG face below dlib's own threshold from a sub-detector for turned faces (1 or 2).
    func isWeakTurned(_ face: DetectedFace) -> Bool {
        face.source == .hog && face.score < settings.weakHogScore && (face.subdetector == 1 || face.subdetector == 2)
    }

    /// HOG hits from the image and the mirror pass, one per face. Where both passes found a face, their boxes
    /// are averaged, and so are the landmarks fitted in each: a mirrored image then gives exactly the mirrored
    /// face (the DEV set's mirrored pairs caught bins flipping on a few pixels of box difference).
    private func hogFaces(_ raw: [DetectedFace]) -> [MergedFace] {
        let hits = raw.filter { ($0.source == .hog || $0.source == .hogMirror) && $0.score >= settings.hogMinScore }
        var faces: [MergedFace] = []
        var used = Set<Int>()
        // Strongest first; ties broken by position so the order does not depend on the pass.
        let order = hits.indices.sorted { (hits[$0].score, hits[$0].box.x) > (hits[$1].score, hits[$1].box.x) }
        for i in order where !used.contains(i) {
            let cluster = order.filter { !used.contains($0) && hits[$0].box.overlap(hits[i].box) > 0.5 }
            used.formUnion(cluster)
            let direct = cluster.first { hits[$0].source == .hog }.map { hits[$0] }
            let mirrored = cluster.first { hits[$0].source == .hogMirror }.map { hits[$0] }
            guard let a = direct ?? mirrored, let b = mirrored ?? direct else { continue }
            faces.append(MergedFace(detection: Self.average(a, b), parts: a == b ? [a] : [a, b], profileYaw: nil))
        }
        return faces
    }

    static func average(_ a: DetectedFace, _ b: DetectedFace) -> DetectedFace {
        func mid(_ x: Double, _ y: Double) -> Double { (x + y) / 2 }
        return DetectedFace(
            box: FaceBox(x: mid(a.box.x, b.box.x), y: mid(a.box.y, b.box.y),
                         width: mid(a.box.width, b.box.width), height: mid(a.box.height, b.box.height)),
            source: .hog, score: max(a.score, b.score), subdetector: a.subdetector)
    }

    /// +1 when the pass that found `hit` sees faces turned toward the image's left, else −1.
    private func side(of hit: DetectedFace) -> Double { hit.source == ProfileCascade.imagePassSide ? 1 : -1 }
}

/// Which way OpenCV's `lbpcascade_profileface.xml` looks (like the Haar one), checked on the DEV profiles (real
/// left and right side views, not only mirrors): it fires on faces whose nose points to the image's left, so the
/// mirror pass finds the right-facing ones.
enum ProfileCascade {
    /// The pass whose hits have the nose toward the image's left (yaw > 0).
    static let imagePassSide: DetectedFace.Source = .profileImage
}
