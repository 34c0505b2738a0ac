/* model.c — loading a model from a package (extracting and dlopen-ing its library, checking its
 * ABI table, reading its constants and metadata), unloading it, and its call spec. */
#define _POSIX_C_SOURCE 200809L

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "internal.h"

void aoti_model_options_init(aoti_model_options *options) {
  if (!options) return;
  options->num_runners = 1;
  options->check_inputs = true;
  options->num_threads = 0;
}

//===----------------------------------------------------------------------===//
// Unloading (also what a failed load undoes)
//===----------------------------------------------------------------------===//

static void free_runners(aoti_model *model) {
  for (int32_t i = 0; i < model->num_runners && model->runners; i++) {
    free(model->runners[i].arena);
    aoti_run_plan_free(&model->runners[i].plan);
    aoti_thread_pool_destroy(model->runners[i].pool);
  }
  free(model->runners);
  model->runners = NULL;
}

/* Frees what a model holds; every field may still be unset when a load failed half-way. */
void aoti_model_unload(aoti_model *model) {
  if (!model) return;
  free_runners(model);
  if (model->constants) {
    for (int32_t i = 0; i < model->abi->num_constants; i++) free((void *)model->constants[i]);
    free(model->constants);
  }
  aoti_metadata_free(&model->metadata);
  if (model->library) dlclose(model->library);
  aoti_extracted_remove(&model->extracted);
  pthread_cond_destroy(&model->runner_freed);
  pthread_mutex_destroy(&model->runners_lock);
  free(model->name);
  free(model);
}

//===----------------------------------------------------------------------===//
// Loading
//===----------------------------------------------------------------------===//

/* "a, b, c" (or "none") for the message of an unknown model name. */
static void list_model_names(const aoti_package *package, char *out, size_t size) {
  out[0] = '\0';
  if (package->num_models == 0) snprintf(out, size, "none");
  for (size_t i = 0; i < package->num_models; i++) {
    size_t used = strlen(out);
    snprintf(out + used, size - used, "%s'%s'", i ? ", " : "", package->model_names[i]);
  }
}

static aoti_status find_model(const aoti_package *package, const char *name) {
  for (size_t i = 0; i < package->num_models; i++)
    if (strcmp(package->model_names[i], name) == 0) return AOTI_OK;
  char names[1024];
  list_model_names(package, names, sizeof names);
  return aoti_error_set(AOTI_ERROR_NOT_FOUND, "package '%s' has no model '%s' (its models: %s)",
                        package->path, name, names);
}

static aoti_status open_library(aoti_model *model) {
  model->library = dlopen(model->extracted.file, RTLD_NOW | RTLD_LOCAL);
  if (!model->library)
    return aoti_error_set(AOTI_ERROR_FORMAT, "model '%s': cannot load its library: %s", model->name,
                          dlerror());
  aoti_abi_entry_fn entry;
  /* POSIX's blessed way to turn a dlsym result into a function pointer. */
  *(void **)&entry = dlsym(model->library, AOTI_ABI_ENTRY_SYMBOL);
  if (!entry)
    return aoti_error_set(AOTI_ERROR_FORMAT,
                          "model '%s': its library does not export %s: it was not written by aotic",
                          model->name, AOTI_ABI_ENTRY_SYMBOL);
  const aoti_abi_model *abi = entry();
  if (!abi)
    return aoti_error_set(AOTI_ERROR_FORMAT, "model '%s': %s returned NULL", model->name,
                          AOTI_ABI_ENTRY_SYMBOL);
  /* The version comes first: nothing else in a table of another version may be read. */
  if (abi->abi_version != AOTI_ABI_VERSION)
    return aoti_error_set(AOTI_ERROR_VERSION,
                          "model '%s' was compiled for ABI v%u, this runtime supports v%d: rebuild "
                          "the package with the matching aotic",
                          model->name, (unsigned)abi->abi_version, AOTI_ABI_VERSION);
  aoti_status status = aoti_abi_validate(abi, model->name);
  if (status != AOTI_OK) return status;
  model->abi = abi;
  return AOTI_OK;
}

static aoti_status read_constant(aoti_model *model, aoti_package *package, int32_t index) {
  const aoti_abi_constant *constant = &model->abi->constants[index];
  char *entry = aoti_package_entry_name(package, model->name, constant->entry);
  if (!entry) return aoti_error_set(AOTI_ERROR_OUT_OF_MEMORY, "out of memory");
  void *data = NULL;
  uint64_t size = 0;
  aoti_status status = aoti_package_read_entry(package, entry, AOTI_ABI_ALIGNMENT, &data, &size);
  if (status != AOTI_OK) {
    aoti_error_prefix(status, "model '%s': constant '%s'", model->name, constant->fqn);
  } else if (size != constant->nbytes) {
    status = aoti_error_set(AOTI_ERROR_FORMAT,
                            "model '%s': constant '%s' (entry '%s') should hold %llu bytes, the "
                            "package has %llu",
                            model->name, constant->fqn, entry,
                            (unsigned long long)constant->nbytes, (unsigned long long)size);
    free(data);
  } else {
    model->constants[index] = data;
  }
  free(entry);
  return status;
}

static aoti_status read_constants(aoti_model *model, aoti_package *package) {
  int32_t count = model->abi->num_constants;
  model->constants = calloc(count ? (size_t)count : 1, sizeof(void *));
  if (!model->constants) return aoti_error_set(AOTI_ERROR_OUT_OF_MEMORY, "out of memory");
  for (int32_t i = 0; i < count; i++) {
    aoti_status status = read_constant(model, package, i);
    if (status != AOTI_OK) return status;
  }
  return AOTI_OK;
}

/* The package entry of the model's own file "<model><suffix>" (malloc'd), or NULL when out of
 * memory. */
static char *model_file_entry(const aoti_model *model, const aoti_package *package,
                              const char *suffix) {
  size_t len = strlen(model->name) + strlen(suffix) + 1;
  char *file = malloc(len);
  if (!file) return NULL;
  snprintf(file, len, "%s%s", model->name, suffix);
  char *entry = aoti_package_entry_name(package, model->name, file);
  free(file);
  return entry;
}

/* The metadata entry is optional: a package without it gives an empty table. */
static aoti_status read_metadata(aoti_model *model, aoti_package *package) {
  char *entry = model_file_entry(model, package, "_metadata.json");
  if (!entry) return aoti_error_set(AOTI_ERROR_OUT_OF_MEMORY, "out of memory");
  aoti_status status = AOTI_OK;
  if (aoti_package_has_entry(package, entry)) {
    void *json = NULL;
    uint64_t size = 0;
    status = aoti_package_read_entry(package, entry, sizeof(void *), &json, &size);
    if (status == AOTI_OK) status = aoti_metadata_parse(json, (size_t)size, entry, &model->metadata);
    free(json);
  }
  free(entry);
  return status;
}

static aoti_status make_runners(aoti_model *model, int32_t num_runners, int32_t num_threads) {
  model->runners = calloc((size_t)num_runners, sizeof(aoti_runner));
  if (!model->runners) return aoti_error_set(AOTI_ERROR_OUT_OF_MEMORY, "out of memory");
  model->num_runners = num_runners;
  if (num_threads == 0) num_threads = aoti_threads_default();
  for (int32_t r = 0; r < num_runners; r++) {
    aoti_status status = aoti_run_plan_alloc(model->abi, &model->runners[r].plan);
    if (status != AOTI_OK) return status;
    status = aoti_thread_pool_create(num_threads, model->abi->thread_scratch_bytes,
                                                 &model->runners[r].pool);
    if (status != AOTI_OK) return status;
  }
  return AOTI_OK;
}

/* Everything a load does that reads the package; called with the package locked. */
static aoti_status load_from_package(aoti_model *model, aoti_package *package) {
  char *entry = model_file_entry(model, package, ".so");
  if (!entry) return aoti_error_set(AOTI_ERROR_OUT_OF_MEMORY, "out of memory");
  aoti_status status = aoti_extract_entry(package, entry, &model->extracted);
  free(entry);
  if (status == AOTI_OK) status = open_library(model);
  if (status == AOTI_OK) status = read_constants(model, package);
  if (status == AOTI_OK) status = read_metadata(model, package);
  return status;
}

aoti_status aoti_model_load(aoti_package *package, const char *name,
                            const aoti_model_options *options, aoti_model **out_model) {
  if (!package || !name || !out_model)
    return aoti_error_set(AOTI_ERROR_INVALID_ARGUMENT, "aoti_model_load: NULL argument");
  aoti_model_options defaults;
  aoti_model_options_init(&defaults);
  if (!options) options = &defaults;
  if (options->num_runners < 1)
    return aoti_error_set(AOTI_ERROR_INVALID_ARGUMENT,
                          "aoti_model_load: num_runners must be at least 1, got %d",
                          options->num_runners);
  if (options->num_threads < 0)
    return aoti_error_set(AOTI_ERROR_INVALID_ARGUMENT,
                          "aoti_model_load: num_threads must be 0 (one per CPU) or more, got %d",
                          options->num_threads);
  aoti_status status = find_model(package, name);
  if (status != AOTI_OK) return status;

  aoti_model *model = calloc(1, sizeof *model);
  if (!model) return aoti_error_set(AOTI_ERROR_OUT_OF_MEMORY, "out of memory");
  pthread_mutex_init(&model->runners_lock, NULL);
  pthread_cond_init(&model->runner_freed, NULL);
  model->check_inputs = options->check_inputs;
  model->name = strdup(name);
  if (!model->name) {
    aoti_model_unload(model);
    return aoti_error_set(AOTI_ERROR_OUT_OF_MEMORY, "out of memory");
  }
  pthread_mutex_lock(&package->lock);
  status = load_from_package(model, package);
  pthread_mutex_unlock(&package->lock);
  if (status == AOTI_OK) status = make_runners(model, options->num_runners, options->num_threads);
  if (status != AOTI_OK) {
    aoti_model_unload(model);
    return status;
  }
  *out_model = model;
  return AOTI_OK;
}

const char *aoti_model_extracted_dir(const aoti_model *model) { return model->extracted.dir; }

//===----------------------------------------------------------------------===//
// The call spec
//===----------------------------------------------------------------------===//

const char *aoti_model_name(const aoti_model *model) { return model ? model->name : NULL; }

size_t aoti_model_num_inputs(const aoti_model *model) {
  return model ? (size_t)model->abi->num_inputs : 0;
}

size_t aoti_model_num_outputs(const aoti_model *model) {
  return model ? (size_t)model->abi->num_outputs : 0;
}

size_t aoti_model_num_symbols(const aoti_model *model) {
  return model ? (size_t)model->abi->num_symbols : 0;
}

static aoti_status check_index(const aoti_model *model, const void *out, size_t index,
                               int32_t count, const char *what) {
  if (!model || !out)
    return aoti_error_set(AOTI_ERROR_INVALID_ARGUMENT, "aoti_model_%s_spec: NULL argument", what);
  if (index >= (size_t)count)
    return aoti_error_set(AOTI_ERROR_INVALID_ARGUMENT, "model '%s' has %d %ss, no %s #%zu",
                          model->name, count, what, what, index);
  return AOTI_OK;
}

static void tensor_spec(const aoti_abi_tensor *tensor, aoti_tensor_spec *out_spec) {
  memset(out_spec, 0, sizeof *out_spec);
  out_spec->name = tensor->name;
  out_spec->dtype = (aoti_dtype)tensor->dtype;
  out_spec->rank = tensor->rank;
  for (int32_t d = 0; d < tensor->rank; d++) out_spec->dims[d] = tensor->dims[d].expr;
}

aoti_status aoti_model_input_spec(const aoti_model *model, size_t index,
                                  aoti_tensor_spec *out_spec) {
  aoti_status status = check_index(model, out_spec, index, model ? model->abi->num_inputs : 0, "input");
  if (status == AOTI_OK) tensor_spec(&model->abi->inputs[index], out_spec);
  return status;
}

aoti_status aoti_model_output_spec(const aoti_model *model, size_t index,
                                   aoti_tensor_spec *out_spec) {
  aoti_status status =
      check_index(model, out_spec, index, model ? model->abi->num_outputs : 0, "output");
  if (status == AOTI_OK) tensor_spec(&model->abi->outputs[index], out_spec);
  return status;
}

aoti_status aoti_model_symbol_spec(const aoti_model *model, size_t index,
                                   aoti_symbol_spec *out_spec) {
  aoti_status status =
      check_index(model, out_spec, index, model ? model->abi->num_symbols : 0, "symbol");
  if (status == AOTI_OK) {
    const aoti_abi_symbol *symbol = &model->abi->symbols[index];
    out_spec->name = symbol->name;
    out_spec->min = symbol->min;
    out_spec->max = symbol->max;
  }
  return status;
}

size_t aoti_model_metadata_count(const aoti_model *model) {
  return model ? model->metadata.count : 0;
}

aoti_status aoti_model_metadata_at(const aoti_model *model, size_t index, const char **out_key,
                                   const char **out_value) {
  if (!model || !out_key || !out_value)
    return aoti_error_set(AOTI_ERROR_INVALID_ARGUMENT, "aoti_model_metadata_at: NULL argument");
  if (index >= model->metadata.count)
    return aoti_error_set(AOTI_ERROR_INVALID_ARGUMENT,
                          "model '%s' has %zu metadata entries, no entry #%zu", model->name,
                          model->metadata.count, index);
  *out_key = model->metadata.keys[index];
  *out_value = model->metadata.values[index];
  return AOTI_OK;
}

const char *aoti_model_metadata(const aoti_model *model, const char *key) {
  if (!model || !key) return NULL;
  for (size_t i = 0; i < model->metadata.count; i++)
    if (strcmp(model->metadata.keys[i], key) == 0) return model->metadata.values[i];
  return NULL;
}
