/* extract.c — the private temporary folder a model's library is written to (dlopen needs a file).
 *
 * The folder is made by mkdtemp (mode 0700, a fresh random name) and the file inside it has a
 * fixed name: no path read from the package is ever used as a path on disk. */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "error.h"
#include "internal.h"

#define AOTI_EXTRACTED_NAME "model.so"

static char *join(const char *dir, const char *name) {
  size_t len = strlen(dir) + 1 + strlen(name) + 1;
  char *path = malloc(len);
  if (path) snprintf(path, len, "%s/%s", dir, name);
  return path;
}

static aoti_status make_private_dir(char **out_dir) {
  const char *tmp = getenv("TMPDIR");
  if (!tmp || !*tmp) tmp = "/tmp";
  char *dir = join(tmp, "aoti-XXXXXX");
  if (!dir) return aoti_error_set(AOTI_ERROR_OUT_OF_MEMORY, "out of memory");
  if (!mkdtemp(dir)) {
    aoti_status status = aoti_error_set(AOTI_ERROR_IO, "cannot create a temporary folder in '%s': %s",
                                        tmp, strerror(errno));
    free(dir);
    return status;
  }
  *out_dir = dir;
  return AOTI_OK;
}

void aoti_extracted_remove(aoti_extracted *extracted) {
  if (extracted->file) unlink(extracted->file);
  if (extracted->dir) rmdir(extracted->dir);
  free(extracted->file);
  free(extracted->dir);
  extracted->file = NULL;
  extracted->dir = NULL;
}

aoti_status aoti_extract_entry(aoti_package *package, const char *entry, aoti_extracted *out) {
  aoti_extracted extracted = {NULL, NULL};
  aoti_status status = make_private_dir(&extracted.dir);
  if (status != AOTI_OK) return status;
  extracted.file = join(extracted.dir, AOTI_EXTRACTED_NAME);
  if (!extracted.file) {
    aoti_extracted_remove(&extracted);
    return aoti_error_set(AOTI_ERROR_OUT_OF_MEMORY, "out of memory");
  }
  int fd = open(extracted.file, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0700);
  if (fd < 0) {
    status = aoti_error_set(AOTI_ERROR_IO, "cannot create '%s': %s", extracted.file, strerror(errno));
    free(extracted.file); /* nothing was created: only the folder goes */
    extracted.file = NULL;
    aoti_extracted_remove(&extracted);
    return status;
  }
  status = aoti_package_copy_entry(package, entry, fd);
  if (close(fd) != 0 && status == AOTI_OK)
    status = aoti_error_set(AOTI_ERROR_IO, "cannot write '%s': %s", extracted.file, strerror(errno));
  if (status != AOTI_OK) {
    aoti_error_prefix(status, "extracting '%s' to '%s'", entry, extracted.file);
    aoti_extracted_remove(&extracted);
    return status;
  }
  *out = extracted;
  return AOTI_OK;
}
