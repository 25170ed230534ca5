#include "WebPShim.h"
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <webp/decode.h>
#include <webp/demux.h>

struct winnow_webp {
    const uint8_t *data;
    size_t size;
    WebPDemuxer *demux;
    WebPChunkIterator exif;
    int has_exif;
    WebPDecoderConfig config;
};

static char *copy_message(const char *message) { return strdup(message); }

static const char *status_message(VP8StatusCode status) {
    switch (status) {
    case VP8_STATUS_OUT_OF_MEMORY: return "out of memory";
    case VP8_STATUS_NOT_ENOUGH_DATA: return "the WebP file is truncated";
    case VP8_STATUS_UNSUPPORTED_FEATURE: return "a WebP feature libwebp does not decode";
    case VP8_STATUS_USER_ABORT: return "WebP decode aborted";
    default: return "corrupt WebP data";
    }
}

int winnow_webp_open(const char *path, winnow_webp **out, winnow_webp_info *info, char **error) {
    *out = NULL;
    memset(info, 0, sizeof *info);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) { *error = copy_message("cannot open the file"); return 1; }
    struct stat st;
    uint8_t magic[12];
    if (fstat(fd, &st) != 0 || st.st_size < 12 || pread(fd, magic, 12, 0) != 12 ||
        memcmp(magic, "RIFF", 4) != 0 || memcmp(magic + 8, "WEBP", 4) != 0) {
        close(fd);
        *error = copy_message("not a WebP");
        return 1;
    }
    void *data = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
    close(fd);
    if (data == MAP_FAILED) { *error = copy_message("cannot map the file"); return 1; }
    winnow_webp *webp = calloc(1, sizeof *webp);
    if (!webp) { munmap(data, (size_t)st.st_size); *error = copy_message("out of memory"); return 1; }
    webp->data = data;
    webp->size = (size_t)st.st_size;
    WebPInitDecoderConfig(&webp->config);
    VP8StatusCode status = WebPGetFeatures(webp->data, webp->size, &webp->config.input);
    if (status != VP8_STATUS_OK || webp->config.input.has_animation) {
        *error = copy_message(status != VP8_STATUS_OK ? status_message(status) : "an animated WebP");
        winnow_webp_close(webp);
        return 1;
    }
    // The demuxer finds the EXIF chunk; a file it cannot parse simply has none.
    WebPData whole = {webp->data, webp->size};
    webp->demux = WebPDemux(&whole);
    if (webp->demux && WebPDemuxGetChunk(webp->demux, "EXIF", 1, &webp->exif)) {
        webp->has_exif = 1;
        info->exif = webp->exif.chunk.bytes;
        info->exif_length = webp->exif.chunk.size;
    }
    info->width = webp->config.input.width;
    info->height = webp->config.input.height;
    info->has_alpha = webp->config.input.has_alpha;
    *out = webp;
    return 0;
}

int winnow_webp_decode(winnow_webp *webp, winnow_webp_planes *planes, char **error) {
    memset(planes, 0, sizeof *planes);
    WebPDecoderConfig *config = &webp->config;
    config->output.colorspace = config->input.has_alpha ? MODE_YUVA : MODE_YUV;
    VP8StatusCode status = WebPDecode(webp->data, webp->size, config);
    if (status != VP8_STATUS_OK) { *error = copy_message(status_message(status)); return -1; }
    const WebPYUVABuffer *yuva = &config->output.u.YUVA;
    // libwebp lays out the buffers it allocates with these strides; the caller relies on them.
    int width = config->output.width;
    if (yuva->y_stride != width || yuva->u_stride != (width + 1) / 2 || yuva->v_stride != (width + 1) / 2 ||
        (yuva->a && yuva->a_stride != width)) {
        *error = copy_message("unexpected WebP plane layout");
        return -1;
    }
    planes->y = yuva->y;
    planes->u = yuva->u;
    planes->v = yuva->v;
    planes->a = config->input.has_alpha ? yuva->a : NULL;
    return 0;
}

void winnow_webp_close(winnow_webp *webp) {
    if (!webp) return;
    WebPFreeDecBuffer(&webp->config.output);   // a no-op when nothing was decoded
    if (webp->has_exif) WebPDemuxReleaseChunkIterator(&webp->exif);
    if (webp->demux) WebPDemuxDelete(webp->demux);
    munmap((void *)webp->data, webp->size);
    free(webp);
}

void winnow_webp_string_free(char *string) { free(string); }
