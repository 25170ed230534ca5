#ifndef WINNOW_WEBP_SHIM_H
#define WINNOW_WEBP_SHIM_H
// A thin C face over libwebp: a still WebP decoded straight to its Y, U, V (and alpha) planes, the
// form its lossy frames are stored in, with no RGB conversion and no chroma upsampling.
#include <stddef.h>
#include <stdint.h>

/// An open WebP file (mapped, not read) and, once decoded, its planes. Close with winnow_webp_close.
typedef struct winnow_webp winnow_webp;

/// What the file's headers say.
typedef struct {
    /// Pixels as stored, before any EXIF orientation.
    int width;
    int height;
    int has_alpha;
    /// The EXIF chunk's payload (a TIFF header, sometimes after "Exif\0\0"), or NULL; owned by the handle.
    const uint8_t *exif;
    size_t exif_length;
} winnow_webp_info;

/// The decoded planes, owned by the handle: Y at full size (`width` bytes a row), U and V at half size
/// rounded up (`(width + 1) / 2` a row), alpha at full size or NULL. Y, U, V are libwebp's limited-range
/// BT.601 values (Y 16–235); the pixels under transparent alpha are as stored, not flattened.
typedef struct {
    uint8_t *y;
    const uint8_t *u;
    const uint8_t *v;
    const uint8_t *a;
} winnow_webp_planes;

/// Maps `path` and reads its headers. Returns 0 with *out set; or 1 when this is not a still WebP
/// (not a WebP at all, or an animation: the caller uses libvips), with the reason in *error
/// (free with winnow_webp_string_free).
int winnow_webp_open(const char *path, winnow_webp **out, winnow_webp_info *info, char **error);

/// Decodes every pixel into the planes (memory: 1.5 bytes per pixel, 2.5 with alpha). A truncated or
/// corrupt file is an error. Returns 0, or -1 with *error.
int winnow_webp_decode(winnow_webp *webp, winnow_webp_planes *planes, char **error);

void winnow_webp_close(winnow_webp *webp);
void winnow_webp_string_free(char *string);

#endif
