#include "VipsShim.h"
#include <vips/vips.h>
#include <stdlib.h>
#include <malloc.h>
#include <string.h>

static char *take_error(const char *fallback) {
    const char *message = vips_error_buffer();
    char *copy = strdup(message && *message ? message : fallback);
    vips_error_clear();
    // vips ends messages with a newline; callers show them on one line.
    size_t n = strlen(copy);
    while (n > 0 && (copy[n - 1] == '\n' || copy[n - 1] == ' ')) copy[--n] = 0;
    for (size_t i = 0; i < n; i++) if (copy[i] == '\n') copy[i] = ' ';
    return copy;
}

/// Transparent pixels become white (what a viewer shows); *image is replaced by the flattened copy,
/// kept in *flat for the caller to unref. Images without alpha are left as they are.
static int flatten_on_white(VipsImage **image, VipsImage **flat) {
    if (!vips_image_hasalpha(*image)) return 0;
    double white[3] = {255, 255, 255};
    VipsArrayDouble *background = vips_array_double_new(white, 3);
    int failed = vips_flatten(*image, flat, "background", background, NULL);
    vips_area_unref(VIPS_AREA(background));
    if (!failed) *image = *flat;
    return failed;
}

int winnow_vips_start(void) {
    // glibc gives every thread that allocates its own malloc arena and keeps what was freed there:
    // libvips' worker threads (one per core for every pipeline) took a DEV scan to ~480 MB resident
    // that way. Two arenas hold it under 300 MB at the same speed (scripts/bench-scan).
    mallopt(M_ARENA_MAX, 2);
    // Image buffers (a megabyte and up) straight from mmap and back to the system when freed: glibc's
    // sliding threshold would otherwise serve them from the arenas after the first free, where they stay
    // (DEV scan peak RSS 262 -> 220 MB, for ~4 s more system time over 864 files: scripts/bench-scan).
    mallopt(M_MMAP_THRESHOLD, 1 << 20);
    // Setting the threshold also stops glibc sliding the trim threshold, which would fall back to
    // 128 KB: every image's smaller buffers (tiles, spectra, the small planes) would then go back to the
    // system at the top of the heap and be faulted in again for the next image (3 s -> 9 s of system
    // time over DEV's 864 files in `winnow-bench analyse`). Keeping up to 32 MB free at the top serves
    // them again from memory, the state a scan used to reach only by accident of file order.
    mallopt(M_TRIM_THRESHOLD, 32 << 20);
    if (VIPS_INIT("winnow")) return -1;
    // Each image is decoded once; the operation cache only holds memory.
    vips_cache_set_max(0);
    return 0;
}

static int copy_out(VipsImage *image, winnow_pixels *out, char **error) {
    size_t size = 0;
    void *data = vips_image_write_to_memory(image, &size);
    if (!data) { *error = take_error("decode failed"); return -1; }
    out->width = vips_image_get_width(image);
    out->height = vips_image_get_height(image);
    out->bands = vips_image_get_bands(image);
    out->data = data;
    return 0;
}

int winnow_vips_header(const char *path, int *width, int *height, char **loader, char **error) {
    const char *name = vips_foreign_find_load(path);
    if (!name) { *error = take_error("not an image libvips can read"); return -1; }
    VipsImage *image = vips_image_new_from_file(path, "access", VIPS_ACCESS_SEQUENTIAL, NULL);
    if (!image) { *error = take_error("unreadable header"); return -1; }
    *width = vips_image_get_width(image);
    *height = vips_image_get_height(image);
    // find_load answers with the class name; callers want the operation's nickname ("jpegload").
    const char *nickname = vips_nickname_find(g_type_from_name(name));
    *loader = strdup(nickname ? nickname : name);
    g_object_unref(image);
    return 0;
}

/// A header larger than `max_pixels` is refused before any pixel is decoded (decompression bombs).
static int check_pixel_limit(const char *path, int64_t max_pixels, char **error) {
    int width = 0, height = 0;
    char *loader = NULL;
    if (winnow_vips_header(path, &width, &height, &loader, error)) return -1;
    free(loader);
    if ((int64_t)width * (int64_t)height <= max_pixels) return 0;
    char message[160];
    snprintf(message, sizeof message, "image is %dx%d, over the %lld-pixel limit (decompression bomb?)",
             width, height, (long long)max_pixels);
    *error = strdup(message);
    return -1;
}

/// `image` flattened on white as 8-bit sRGB, copied out.
static int srgb_out(VipsImage *image, winnow_pixels *out, char **error) {
    VipsImage *rgb = NULL, *flat = NULL, *u8 = NULL;
    VipsImage *current = image;
    int failed = flatten_on_white(&current, &flat);
    if (!failed) failed = vips_colourspace(current, &rgb, VIPS_INTERPRETATION_sRGB, NULL);
    if (!failed) failed = vips_cast_uchar(rgb, &u8, NULL);
    int result = -1;
    if (failed) *error = take_error("colour conversion failed");
    else result = copy_out(u8, out, error);
    if (u8) g_object_unref(u8);
    if (rgb) g_object_unref(rgb);
    if (flat) g_object_unref(flat);
    return result;
}

int winnow_vips_thumbnail(const char *path, int max_side, int64_t max_pixels,
                          winnow_pixels *out, char **error) {
    memset(out, 0, sizeof *out);
    if (check_pixel_limit(path, max_pixels, error)) return -1;
    VipsImage *thumb = NULL;
    // fail_on=error: a truncated file is an error, not a grey half-image.
    if (vips_thumbnail(path, &thumb, max_side, "height", max_side, "size", VIPS_SIZE_DOWN,
                       "fail_on", VIPS_FAIL_ON_ERROR, NULL)) {
        *error = take_error("decode failed");
        return -1;
    }
    int result = srgb_out(thumb, out, error);
    g_object_unref(thumb);
    return result;
}

int winnow_vips_region_gray(const char *path, int left, int top, int width, int height,
                            winnow_pixels *out, char **error) {
    memset(out, 0, sizeof *out);
    VipsImage *image = vips_image_new_from_file(path, "fail_on", VIPS_FAIL_ON_ERROR, NULL);
    if (!image) { *error = take_error("unreadable image"); return -1; }
    VipsImage *crop = NULL, *gray = NULL, *u8 = NULL;
    int result = -1;
    if (vips_extract_area(image, &crop, left, top, width, height, NULL) ||
        vips_colourspace(crop, &gray, VIPS_INTERPRETATION_B_W, NULL) ||
        vips_cast_uchar(gray, &u8, NULL)) {
        *error = take_error("region decode failed");
    } else {
        VipsImage *band = NULL;
        if (vips_image_get_bands(u8) > 1 && !vips_extract_band(u8, &band, 0, NULL)) {
            result = copy_out(band, out, error);
            g_object_unref(band);
        } else {
            result = copy_out(u8, out, error);
        }
    }
    if (u8) g_object_unref(u8);
    if (gray) g_object_unref(gray);
    if (crop) g_object_unref(crop);
    g_object_unref(image);
    return result;
}

/// `image` (any interpretation, alpha allowed) as 8-bit luma, 1 band, copied out.
static int gray_out(VipsImage *image, winnow_pixels *out, char **error) {
    VipsImage *flat = NULL, *gray = NULL, *u8 = NULL, *band = NULL;
    VipsImage *current = image;
    int failed = flatten_on_white(&current, &flat);
    if (!failed && vips_image_get_bands(current) == 3 && vips_image_get_format(current) == VIPS_FORMAT_UCHAR &&
        vips_image_get_interpretation(current) == VIPS_INTERPRETATION_sRGB) {
        // 8-bit sRGB (most PNG and WebP): Rec. 601 luma on the encoded values, what a JPEG's Y holds.
        // Cheaper than a colourspace change to B_W, which goes through linear light.
        VipsImage *luma = vips_image_new_matrixv(3, 1, 0.299, 0.587, 0.114);
        failed = !luma || vips_recomb(current, &gray, luma, NULL);
        if (luma) g_object_unref(luma);
    } else if (!failed) failed = vips_colourspace(current, &gray, VIPS_INTERPRETATION_B_W, NULL);
    if (!failed) failed = vips_cast_uchar(gray, &u8, NULL);
    if (!failed && vips_image_get_bands(u8) > 1) failed = vips_extract_band(u8, &band, 0, NULL);
    int result = -1;
    if (failed) *error = take_error("native decode failed");
    else result = copy_out(band ? band : u8, out, error);
    if (band) g_object_unref(band);
    if (u8) g_object_unref(u8);
    if (gray) g_object_unref(gray);
    if (flat) g_object_unref(flat);
    return result;
}

int winnow_vips_gray_native(const char *path, int64_t max_pixels, winnow_pixels *out, char **error) {
    memset(out, 0, sizeof *out);
    VipsImage *image = vips_image_new_from_file(path, "access", VIPS_ACCESS_SEQUENTIAL,
                                                "fail_on", VIPS_FAIL_ON_ERROR, NULL);
    if (!image) { *error = take_error("unreadable image"); return -1; }
    if ((int64_t)vips_image_get_width(image) * vips_image_get_height(image) > max_pixels) {
        g_object_unref(image);
        *error = strdup("image over the pixel limit");
        return -1;
    }
    int result = gray_out(image, out, error);
    g_object_unref(image);
    return result;
}

int winnow_vips_native(const char *path, int max_side, int64_t max_pixels,
                       winnow_pixels *native, int *orientation, winnow_pixels *small, char **error) {
    memset(native, 0, sizeof *native);
    memset(small, 0, sizeof *small);
    *orientation = 1;
    if (check_pixel_limit(path, max_pixels, error)) return -1;
    VipsImage *image = vips_image_new_from_file(path, "access", VIPS_ACCESS_SEQUENTIAL,
                                                "fail_on", VIPS_FAIL_ON_ERROR, NULL);
    if (!image) { *error = take_error("unreadable image"); return -1; }
    int tag = 1;
    if (vips_image_get_typeof(image, VIPS_META_ORIENTATION) && !vips_image_get_int(image, VIPS_META_ORIENTATION, &tag))
        *orientation = tag;
    VipsImage *flat = NULL, *converted = NULL, *u8 = NULL, *current = image;
    int failed = flatten_on_white(&current, &flat);
    if (!failed) {
        VipsInterpretation space = vips_image_get_bands(current) == 1 ? VIPS_INTERPRETATION_B_W : VIPS_INTERPRETATION_sRGB;
        failed = vips_colourspace(current, &converted, space, NULL) || vips_cast_uchar(converted, &u8, NULL);
    }
    // Written straight from the decoder into the buffer the caller gets: the one full decode.
    int result = failed ? -1 : copy_out(u8, native, error);
    if (failed) *error = take_error("decode failed");
    if (!result && max_side > 0) {
        // The working pixels come from the same decode, turned upright by the file's tag as a
        // thumbnail of the file would be.
        VipsImage *wrapped = vips_image_new_from_memory(native->data,
            (size_t)native->width * native->height * native->bands,
            native->width, native->height, native->bands, VIPS_FORMAT_UCHAR), *thumb = NULL;
        if (wrapped) vips_image_set_int(wrapped, VIPS_META_ORIENTATION, *orientation);
        if (!wrapped || vips_thumbnail_image(wrapped, &thumb, max_side, "height", max_side, "size", VIPS_SIZE_DOWN, NULL)) {
            *error = take_error("shrink failed");
            result = -1;
        }
        if (!result) result = srgb_out(thumb, small, error);
        if (thumb) g_object_unref(thumb);
        if (wrapped) g_object_unref(wrapped);
    }
    if (u8) g_object_unref(u8);
    if (converted) g_object_unref(converted);
    if (flat) g_object_unref(flat);
    g_object_unref(image);
    if (result) { winnow_pixels_free(native); winnow_pixels_free(small); }
    return result;
}

int winnow_vips_decode_full(const char *path, char **error) {
    VipsImage *image = vips_image_new_from_file(path, "access", VIPS_ACCESS_SEQUENTIAL, NULL);
    if (!image) { *error = take_error("unreadable image"); return -1; }
    size_t size = 0;
    void *pixels = vips_image_write_to_memory(image, &size);
    g_object_unref(image);
    if (!pixels) { *error = take_error("decode failed"); return -1; }
    g_free(pixels);
    return 0;
}

int winnow_vips_derive(const char *path, const char *out, int long_side, double blur_sigma, int quality,
                       char **error) {
    VipsImage *image = vips_image_new_from_file(path, "fail_on", VIPS_FAIL_ON_ERROR, NULL);
    if (!image) { *error = take_error("unreadable image"); return -1; }
    int width = vips_image_get_width(image), height = vips_image_get_height(image);
    double scale = (double)long_side / (width > height ? width : height);
    VipsImage *resized = NULL, *blurred = NULL;
    int failed = vips_resize(image, &resized, scale,
                             "kernel", scale < 1 ? VIPS_KERNEL_LANCZOS3 : VIPS_KERNEL_CUBIC, NULL);
    VipsImage *current = resized;
    if (!failed && blur_sigma > 0) {
        failed = vips_gaussblur(resized, &blurred, blur_sigma, NULL);
        current = blurred;
    }
    if (!failed) {
        char target[4096];
        snprintf(target, sizeof target, "%s[Q=%d]", out, quality);
        failed = vips_image_write_to_file(current, target, NULL);
    }
    if (failed) *error = take_error("derive failed");
    if (blurred) g_object_unref(blurred);
    if (resized) g_object_unref(resized);
    g_object_unref(image);
    return failed ? -1 : 0;
}

int winnow_vips_save(const winnow_pixels *pixels, const char *path, char **error) {
    VipsImage *image = vips_image_new_from_memory(pixels->data,
        (size_t)pixels->width * pixels->height * pixels->bands,
        pixels->width, pixels->height, pixels->bands, VIPS_FORMAT_UCHAR);
    if (!image) { *error = take_error("cannot wrap pixels"); return -1; }
    int result = vips_image_write_to_file(image, path, NULL);
    if (result) *error = take_error("save failed");
    g_object_unref(image);
    return result ? -1 : 0;
}

void winnow_pixels_free(winnow_pixels *pixels) {
    if (pixels && pixels->data) { g_free(pixels->data); pixels->data = NULL; }
}

void winnow_string_free(char *string) { free(string); }

/* ---- Image handles ---- */

#define IMG(handle) ((VipsImage *)(handle))

static VipsArrayDouble *colour_array(const uint8_t colour[3]) {
    double values[3] = {colour[0], colour[1], colour[2]};
    return vips_array_double_new(values, 3);
}

/// Any image as 3-band 8-bit sRGB over `background` (takes ownership of `image`).
static VipsImage *to_rgb(VipsImage *image, const uint8_t background[3], char **error) {
    VipsImage *current = image, *next = NULL;
    if (vips_image_hasalpha(current)) {
        VipsArrayDouble *bg = colour_array(background);
        int failed = vips_flatten(current, &next, "background", bg, NULL);
        vips_area_unref(VIPS_AREA(bg));
        g_object_unref(current);
        if (failed) { *error = take_error("cannot flatten"); return NULL; }
        current = next;
    }
    if (vips_colourspace(current, &next, VIPS_INTERPRETATION_sRGB, NULL)) {
        g_object_unref(current);
        *error = take_error("colour conversion failed");
        return NULL;
    }
    g_object_unref(current);
    current = next;
    if (vips_cast_uchar(current, &next, NULL)) {
        g_object_unref(current);
        *error = take_error("cast failed");
        return NULL;
    }
    g_object_unref(current);
    return next;
}

winnow_image *winnow_image_thumbnail_cell(const char *path, int size, const uint8_t background[3], char **error) {
    VipsImage *thumb = NULL, *cell = NULL;
    if (vips_thumbnail(path, &thumb, size, "height", size, "size", VIPS_SIZE_DOWN,
                       "fail_on", VIPS_FAIL_ON_ERROR, NULL)) {
        *error = take_error("cannot read the image");
        return NULL;
    }
    if (!(thumb = to_rgb(thumb, background, error))) return NULL;
    VipsArrayDouble *bg = colour_array(background);
    int failed = vips_gravity(thumb, &cell, VIPS_COMPASS_DIRECTION_CENTRE, size, size,
                              "extend", VIPS_EXTEND_BACKGROUND, "background", bg, NULL);
    vips_area_unref(VIPS_AREA(bg));
    g_object_unref(thumb);
    if (failed) { *error = take_error("cannot centre the thumbnail"); return NULL; }
    return (winnow_image *)cell;
}

winnow_image *winnow_image_blank(int width, int height, const uint8_t colour[3], char **error) {
    VipsImage *black = NULL, *filled = NULL, *out = NULL;
    if (vips_black(&black, width, height, "bands", 3, NULL)) { *error = take_error("cannot make an image"); return NULL; }
    double add[3] = {colour[0], colour[1], colour[2]}, one[3] = {1, 1, 1};
    int failed = vips_linear(black, &filled, one, add, 3, NULL) || vips_cast_uchar(filled, &out, NULL);
    g_object_unref(black);
    if (filled) g_object_unref(filled);
    if (failed) { *error = take_error("cannot fill an image"); return NULL; }
    return (winnow_image *)out;
}

winnow_image *winnow_image_text(const char *markup, const char *font, int width, int padding,
                                const uint8_t ink[3], const uint8_t background[3], char **error) {
    VipsImage *mask = NULL, *padded = NULL, *out = NULL;
    if (vips_text(&mask, markup, "font", font, "width", width, "dpi", 96,
                  "wrap", VIPS_TEXT_WRAP_WORD_CHAR, NULL)) {
        *error = take_error("cannot render text");
        return NULL;
    }
    int failed = vips_embed(mask, &padded, padding, padding, vips_image_get_width(mask) + 2 * padding,
                            vips_image_get_height(mask) + 2 * padding, NULL);
    g_object_unref(mask);
    if (failed) { *error = take_error("cannot pad text"); return NULL; }
    // The mask is coverage 0..255: blend the ink over the background with it.
    double inkv[3] = {ink[0], ink[1], ink[2]}, bgv[3] = {background[0], background[1], background[2]};
    VipsImage *fg = vips_image_new_from_image(padded, inkv, 3);
    VipsImage *bgi = vips_image_new_from_image(padded, bgv, 3);
    VipsImage *b = NULL;
    failed = !fg || !bgi || vips_ifthenelse(padded, fg, bgi, &b, "blend", TRUE, NULL);
    if (fg) g_object_unref(fg);
    if (bgi) g_object_unref(bgi);
    g_object_unref(padded);
    if (failed) { *error = take_error("cannot colour text"); return NULL; }
    failed = vips_cast_uchar(b, &out, NULL);
    g_object_unref(b);
    if (failed) { *error = take_error("cannot colour text"); return NULL; }
    return (winnow_image *)out;
}

winnow_image *winnow_image_join(winnow_image *const *images, int count, int horizontal, int gap,
                                const uint8_t background[3], char **error) {
    if (count < 1) { *error = strdup("nothing to join"); return NULL; }
    // vips_join, pairwise: unlike vips_arrayjoin it keeps each image its own size.
    VipsImage *out = IMG(images[0]);
    g_object_ref(out);
    VipsArrayDouble *bg = colour_array(background);
    for (int i = 1; i < count; i++) {
        VipsImage *next = NULL;
        int failed = vips_join(out, IMG(images[i]), &next,
                               horizontal ? VIPS_DIRECTION_HORIZONTAL : VIPS_DIRECTION_VERTICAL,
                               "expand", TRUE, "shim", gap, "background", bg, "align", VIPS_ALIGN_LOW, NULL);
        g_object_unref(out);
        if (failed) { vips_area_unref(VIPS_AREA(bg)); *error = take_error("cannot join images"); return NULL; }
        out = next;
    }
    vips_area_unref(VIPS_AREA(bg));
    return (winnow_image *)out;
}

winnow_image *winnow_image_insert(const winnow_image *base, const winnow_image *sub, int x, int y, char **error) {
    VipsImage *out = NULL;
    if (vips_insert(IMG(base), IMG(sub), &out, x, y, NULL)) { *error = take_error("cannot insert"); return NULL; }
    return (winnow_image *)out;
}

winnow_image *winnow_image_embed(const winnow_image *image, int x, int y, int width, int height,
                                 const uint8_t background[3], char **error) {
    VipsImage *out = NULL;
    VipsArrayDouble *bg = colour_array(background);
    int failed = vips_embed(IMG(image), &out, x, y, width, height,
                            "extend", VIPS_EXTEND_BACKGROUND, "background", bg, NULL);
    vips_area_unref(VIPS_AREA(bg));
    if (failed) { *error = take_error("cannot embed"); return NULL; }
    return (winnow_image *)out;
}

int winnow_image_width(const winnow_image *image) { return vips_image_get_width(IMG(image)); }
int winnow_image_height(const winnow_image *image) { return vips_image_get_height(IMG(image)); }

int winnow_image_save(const winnow_image *image, const char *path, char **error) {
    if (vips_image_write_to_file(IMG(image), path, NULL)) { *error = take_error("cannot save"); return -1; }
    return 0;
}

void winnow_image_free(winnow_image *image) { if (image) g_object_unref(IMG(image)); }
