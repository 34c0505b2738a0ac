/* run.c — running a model: taking a runner (its plan storage, arena and threads), solving the
 * symbols, sizing and allocating outputs and calling the library. A run allocates nothing once
 * its runner's arena has grown to the shapes it sees, unless the caller leaves outputs for the
 * runtime to allocate (tests/runtime/no_alloc_test.cc counts). */
#define _POSIX_C_SOURCE 200809L

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "internal.h"

#define AOTI_RUN_ERROR_CAPACITY 1024

void aoti_run_plan_free(aoti_run_plan *plan) {
  free(plan->symbols);
  free(plan->bindings);
  free(plan->sizes);
  free(plan->nbytes);
  free(plan->output_data);
  free(plan->input_data);
}

aoti_status aoti_run_plan_alloc(const aoti_abi_model *abi, aoti_run_plan *plan) {
  memset(plan, 0, sizeof *plan);
  plan->symbols = calloc((size_t)abi->num_symbols + 1, sizeof *plan->symbols);
  plan->bindings = calloc((size_t)abi->num_symbols + 1, sizeof *plan->bindings);
  plan->sizes = calloc((size_t)abi->num_outputs + 1, sizeof *plan->sizes);
  plan->nbytes = calloc((size_t)abi->num_outputs + 1, sizeof *plan->nbytes);
  plan->output_data = calloc((size_t)abi->num_outputs + 1, sizeof *plan->output_data);
  plan->input_data = calloc((size_t)abi->num_inputs + 1, sizeof *plan->input_data);
  if (!plan->symbols || !plan->bindings || !plan->sizes || !plan->nbytes || !plan->output_data || !plan->input_data) {
    aoti_run_plan_free(plan);
    return aoti_error_set(AOTI_ERROR_OUT_OF_MEMORY, "out of memory");
  }
  return AOTI_OK;
}

static aoti_status check_counts(const aoti_model *model, const char *fn, const aoti_tensor *inputs,
                                size_t num_inputs, const aoti_tensor *outputs, size_t num_outputs) {
  if (!model || (num_inputs && !inputs) || (num_outputs && !outputs))
    return aoti_error_set(AOTI_ERROR_INVALID_ARGUMENT, "%s: NULL argument", fn);
  if (num_inputs != (size_t)model->abi->num_inputs)
    return aoti_error_set(AOTI_ERROR_INVALID_ARGUMENT, "model '%s': expected %d inputs, got %zu",
                          model->name, model->abi->num_inputs, num_inputs);
  if (num_outputs != (size_t)model->abi->num_outputs)
    return aoti_error_set(AOTI_ERROR_INVALID_ARGUMENT, "model '%s': expected %d outputs, got %zu",
                          model->name, model->abi->num_outputs, num_outputs);
  return AOTI_OK;
}

/* Solves the symbols and sizes every output. */
static aoti_status plan_shapes(const aoti_model *model, const aoti_tensor *inputs, aoti_run_plan *plan) {
  const aoti_abi_model *abi = model->abi;
  aoti_status status = aoti_inputs_solve(model, inputs, model->check_inputs, plan->symbols, plan->bindings);
  if (status != AOTI_OK) return status;
  for (int32_t o = 0; o < abi->num_outputs; o++) {
    const aoti_abi_tensor *spec = &abi->outputs[o];
    abi->output_sizes(plan->symbols, o, plan->sizes[o]);
    uint64_t bytes = aoti_dtype_size((aoti_dtype)spec->dtype);
    for (int32_t d = 0; d < spec->rank; d++) {
      int64_t size = plan->sizes[o][d];
      if (size < 0 || __builtin_mul_overflow(bytes, (uint64_t)size, &bytes))
        return aoti_error_set(AOTI_ERROR_INTERNAL, "model '%s': output '%s' dim %d has size %" PRId64,
                              model->name, spec->name, d, size);
    }
    plan->nbytes[o] = bytes;
  }
  return AOTI_OK;
}

static void describe_output(const aoti_abi_tensor *spec, const int64_t *sizes, aoti_tensor *out) {
  out->dtype = (aoti_dtype)spec->dtype;
  out->rank = spec->rank;
  int64_t stride = 1;
  for (int32_t d = spec->rank - 1; d >= 0; d--) {
    out->sizes[d] = sizes[d];
    out->strides[d] = stride;
    stride *= sizes[d];
  }
}

aoti_status aoti_model_output_shapes(aoti_model *model, const aoti_tensor *inputs, size_t num_inputs,
                                     aoti_tensor *outputs, size_t num_outputs) {
  aoti_status status =
      check_counts(model, "aoti_model_output_shapes", inputs, num_inputs, outputs, num_outputs);
  aoti_run_plan plan;
  if (status == AOTI_OK) status = aoti_run_plan_alloc(model->abi, &plan);
  if (status != AOTI_OK) return status;
  status = plan_shapes(model, inputs, &plan);
  for (int32_t o = 0; status == AOTI_OK && o < model->abi->num_outputs; o++)
    describe_output(&model->abi->outputs[o], plan.sizes[o], &outputs[o]);
  aoti_run_plan_free(&plan);
  return status;
}

/* Points the plan at the caller's buffers or allocates the missing ones (64-byte aligned, freeable
 * with free()). */
static aoti_status plan_buffers(const aoti_model *model, const aoti_tensor *inputs,
                                const aoti_tensor *outputs, aoti_run_plan *plan) {
  const aoti_abi_model *abi = model->abi;
  for (int32_t i = 0; i < abi->num_inputs; i++) plan->input_data[i] = inputs[i].data;
  for (int32_t o = 0; o < abi->num_outputs; o++) {
    if (outputs[o].data && outputs[o].nbytes < plan->nbytes[o])
      return aoti_error_set(AOTI_ERROR_INVALID_ARGUMENT,
                            "model '%s': output '%s' (#%d) needs %" PRIu64 " bytes, its buffer "
                            "holds %zu", model->name, abi->outputs[o].name, o, plan->nbytes[o],
                            outputs[o].nbytes);
  }
  for (int32_t o = 0; o < abi->num_outputs; o++) {
    if (outputs[o].data) {
      plan->output_data[o] = outputs[o].data;
      continue;
    }
    uint64_t capacity = (plan->nbytes[o] + AOTI_ABI_ALIGNMENT) / AOTI_ABI_ALIGNMENT * AOTI_ABI_ALIGNMENT;
    plan->output_data[o] = capacity <= SIZE_MAX ? aligned_alloc(AOTI_ABI_ALIGNMENT, (size_t)capacity) : NULL;
    if (!plan->output_data[o])
      return aoti_error_set(AOTI_ERROR_OUT_OF_MEMORY, "model '%s': cannot allocate %" PRIu64
                            " bytes for output '%s'", model->name, plan->nbytes[o], abi->outputs[o].name);
  }
  return AOTI_OK;
}

/* Frees what this call allocated (the outputs the caller left NULL). */
static void free_allocated(const aoti_model *model, const aoti_tensor *outputs, aoti_run_plan *plan) {
  for (int32_t o = 0; o < model->abi->num_outputs; o++)
    if (!outputs[o].data) free(plan->output_data[o]);
}

static aoti_runner *take_runner(aoti_model *model) {
  pthread_mutex_lock(&model->runners_lock);
  aoti_runner *runner = NULL;
  while (!runner) {
    for (int32_t r = 0; r < model->num_runners && !runner; r++)
      if (!model->runners[r].busy) runner = &model->runners[r];
    if (!runner) pthread_cond_wait(&model->runner_freed, &model->runners_lock);
  }
  runner->busy = true;
  pthread_mutex_unlock(&model->runners_lock);
  return runner;
}

static void give_back_runner(aoti_model *model, aoti_runner *runner) {
  pthread_mutex_lock(&model->runners_lock);
  runner->busy = false;
  pthread_cond_signal(&model->runner_freed);
  pthread_mutex_unlock(&model->runners_lock);
}

/* Grows the runner's arena to what this run needs (never shrinks it). The arena is never NULL, even
 * for a model that needs none, so generated code may always offset from it. */
static aoti_status fit_arena(const aoti_model *model, aoti_runner *runner, const int64_t *symbols) {
  uint64_t needed = model->abi->arena_size(symbols);
  if (needed == 0) needed = 1;
  if (needed <= runner->capacity) return AOTI_OK;
  uint64_t capacity = (needed + AOTI_ABI_ALIGNMENT - 1) / AOTI_ABI_ALIGNMENT * AOTI_ABI_ALIGNMENT;
  void *arena = capacity <= SIZE_MAX ? aligned_alloc(AOTI_ABI_ALIGNMENT, (size_t)capacity) : NULL;
  if (!arena)
    return aoti_error_set(AOTI_ERROR_OUT_OF_MEMORY, "model '%s': cannot allocate a %" PRIu64
                          "-byte arena", model->name, needed);
  free(runner->arena);
  runner->arena = arena;
  runner->capacity = capacity;
  return AOTI_OK;
}

static aoti_status call_library(aoti_model *model, aoti_runner *runner) {
  const aoti_run_plan *plan = &runner->plan;
  aoti_status status = fit_arena(model, runner, plan->symbols);
  if (status != AOTI_OK) return status;
  char error[AOTI_RUN_ERROR_CAPACITY] = "";
  aoti_abi_run_args args = {
      .symbols = plan->symbols,
      .inputs = plan->input_data,
      .outputs = plan->output_data,
      .constants = model->constants,
      .arena = runner->arena,
      .threads = aoti_thread_pool_abi(runner->pool),
      .error = error,
      .error_size = sizeof error,
  };
  if (model->abi->run(&args) != 0) {
    error[sizeof error - 1] = '\0';
    return aoti_error_set(AOTI_ERROR_INTERNAL, "model '%s': run failed: %s", model->name,
                          error[0] ? error : "(no message)");
  }
  return AOTI_OK;
}

aoti_status aoti_model_run(aoti_model *model, const aoti_tensor *inputs, size_t num_inputs,
                           aoti_tensor *outputs, size_t num_outputs) {
  aoti_status status = check_counts(model, "aoti_model_run", inputs, num_inputs, outputs, num_outputs);
  if (status != AOTI_OK) return status;
  aoti_runner *runner = take_runner(model);
  aoti_run_plan *plan = &runner->plan;
  status = plan_shapes(model, inputs, plan);
  if (status == AOTI_OK) status = plan_buffers(model, inputs, outputs, plan);
  if (status == AOTI_OK) status = call_library(model, runner);
  if (status != AOTI_OK) {
    free_allocated(model, outputs, plan);
  } else {
    for (int32_t o = 0; o < model->abi->num_outputs; o++) {
      describe_output(&model->abi->outputs[o], plan->sizes[o], &outputs[o]);
      if (!outputs[o].data) {
        outputs[o].data = plan->output_data[o];
        outputs[o].nbytes = (size_t)plan->nbytes[o];
      }
    }
  }
  give_back_runner(model, runner);
  return status;
}
