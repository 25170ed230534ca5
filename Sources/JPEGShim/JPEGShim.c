#include "JPEGShim.h"
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jpeglib.h>
#include <jerror.h>

/// libjpeg's error manager, made to jump back here instead of calling exit().
typedef struct {
    struct jpeg_error_mgr pub;
    jmp_buf jump;
    char message[JMSG_LENGTH_MAX];
} catching_errors;

struct winnow_jpeg {
    struct jpeg_decompress_struct cinfo;
    catching_errors errors;
    FILE *file;
    jvirt_barray_ptr *coefficients;
};

static void error_exit(j_common_ptr cinfo) {
    catching_errors *errors = (catching_errors *)cinfo->err;
    (*cinfo->err->format_message)(cinfo, errors->message);
    longjmp(errors->jump, 1);
}

/// Warnings are tolerated (browsers save plenty of slightly odd files) except a premature end of the
/// file: libjpeg would pad it with grey, and a half-grey image must not be judged (libvips' fail_on=error
/// draws the same line).
static void emit_message(j_common_ptr cinfo, int level) {
    if (level < 0 && cinfo->err->msg_code == JWRN_JPEG_EOF) error_exit(cinfo);
    if (level < 0) cinfo->err->num_warnings++;
}

static void output_message(j_common_ptr cinfo) { (void)cinfo; }

static char *copy_message(const char *message) {
    return strdup(message && *message ? message : "JPEG decode failed");
}

int winnow_jpeg_open(const char *path, winnow_jpeg **out, winnow_jpeg_info *info, char **error) {
    *out = NULL;
    memset(info, 0, sizeof *info);
    winnow_jpeg *jpeg = calloc(1, sizeof *jpeg);
    if (!jpeg) { *error = copy_message("out of memory"); return 1; }
    jpeg->file = fopen(path, "rb");
    if (!jpeg->file) { free(jpeg); *error = copy_message("cannot open the file"); return 1; }
    unsigned char magic[3] = {0};
    if (fread(magic, 1, 3, jpeg->file) != 3 || magic[0] != 0xFF || magic[1] != 0xD8 || magic[2] != 0xFF) {
        fclose(jpeg->file);
        free(jpeg);
        *error = copy_message("not a JPEG");
        return 1;
    }
    rewind(jpeg->file);
    jpeg->cinfo.err = jpeg_std_error(&jpeg->errors.pub);
    jpeg->errors.pub.error_exit = error_exit;
    jpeg->errors.pub.emit_message = emit_message;
    jpeg->errors.pub.output_message = output_message;
    if (setjmp(jpeg->errors.jump)) {
        *error = copy_message(jpeg->errors.message);
        winnow_jpeg_close(jpeg);
        return 1;
    }
    jpeg_create_decompress(&jpeg->cinfo);
    jpeg_stdio_src(&jpeg->cinfo, jpeg->file);
    jpeg_save_markers(&jpeg->cinfo, JPEG_APP0 + 1, 0xFFFF);
    jpeg_read_header(&jpeg->cinfo, TRUE);
    struct jpeg_decompress_struct *c = &jpeg->cinfo;
    int supported = c->data_precision == 8 &&
        ((c->num_components == 1 && c->jpeg_color_space == JCS_GRAYSCALE) ||
         (c->num_components == 3 && c->jpeg_color_space == JCS_YCbCr));
    // Luma must carry the full resolution (the usual 4:4:4, 4:2:2, 4:2:0 layouts).
    if (supported && (c->comp_info[0].h_samp_factor != c->max_h_samp_factor ||
                      c->comp_info[0].v_samp_factor != c->max_v_samp_factor)) supported = 0;
    if (!supported) {
        *error = copy_message("a JPEG layout the coefficient path does not read");
        winnow_jpeg_close(jpeg);
        return 1;
    }
    info->width = (int)c->image_width;
    info->height = (int)c->image_height;
    info->components = c->num_components;
    info->progressive = c->progressive_mode ? 1 : 0;
    for (int i = 0; i < c->num_components; i++) {
        jpeg_component_info *component = &c->comp_info[i];
        info->h_samp[i] = component->h_samp_factor;
        info->v_samp[i] = component->v_samp_factor;
        info->width_in_blocks[i] = (int)component->width_in_blocks;
        info->height_in_blocks[i] = (int)component->height_in_blocks;
    }
    for (jpeg_saved_marker_ptr marker = c->marker_list; marker; marker = marker->next) {
        if (marker->marker == JPEG_APP0 + 1 && marker->data_length >= 6 && memcmp(marker->data, "Exif\0\0", 6) == 0) {
            info->exif = marker->data;
            info->exif_length = marker->data_length;
            break;
        }
    }
    *out = jpeg;
    return 0;
}

int winnow_jpeg_read(winnow_jpeg *jpeg, winnow_jpeg_info *info, char **error) {
    if (setjmp(jpeg->errors.jump)) {
        *error = copy_message(jpeg->errors.message);
        jpeg->coefficients = NULL;
        return -1;
    }
    jpeg->coefficients = jpeg_read_coefficients(&jpeg->cinfo);
    struct jpeg_decompress_struct *c = &jpeg->cinfo;
    for (int i = 0; i < c->num_components && i < 3; i++) {
        JQUANT_TBL *table = c->comp_info[i].quant_table;
        if (!table) { *error = copy_message("no quantisation table"); jpeg->coefficients = NULL; return -1; }
        for (int k = 0; k < 64; k++) info->quant[i][k] = table->quantval[k];
    }
    return 0;
}

const int16_t *winnow_jpeg_block_row(winnow_jpeg *jpeg, int component, int row) {
    if (!jpeg->coefficients || component < 0 || component >= jpeg->cinfo.num_components) return NULL;
    if (row < 0 || row >= (int)jpeg->cinfo.comp_info[component].height_in_blocks) return NULL;
    if (setjmp(jpeg->errors.jump)) return NULL;
    JBLOCKARRAY rows = (*jpeg->cinfo.mem->access_virt_barray)((j_common_ptr)&jpeg->cinfo,
                                                              jpeg->coefficients[component], (JDIMENSION)row, 1, FALSE);
    return (const int16_t *)rows[0];
}

void winnow_jpeg_close(winnow_jpeg *jpeg) {
    if (!jpeg) return;
    // jpeg_destroy frees every pool; it never raises an error.
    jpeg_destroy_decompress(&jpeg->cinfo);
    if (jpeg->file) fclose(jpeg->file);
    free(jpeg);
}

void winnow_jpeg_string_free(char *string) { free(string); }
