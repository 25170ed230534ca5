// dlib + OpenCV behind the C API in FaceShim.h. Kept deliberately thin: no pose, no decisions.
#include "FaceShim.h"

#include <dlib/dnn.h>
#include <dlib/image_processing.h>
#include <dlib/image_processing/frontal_face_detector.h>
#include <dlib/image_transforms.h>
#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>
#include <opencv2/objdetect.hpp>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <map>
#include <mutex>
#include <string>
#include <vector>

// dlib's MMOD face detector network, exactly as in dlib's dnn_mmod_face_detection_ex.cpp (the layout the
// `mmod_human_face_detector.dat` weights were trained with).
namespace mmod {
using namespace dlib;
template <long N, typename SUBNET> using con5d = con<N, 5, 5, 2, 2, SUBNET>;
template <long N, typename SUBNET> using con5 = con<N, 5, 5, 1, 1, SUBNET>;
template <typename SUBNET>
using downsampler = relu<affine<con5d<32, relu<affine<con5d<32, relu<affine<con5d<16, SUBNET>>>>>>>>>;
template <typename SUBNET> using rcon5 = relu<affine<con5<45, SUBNET>>>;
using net_type = loss_mmod<con<1, 9, 9, 1, 1, rcon5<rcon5<rcon5<downsampler<input_rgb_image_pyramid<pyramid_down<6>>>>>>>>;
}  // namespace mmod

// What one call at a time may use: dlib's object_detector keeps scratch state in the object, and OpenCV documents
// no thread safety for cascades. Each call borrows a set of its own (see `Borrowed`).
struct Scanners {
    dlib::frontal_face_detector hog;
    // The HOG detector limited to its pyramid's first n levels (the smallest faces), built on first use.
    std::map<int, dlib::frontal_face_detector> hogFirstLevels;
    cv::CascadeClassifier profile;
};

struct winnow_face_detector {
    // Read-only once loaded, shared by every call (dlib documents it safe from several threads; its fits still
    // take `blasLock`).
    dlib::shape_predictor landmarks;
    // What each new set of scanners is copied from.
    dlib::frontal_face_detector hog;
    std::string profilePath;
    bool hasProfile = false;
    // Sets not in use; `lock` guards this list only, so calls from several threads run at once.
    std::vector<std::unique_ptr<Scanners>> idle;
    std::mutex lock;
    mmod::net_type cnn;
    bool hasCNN = false;
    // dlib reaches the system BLAS and LAPACK in many small places (the pseudo-inverse behind each affine-transform
    // fit in the landmark model, SVDs while building HOG filters, the CNN's convolutions), and Debian's serial
    // OpenBLAS is built without USE_LOCKING: its buffer pool is not safe under concurrent calls. Whatever may
    // reach them holds this lock (and the CNN has one network); the HOG and cascade scans, the bulk of the work,
    // do not, and run at once.
    std::mutex blasLock;
};

// A set of scanners for the length of one call: an idle one, or a new one when every set is in use, so there
// are as many sets as calls ever ran at once (the analysis workers).
class Borrowed {
  public:
    explicit Borrowed(winnow_face_detector &d) : d_(d) {
        {
            std::lock_guard<std::mutex> guard(d.lock);
            if (!d.idle.empty()) {
                set_ = std::move(d.idle.back());
                d.idle.pop_back();
            }
        }
        if (set_) return;
        std::lock_guard<std::mutex> guard(d.blasLock);
        set_ = std::make_unique<Scanners>();
        set_->hog = d.hog;
        if (d.hasProfile && !set_->profile.load(d.profilePath)) throw std::runtime_error("cannot load " + d.profilePath);
    }
    ~Borrowed() {
        std::lock_guard<std::mutex> guard(d_.lock);
        d_.idle.push_back(std::move(set_));
    }
    Borrowed(const Borrowed &) = delete;
    Borrowed &operator=(const Borrowed &) = delete;
    Scanners &operator*() { return *set_; }
    Scanners *operator->() { return set_.get(); }

  private:
    winnow_face_detector &d_;
    std::unique_ptr<Scanners> set_;
};

static char *copyString(const std::string &text) {
    char *out = static_cast<char *>(std::malloc(text.size() + 1));
    if (out) std::memcpy(out, text.c_str(), text.size() + 1);
    return out;
}

extern "C" winnow_face_detector *winnow_faces_create(const char *landmarks_path, const char *profile_cascade_path,
                                                     char **error) {
    auto *detector = new winnow_face_detector();
    try {
        detector->hog = dlib::get_frontal_face_detector();
        dlib::deserialize(landmarks_path) >> detector->landmarks;
        if (profile_cascade_path) {
            // Loaded once here to report a bad file now; each set of scanners loads its own copy.
            cv::CascadeClassifier probe;
            if (!probe.load(profile_cascade_path)) {
                throw std::runtime_error(std::string("cannot load cascade ") + profile_cascade_path);
            }
            detector->profilePath = profile_cascade_path;
            detector->hasProfile = true;
        }
    } catch (const std::exception &e) {
        if (error) *error = copyString(e.what());
        delete detector;
        return nullptr;
    }
    return detector;
}

extern "C" int winnow_faces_load_cnn(winnow_face_detector *detector, const char *cnn_path, char **error) {
    if (!detector || !cnn_path) return -1;
    std::lock_guard<std::mutex> guard(detector->blasLock);
    try {
        dlib::deserialize(cnn_path) >> detector->cnn;
        detector->hasCNN = true;
        return 0;
    } catch (const std::exception &e) {
        if (error) *error = copyString(e.what());
        return -1;
    }
}

extern "C" void winnow_faces_free(winnow_face_detector *detector) { delete detector; }

extern "C" void winnow_face_string_free(char *string) { std::free(string); }

// iBUG 300-W: the index of each point's mirror partner.
static const int kMirrorIndex[68] = {
    16, 15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0,   // jaw
    26, 25, 24, 23, 22, 21, 20, 19, 18, 17,                     // brows
    27, 28, 29, 30, 35, 34, 33, 32, 31,                         // nose
    45, 44, 43, 42, 47, 46, 39, 38, 37, 36, 41, 40,             // eyes
    54, 53, 52, 51, 50, 49, 48, 59, 58, 57, 56, 55,             // outer lips
    64, 63, 62, 61, 60, 67, 66, 65,                             // inner lips
};

// The shape predictor's fit inside `box`, turned by `angle` radians about the box's centre (0: as it stands).
// A turned fit runs on a chip cut out level with the face, twice the box's side so the model still sees the
// pixels around the box that it reads; its points are mapped back into the image.
static dlib::full_object_detection fitInBox(const winnow_face_detector &d, const dlib::array2d<unsigned char> &img,
                                            const dlib::rectangle &box, double angle) {
    if (angle == 0) return d.landmarks(img, box);
    const dlib::drectangle around = dlib::centered_drect(dlib::drectangle(box), 2 * box.width(), 2 * box.height());
    const dlib::chip_details chip(around, dlib::chip_dims(2 * box.height(), 2 * box.width()), angle);
    dlib::array2d<unsigned char> levelled;
    dlib::extract_image_chip(img, chip, levelled);
    const dlib::rectangle inner(box.width() / 2, box.height() / 2, box.width() / 2 + box.width() - 1,
                                box.height() / 2 + box.height() - 1);
    dlib::full_object_detection fit = d.landmarks(levelled, inner);
    const dlib::point_transform_affine back = dlib::inv(dlib::get_mapping_to_chip(chip));
    std::vector<dlib::point> parts;
    for (unsigned long i = 0; i < fit.num_parts(); i++) parts.push_back(back(dlib::dpoint(fit.part(i))));
    return dlib::full_object_detection(box, parts);
}

static void fitLandmarks(const winnow_face_detector &d, const dlib::array2d<unsigned char> &img,
                         const dlib::array2d<unsigned char> &mirror, const dlib::rectangle &box, double angle,
                         double scale, float *landmarks) {
    const long w = img.nc();
    dlib::full_object_detection direct = fitInBox(d, img, box, angle);
    dlib::rectangle flipped(w - 1 - box.right(), box.top(), w - 1 - box.left(), box.bottom());
    dlib::full_object_detection mirrored = fitInBox(d, mirror, flipped, -angle);
    for (int i = 0; i < 68; i++) {
        const dlib::point a = direct.part(i), b = mirrored.part(kMirrorIndex[i]);
        landmarks[2 * i] = static_cast<float>((a.x() + (w - 1 - b.x())) / 2.0 / scale);
        landmarks[2 * i + 1] = static_cast<float>((a.y() + b.y()) / 2.0 / scale);
    }
}

// The buffer as a dlib image, enlarged by `scale` (≥ 1), and its mirror (for the landmark fits).
static void prepare(const uint8_t *gray, int width, int height, double scale, dlib::array2d<unsigned char> &img,
                    dlib::array2d<unsigned char> &mirror) {
    dlib::array2d<unsigned char> original(height, width);
    for (int y = 0; y < height; y++) std::memcpy(&original[y][0], gray + size_t(y) * width, size_t(width));
    if (scale > 1.0) {
        img.set_size(long(height * scale + 0.5), long(width * scale + 0.5));
        dlib::resize_image(original, img);
    } else {
        dlib::swap(img, original);
    }
    // By hand: dlib's flip fits an affine transform first, which reaches LAPACK (see `blasLock`).
    mirror.set_size(img.nr(), img.nc());
    for (long y = 0; y < img.nr(); y++) std::reverse_copy(&img[y][0], &img[y][0] + img.nc(), &mirror[y][0]);
}

static winnow_face makeFace(const dlib::rectangle &r, double scale, winnow_face_source source, double score,
                            int subdetector) {
    winnow_face face{};
    face.x = r.left() / scale;
    face.y = r.top() / scale;
    face.width = r.width() / scale;
    face.height = r.height() / scale;
    face.source = source;
    face.score = score;
    face.subdetector = subdetector;
    return face;
}

static int copyOut(const std::vector<winnow_face> &found, winnow_face *out, int capacity) {
    const int n = int(found.size());
    for (int i = 0; i < n && i < capacity; i++) out[i] = found[i];
    return n;
}

// The level of HOG's pyramid (0: the image itself, each next one 5/6 the size) at which its 80 px window
// matches a box of this size.
static int pyramidLevel(const dlib::rectangle &box) {
    const double side = std::max(box.width(), box.height());
    return int(std::lround(std::log(std::max(1.0, side / 80.0)) / std::log(6.0 / 5.0)));
}

// dlib's HOG detector searching only the first `levels` levels of its pyramid (all when levels <= 0).
static dlib::frontal_face_detector &hogWithLevels(winnow_face_detector &d, Scanners &s, int levels) {
    if (levels <= 0) return s.hog;
    auto found = s.hogFirstLevels.find(levels);
    if (found != s.hogFirstLevels.end()) return found->second;
    dlib::frontal_face_detector::image_scanner_type scanner;
    scanner.copy_configuration(s.hog.get_scanner());
    scanner.set_max_pyramid_levels(levels);
    std::vector<dlib::frontal_face_detector::feature_vector_type> weights;
    for (unsigned long i = 0; i < s.hog.num_detectors(); i++) weights.push_back(s.hog.get_w(i));
    std::lock_guard<std::mutex> guard(d.blasLock);  // building the filters runs SVDs
    return s.hogFirstLevels.emplace(levels, dlib::frontal_face_detector(scanner, s.hog.get_overlap_tester(), weights))
        .first->second;
}

extern "C" int winnow_faces_hog(winnow_face_detector *detector, const uint8_t *gray, int width, int height,
                                double upsample, double hog_threshold, int mirror_pass, int max_levels,
                                winnow_face *out, int capacity) {
    if (!detector || !gray || width <= 0 || height <= 0) return -1;
    try {
        Borrowed scanners(*detector);
        auto &hog = hogWithLevels(*detector, *scanners, max_levels);
        const double scale = upsample > 1.0 ? upsample : 1.0;
        dlib::array2d<unsigned char> img, mirror;
        prepare(gray, width, height, scale, img, mirror);
        std::vector<winnow_face> found;
        const long w = img.nc();
        // The mirror pass would cost as much as the first one. It only finds faces the first pass scored near
        // the threshold (on DEV the first pass scored every face found only in the mirror at most 0.31 below
        // it), so where the first pass has nothing within kMirrorSlack of the threshold — most images without
        // a face — it is skipped, and otherwise it searches only the pyramid levels from one below the finest
        // level those near misses sit at: HOG builds each level from the one before, so starting from that
        // level's image gives the same features there and saves the finest (largest) levels.
        const double kMirrorSlack = 0.4;
        std::vector<dlib::rect_detection> first;
        hog(img, first, hog_threshold - kMirrorSlack);
        for (const auto &hit : first) {
            if (hit.detection_confidence < hog_threshold) continue;
            found.push_back(makeFace(hit.rect, scale, WINNOW_FACE_HOG, hit.detection_confidence, int(hit.weight_index)));
        }
        if (mirror_pass && !first.empty()) {
            int finest = std::numeric_limits<int>::max();
            for (const auto &hit : first) finest = std::min(finest, pyramidLevel(hit.rect));
            const int skip = std::max(0, finest - 1);
            dlib::pyramid_down<6> pyr;
            dlib::array2d<unsigned char> coarse;
            for (int level = 0; level < skip; level++) {
                dlib::array2d<unsigned char> next;
                pyr(level == 0 ? mirror : coarse, next);
                dlib::swap(coarse, next);
            }
            auto &mirrorHog = max_levels > 0 ? hogWithLevels(*detector, *scanners, max_levels - skip) : hog;
            std::vector<dlib::rect_detection> hits;
            mirrorHog(skip > 0 ? coarse : mirror, hits, hog_threshold);
            for (const auto &hit : hits) {
                // Rounded to whole pixels once more than the full search would (a box may move by one pixel).
                const dlib::rectangle r = skip > 0 ? dlib::rectangle(pyr.rect_up(dlib::drectangle(hit.rect), skip)) : hit.rect;
                found.push_back(makeFace(dlib::rectangle(w - 1 - r.right(), r.top(), w - 1 - r.left(), r.bottom()),
                                         scale, WINNOW_FACE_HOG_MIRROR, hit.detection_confidence,
                                         int(hit.weight_index)));
            }
        }
        return copyOut(found, out, capacity);
    } catch (...) {
        return -1;
    }
}

extern "C" int winnow_faces_profiles(winnow_face_detector *detector, const uint8_t *gray, int width, int height,
                                     double upsample, int min_profile_side, winnow_face *out, int capacity) {
    if (!detector || !gray || width <= 0 || height <= 0) return -1;
    if (!detector->hasProfile) return 0;
    try {
        Borrowed scanners(*detector);
        const double scale = upsample > 1.0 ? upsample : 1.0;
        dlib::array2d<unsigned char> img, mirror;
        prepare(gray, width, height, scale, img, mirror);
        const int h = int(img.nr()), w = int(img.nc());
        cv::Mat view(h, w, CV_8UC1, &img[0][0]);
        cv::Mat equalized, mirrored;
        cv::equalizeHist(view, equalized);
        cv::flip(equalized, mirrored, 1);
        const int minSide = std::max(24, int(min_profile_side * scale));
        std::vector<winnow_face> found;
        for (int pass = 0; pass < 2; pass++) {
            std::vector<cv::Rect> rects;
            std::vector<int> neighbours;
            scanners->profile.detectMultiScale(pass == 0 ? equalized : mirrored, rects, neighbours, 1.1, 3, 0,
                                               cv::Size(minSide, minSide));
            for (size_t i = 0; i < rects.size(); i++) {
                cv::Rect r = rects[i];
                if (pass == 1) r.x = w - r.x - r.width;
                found.push_back(makeFace(dlib::rectangle(r.x, r.y, r.x + r.width - 1, r.y + r.height - 1), scale,
                                         pass == 0 ? WINNOW_FACE_PROFILE_IMAGE : WINNOW_FACE_PROFILE_MIRROR,
                                         i < neighbours.size() ? neighbours[i] : 0, -1));
            }
        }
        return copyOut(found, out, capacity);
    } catch (...) {
        return -1;
    }
}

extern "C" int winnow_faces_landmarks(winnow_face_detector *detector, const uint8_t *gray, int width, int height,
                                      double upsample, const double *boxes, const double *angles, int count,
                                      float *out) {
    if (!detector || !gray || width <= 0 || height <= 0 || count < 0 || (count > 0 && (!boxes || !out))) return -1;
    if (count == 0) return 0;
    try {
        const double scale = upsample > 1.0 ? upsample : 1.0;
        dlib::array2d<unsigned char> img, mirror;
        prepare(gray, width, height, scale, img, mirror);
        std::lock_guard<std::mutex> guard(detector->blasLock);  // each fit solves small affine transforms
        for (int i = 0; i < count; i++) {
            const double *b = boxes + 4 * i;
            // The inverse of makeFace's mapping, so a box handed back unchanged is the detector's own rectangle.
            const long left = std::lround(b[0] * scale), top = std::lround(b[1] * scale);
            const dlib::rectangle box(left, top, left + std::lround(b[2] * scale) - 1, top + std::lround(b[3] * scale) - 1);
            fitLandmarks(*detector, img, mirror, box, angles ? angles[i] : 0, scale, out + 136 * i);
        }
        return count;
    } catch (...) {
        return -1;
    }
}

extern "C" int winnow_faces_cnn(winnow_face_detector *detector, const uint8_t *gray, int width, int height,
                                double cnn_threshold, winnow_face *out, int capacity) {
    if (!detector || !gray || width <= 0 || height <= 0) return -1;
    // Below this the network's unpadded strided filters do not fit (dlib reports that as a fatal error, and aborts
    // the process at the second one); its smallest face is about 40 px anyway.
    const int kMinSide = 48;
    if (!detector->hasCNN || std::min(width, height) < kMinSide) return 0;
    try {
        // The network takes colour; gray in all three channels (the detection copy is gray).
        dlib::matrix<dlib::rgb_pixel> img(height, width);
        for (int y = 0; y < height; y++) {
            const uint8_t *row = gray + size_t(y) * width;
            for (int x = 0; x < width; x++) img(y, x) = dlib::rgb_pixel(row[x], row[x], row[x]);
        }
        std::vector<dlib::mmod_rect> hits;
        {
            std::lock_guard<std::mutex> guard(detector->blasLock);
            hits = detector->cnn.process(img, cnn_threshold);
        }
        std::vector<winnow_face> found;
        for (const auto &hit : hits) found.push_back(makeFace(hit.rect, 1.0, WINNOW_FACE_CNN, hit.detection_confidence, -1));
        return copyOut(found, out, capacity);
    } catch (...) {
        return -1;
    }
}
