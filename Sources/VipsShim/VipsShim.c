#include "VipsShim.h"
#include <vips/vips.h>
#include <stdlib.h>
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

int winnow_vips_start(void) {
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
    *loader = strdup(name);
    g_object_unref(image);
    return 0;
}

int winnow_vips_thumbnail(const char *path, int max_side, int64_t max_pixels,
                          winnow_pixels *out, char **error) {
    memset(out, 0, sizeof *out);
    int width = 0, height = 0;
    char *loader = NULL;
    if (winnow_vips_header(path, &width, &height, &loader, error)) return -1;
    free(loader);
    if ((int64_t)width * (int64_t)height > max_pixels) {
        char message[160];
        snprintf(message, sizeof message, "image is %dx%d, over the %lld-pixel limit (decompression bomb?)",
                 width, height, (long long)max_pixels);
        *error = strdup(message);
        return -1;
    }
    VipsImage *thumb = NULL;
    // fail_on=error: a truncated file is an error, not a grey half-image.
    if (vips_thumbnail(path, &thumb, max_side, "height", max_side, "size", VIPS_SIZE_DOWN,
                       "fail_on", VIPS_FAIL_ON_ERROR, NULL)) {
        *error = take_error("decode failed");
        return -1;
    }
    VipsImage *rgb = NULL, *flat = NULL, *u8 = NULL;
    int failed = 0;
    VipsImage *current = thumb;
    if (vips_image_hasalpha(current)) {
        double white[3] = {255, 255, 255};
        VipsArrayDouble *background = vips_array_double_new(white, 3);
        failed = vips_flatten(current, &flat, "background", background, NULL);
        vips_area_unref(VIPS_AREA(background));
        if (!failed) current = flat;
    }
    if (!failed) failed = vips_colourspace(current, &rgb, VIPS_INTERPRETATION_sRGB, NULL);
    if (!failed) failed = vips_cast_uchar(rgb, &u8, NULL);
    int result = -1;
    if (failed) *error = take_error("colour conversion failed");
    else result = copy_out(u8, out, error);
    if (u8) g_object_unref(u8);
    if (rgb) g_object_unref(rgb);
    if (flat) g_object_unref(flat);
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
    VipsImage *flat = NULL, *gray = NULL, *u8 = NULL, *band = NULL;
    VipsImage *current = image;
    int failed = 0;
    if (vips_image_hasalpha(current)) {
        double white[3] = {255, 255, 255};
        VipsArrayDouble *background = vips_array_double_new(white, 3);
        failed = vips_flatten(current, &flat, "background", background, NULL);
        vips_area_unref(VIPS_AREA(background));
        if (!failed) current = flat;
    }
    if (!failed) failed = vips_colourspace(current, &gray, VIPS_INTERPRETATION_B_W, NULL);
    if (!failed) failed = vips_cast_uchar(gray, &u8, NULL);
    if (!failed && vips_image_get_bands(u8) > 1) failed = vips_extract_band(u8, &band, 0, NULL);
    int result = -1;
    if (failed) *error = take_error("native decode failed");
    else result = copy_out(band ? band : u8, out, error);
    if (band) g_object_unref(band);
    if (u8) g_object_unref(u8);
    if (gray) g_object_unref(gray);
    if (flat) g_object_unref(flat);
    g_object_unref(image);
    return result;
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
