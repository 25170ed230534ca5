#ifndef WINNOW_FACE_SHIM_H
#define WINNOW_FACE_SHIM_H
// A thin C face over dlib (HOG face detector, 68-point landmarks) and OpenCV (profile cascade, LBP or Haar).
// Detection and landmarks only: pose, binning and every decision live in Swift.
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Which detector, on which pass, found a face.
typedef enum {
    /// dlib's HOG detector (its five sub-detectors cover frontal to roughly 3/4 faces).
    WINNOW_FACE_HOG = 0,
    /// dlib's HOG detector on the horizontal mirror (box mapped back). HOG is not mirror-symmetric; running
    /// both passes lets the caller make the result exactly mirror-symmetric.
    WINNOW_FACE_HOG_MIRROR = 3,
    /// OpenCV's profile cascade on the image as it is.
    WINNOW_FACE_PROFILE_IMAGE = 1,
    /// OpenCV's profile cascade on the horizontal mirror (box mapped back to the image).
    WINNOW_FACE_PROFILE_MIRROR = 2,
    /// dlib's CNN (MMOD) face detector: frontal to near-profile, not mirror-symmetric.
    WINNOW_FACE_CNN = 4,
} winnow_face_source;

/// One raw detection in the coordinates of the buffer passed to `winnow_faces_hog` / `winnow_faces_profiles`.
typedef struct {
    double x, y, width, height;
    winnow_face_source source;
    /// HOG: detection score; cascades: number of neighbour hits.
    double score;
    /// HOG only: which of dlib's five sub-detectors fired (0 front, 1 left, 2 right, 3/4 rotated front); else -1.
    int subdetector;
} winnow_face;

typedef struct winnow_face_detector winnow_face_detector;

/// Loads the models (1–2 s). `profile_cascade_path` may be NULL to skip the profile passes.
/// Every call below but `winnow_faces_load_cnn` may run from several threads at once: HOG and cascade scans each
/// borrow scanners of their own (dlib's detectors keep scratch state), made on first need; landmark fits and CNN
/// runs take turns (dlib does their arithmetic in the system BLAS / LAPACK, which may not be thread-safe).
/// Returns NULL with a message in *error (free with winnow_face_string_free) on failure.
winnow_face_detector *winnow_faces_create(const char *landmarks_path, const char *profile_cascade_path, char **error);
void winnow_faces_free(winnow_face_detector *detector);

/// Loads dlib's CNN face detector (`mmod_human_face_detector.dat`) into `detector`, for `winnow_faces_cnn`; call it
/// before any detection.
/// Returns 0, or -1 with a message in *error (free with winnow_face_string_free).
int winnow_faces_load_cnn(winnow_face_detector *detector, const char *cnn_path, char **error);

/// dlib's CNN face detector on an 8-bit gray buffer (it searches its own pyramid, faces from about 40 px);
/// `cnn_threshold` is added to the network's threshold (< 0 returns weaker hits). Boxes only. Returns 0 when no
/// CNN was loaded or the buffer is under 48 px on a side; otherwise as `winnow_faces_hog`. Costs far more than HOG per pixel: meant for small copies.
int winnow_faces_cnn(winnow_face_detector *detector, const uint8_t *gray, int width, int height,
                     double cnn_threshold, winnow_face *out, int capacity);

/// dlib's HOG detector (on the image as it is, and on its mirror when `mirror_pass` is not 0: only where the first
/// pass came near a face, and only at the scales it came near one) on an 8-bit gray buffer (row-major, `width`×`height`),
/// boxes only (landmarks: `winnow_faces_landmarks`, once per face the caller keeps). `upsample` > 1 enlarges the image first (finds faces smaller than
/// HOG's 80 px window, costs more); boxes and landmarks come back in the buffer's coordinates. `hog_threshold`
/// is added to dlib's threshold (< 0 returns weaker hits). `max_levels` > 0 searches only the first levels of
/// HOG's pyramid (each 5/6 of the one before; the first finds the smallest faces, ~80 px at the enlarged size), to
/// search again for small faces only. Writes up to `capacity` faces into `out`; returns how
/// many were found (may exceed capacity), or -1 on error.
int winnow_faces_hog(winnow_face_detector *detector, const uint8_t *gray, int width, int height,
                     double upsample, double hog_threshold, int mirror_pass, int max_levels, winnow_face *out,
                     int capacity);

/// OpenCV's profile cascade on the image and on its mirror (the cascade sees one side only), boxes only;
/// `min_profile_side` is the smallest box searched, in buffer pixels. Returns 0 when no cascade
/// was loaded. Otherwise as `winnow_faces_hog`.
int winnow_faces_profiles(winnow_face_detector *detector, const uint8_t *gray, int width, int height,
                          double upsample, int min_profile_side, winnow_face *out, int capacity);

/// dlib's 68 landmarks for `count` boxes (x, y, width, height each, in buffer pixels) on the buffer enlarged by
/// `upsample` (≥ 1; the factor the boxes were found at, so the fit sees the same pixels). Writes 136 floats per box
/// into `out`: x0, y0, x1, y1, … (iBUG 300-W order) in buffer pixels, fitted inside the box on the image and
/// inside the mirrored box on the mirrored image and averaged (mapped back, left/right points swapped), so that
/// a mirrored image gives exactly mirrored landmarks. `angles` (or NULL: all 0) turns each box's fit by that many
/// radians about the box's centre, for a face whose roll the upright fit cannot follow. Returns `count`, or -1 on
/// error.
int winnow_faces_landmarks(winnow_face_detector *detector, const uint8_t *gray, int width, int height,
                           double upsample, const double *boxes, const double *angles, int count, float *out);

void winnow_face_string_free(char *string);

#ifdef __cplusplus
}
#endif
#endif
