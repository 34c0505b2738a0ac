/* frontend.c — aoti_frontend_read: opens a torch.export file, detects its layout (PT2 archive or
 * legacy zip, docs/torch-export-format.md §0–§1), loads the weights and constants payloads and
 * hands the program JSON to program.c. */
#include "frontend/frontend.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "frontend/archive.h"
#include "frontend/program.h"
#include "frontend/weights.h"

void aoti_frontend_options_init(aoti_frontend_options *options) {
  memset(options, 0, sizeof *options);
}

/* Everything read from the file before the program is decoded. */
typedef struct source {
  const char *format; /* "pt2" or "legacy-zip" */
  char program_entry[512];
  aoti_tensor_table *state_dict;
  aoti_tensor_table *constants;
  /* What was looked for, for messages when a payload is absent. */
  char state_dict_searched[1200];
  char constants_searched[1200];
} source;

static void source_release(source *s) {
  aoti_tensor_table_destroy(s->state_dict);
  aoti_tensor_table_destroy(s->constants);
}

/* Loads a payload stored as a torch.save zip in `entry`, if the zip has it. */
static aoti_status load_torch_save(aoti_zip *zip, const char *entry,
                                   aoti_tensor_table **out_table) {
  char *data = NULL;
  size_t size = 0;
  aoti_status status = aoti_zip_read(zip, entry, &data, &size);
  if (status != AOTI_OK) return status;
  char label[1024];
  snprintf(label, sizeof label, "%s: %s", aoti_zip_label(zip), entry);
  return aoti_tensor_table_from_torch_save(data, size, label, out_table);
}

/* A PT2 payload: raw files with "<dir><name>_<kind>_config.json", or "<dir><name>.pt". Neither
 * leaves *out_table NULL (a program without such tensors). */
static aoti_status load_pt2_payload(aoti_zip *zip, const char *dir, const char *name,
                                    const char *kind, aoti_tensor_table **out_table, char *searched,
                                    size_t searched_size) {
  char config[256], pickled[256];
  snprintf(config, sizeof config, "%s%s_%s_config.json", dir, name, kind);
  snprintf(pickled, sizeof pickled, "%s%s.pt", dir, name);
  snprintf(searched, searched_size, "'%s' has neither %s nor %s", aoti_zip_label(zip), config,
           pickled);
  if (aoti_zip_has(zip, config)) return aoti_tensor_table_from_raw(zip, config, dir, out_table);
  if (aoti_zip_has(zip, pickled)) return load_torch_save(zip, pickled, out_table);
  return AOTI_OK;
}

/* Picks the program: `requested`, else "model", else the only one. */
static aoti_status choose_program(aoti_zip *zip, const char *requested, char *out_entry,
                                  size_t size) {
  char available[1024] = "";
  size_t used = 0;
  int count = 0;
  const char *only = NULL;
  for (int64_t i = 0; i < aoti_zip_num_entries(zip); i++) {
    const char *name = aoti_zip_entry_name(zip, i);
    size_t len = name ? strlen(name) : 0;
    if (len <= 12 || strncmp(name, "models/", 7) != 0 || strcmp(name + len - 5, ".json") != 0 ||
        strchr(name + 7, '/'))
      continue;
    count++;
    only = name;
    int n = snprintf(available + used, sizeof available - used, "%s'%.*s'", used ? ", " : "",
                     (int)(len - 12), name + 7);
    if (n > 0 && used + (size_t)n < sizeof available) used += (size_t)n;
  }
  const char *want = requested ? requested : "model";
  snprintf(out_entry, size, "models/%s.json", want);
  if (aoti_zip_has(zip, out_entry)) return AOTI_OK;
  if (!requested && count == 1) {
    snprintf(out_entry, size, "%s", only);
    return AOTI_OK;
  }
  return aoti_error_set(AOTI_ERROR_NOT_FOUND, "'%s' has no program '%s' (programs: %s)",
                        aoti_zip_label(zip), want, count ? available : "none");
}

static aoti_status open_pt2(aoti_zip *zip, const aoti_frontend_options *options, source *s) {
  char *version = NULL;
  aoti_status status = aoti_zip_read_text(zip, "archive_version", &version);
  if (status != AOTI_OK) return status;
  if (strcmp(version, "0") != 0)
    status = aoti_error_set(AOTI_ERROR_VERSION,
                            "'%s': archive_version '%s' is not supported "
                            "(supported: 0)",
                            aoti_zip_label(zip), version);
  free(version);
  if (status != AOTI_OK) return status;
  status = aoti_zip_check_little_endian(zip);
  if (status != AOTI_OK) return status;
  status = choose_program(zip, options ? options->program_name : NULL, s->program_entry,
                          sizeof s->program_entry);
  if (status != AOTI_OK) return status;
  /* The program's name is the entry's stem: models/<name>.json. */
  char name[512];
  size_t len = strlen(s->program_entry) - strlen("models/") - strlen(".json");
  snprintf(name, sizeof name, "%.*s", (int)len, s->program_entry + strlen("models/"));
  s->format = "pt2";
  status = load_pt2_payload(zip, "data/weights/", name, "weights", &s->state_dict,
                            s->state_dict_searched, sizeof s->state_dict_searched);
  if (status == AOTI_OK)
    status = load_pt2_payload(zip, "data/constants/", name, "constants", &s->constants,
                              s->constants_searched, sizeof s->constants_searched);
  return status;
}

/* The legacy zip's payloads: "<stem>.pt", or "<stem>.json" in torch 2.1/2.2 (still torch.save
 * zips). Neither leaves *out_table NULL. */
static aoti_status load_legacy_payload(aoti_zip *zip, const char *stem,
                                       aoti_tensor_table **out_table, char *searched,
                                       size_t searched_size) {
  snprintf(searched, searched_size, "'%s' has neither %s.pt nor %s.json", aoti_zip_label(zip), stem,
           stem);
  char entry[256];
  snprintf(entry, sizeof entry, "%s.pt", stem);
  if (aoti_zip_has(zip, entry)) return load_torch_save(zip, entry, out_table);
  snprintf(entry, sizeof entry, "%s.json", stem);
  if (aoti_zip_has(zip, entry)) return load_torch_save(zip, entry, out_table);
  return AOTI_OK;
}

static aoti_status open_legacy(aoti_zip *zip, source *s) {
  s->format = "legacy-zip";
  snprintf(s->program_entry, sizeof s->program_entry, "serialized_exported_program.json");
  aoti_status status = load_legacy_payload(zip, "serialized_state_dict", &s->state_dict,
                                           s->state_dict_searched, sizeof s->state_dict_searched);
  if (status == AOTI_OK)
    status = load_legacy_payload(zip, "serialized_constants", &s->constants, s->constants_searched,
                                 sizeof s->constants_searched);
  return status;
}

static aoti_status open_source(aoti_zip *zip, const aoti_frontend_options *options, source *s) {
  if (aoti_zip_has(zip, "archive_format")) {
    char *format = NULL;
    aoti_status status = aoti_zip_read_text(zip, "archive_format", &format);
    if (status != AOTI_OK) return status;
    if (strcmp(format, "pt2") != 0)
      status = aoti_error_set(AOTI_ERROR_FORMAT, "'%s': archive_format is '%s', expected 'pt2'",
                              aoti_zip_label(zip), format);
    free(format);
    return status != AOTI_OK ? status : open_pt2(zip, options, s);
  }
  if (aoti_zip_has(zip, "serialized_exported_program.json") && aoti_zip_has(zip, "version"))
    return open_legacy(zip, s);
  return aoti_error_set(AOTI_ERROR_FORMAT,
                        "'%s' is not a torch.export file: it has neither "
                        "'archive_format' (PT2 archive) nor 'serialized_exported_program.json' "
                        "and 'version' (legacy zip)",
                        aoti_zip_label(zip));
}

static const char *file_name(const char *path) {
  const char *slash = strrchr(path, '/');
  return slash ? slash + 1 : path;
}

static aoti_status read_graph(aoti_zip *zip, const source *s, aoti_graph **out_graph) {
  char *text = NULL;
  size_t size = 0;
  aoti_status status = aoti_zip_read(zip, s->program_entry, &text, &size);
  if (status != AOTI_OK) return status;
  char label[1024];
  snprintf(label, sizeof label, "%s: %s", aoti_zip_label(zip), s->program_entry);
  aoti_program_payloads payloads = {s->state_dict, s->constants, s->state_dict_searched,
                                    s->constants_searched};
  status = aoti_program_read_json(text, size, label, &payloads, out_graph);
  free(text);
  return status;
}

aoti_status aoti_frontend_read(const char *path, const aoti_frontend_options *options,
                               aoti_graph **out_graph) {
  if (!path || !out_graph)
    return aoti_error_set(AOTI_ERROR_INVALID_ARGUMENT, "aoti_frontend_read: NULL %s",
                          path ? "out_graph" : "path");
  aoti_zip *zip = NULL;
  aoti_status status = aoti_zip_open_file(path, &zip);
  if (status != AOTI_OK) return status;
  source s = {0};
  aoti_graph *g = NULL;
  status = open_source(zip, options, &s);
  if (status == AOTI_OK) status = read_graph(zip, &s, &g);
  if (status == AOTI_OK) {
    aoti_graph_set_meta(g, "source_format", s.format);
    aoti_graph_set_meta(g, "source_file", file_name(path));
    *out_graph = g;
  }
  source_release(&s);
  aoti_zip_close(zip);
  return status;
}
