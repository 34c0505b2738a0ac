/* archive.h — read-only access to the zip containers torch.export writes (private to the
 * frontend).
 *
 * Both the outer file (a PT2 archive or a legacy export zip) and the torch.save payloads nested in
 * it are zips. PyTorch's writer puts every entry under one root folder ("<stem>/" or "archive/")
 * and leaves CRC and sizes at 0 in local headers (data descriptors, zip64 end records); libzip
 * reads all of that from the central directory. Entry names given to and returned by this API
 * have the common root folder removed when every entry shares one.
 *
 * An aoti_zip is not thread-safe; separate zips may be used from separate threads.
 */
#ifndef AOTI_FRONTEND_ARCHIVE_H
#define AOTI_FRONTEND_ARCHIVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "aoti/runtime.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct aoti_zip aoti_zip;

/* Opens the zip file at `path`. Messages name `path`. */
aoti_status aoti_zip_open_file(const char *path, aoti_zip **out_zip);

/* Opens a zip held in memory. Takes ownership of `data` (malloc'ed) in every case, also on
 * failure. `label` names the zip in messages ("model.ep: data/weights/model.pt") and is copied. */
aoti_status aoti_zip_open_buffer(void *data, size_t size, const char *label, aoti_zip **out_zip);

void aoti_zip_close(aoti_zip *zip);

/* The name used in messages: the path, or the label given to aoti_zip_open_buffer. */
const char *aoti_zip_label(const aoti_zip *zip);

int64_t aoti_zip_num_entries(const aoti_zip *zip);
/* Name of entry `index` without the root folder; NULL for a name outside it. */
const char *aoti_zip_entry_name(const aoti_zip *zip, int64_t index);

bool aoti_zip_has(const aoti_zip *zip, const char *name);

/* Reads entry `name` (stored or deflated, CRC checked) into a new malloc'ed buffer with one extra
 * NUL byte after the data, so text entries are C strings. AOTI_ERROR_NOT_FOUND names the zip and
 * the entry. */
aoti_status aoti_zip_read(aoti_zip *zip, const char *name, char **out_data, size_t *out_size);

/* Like aoti_zip_read, with trailing whitespace removed (for "version", "archive_format"...). */
aoti_status aoti_zip_read_text(aoti_zip *zip, const char *name, char **out_text);

/* AOTI_OK when the zip has no "byteorder" entry or it says "little": payloads are read as written,
 * and AOTI only runs on little-endian hosts. Otherwise AOTI_ERROR_UNSUPPORTED naming the zip and
 * the order it gives. */
aoti_status aoti_zip_check_little_endian(aoti_zip *zip);

#ifdef __cplusplus
}
#endif

#endif /* AOTI_FRONTEND_ARCHIVE_H */
