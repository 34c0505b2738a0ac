/* inference.c — the AOTInductor tutorial's inference.cpp, in C with AOTI.
 *
 * Opens the package that aoti_add_model(model model.ep) built, runs a batch of 8 and then a batch
 * of 1 through the same loaded model (the batch dimension is dynamic, 1..1024), and prints the
 * outputs. The inputs follow a fixed formula (see fill_input) that model.py uses too, so the
 * printed values can be checked against PyTorch's (model.expected.txt).
 */
#include <stdio.h>
#include <stdlib.h>

#include "model.h"

/* x[i] = ((i mod 17) - 8) / 8: exact in float32, the same in C and in model.py. */
static void fill_input(float *x, int64_t numel) {
  for (int64_t i = 0; i < numel; ++i) x[i] = (float)((i % 17) - 8) / 8.0f;
}

static int run_batch(model_model *model, int64_t batch, const char *which) {
  float *x = malloc(sizeof(float) * MODEL_X_NUMEL(batch));
  float *y = malloc(sizeof(float) * MODEL_OUTPUT0_NUMEL(batch));
  int ok = x && y;
  if (ok) {
    fill_input(x, MODEL_X_NUMEL(batch));
    ok = model_run(model, batch, x, y) == AOTI_OK;
  }
  if (ok) {
    printf("Result from the %s inference (batch %lld):\n", which, (long long)batch);
    for (int64_t i = 0; i < MODEL_OUTPUT0_NUMEL(batch); ++i) printf("%.6f\n", y[i]);
  } else {
    fprintf(stderr, "aoti_example: %s\n", x && y ? aoti_last_error() : "out of memory");
  }
  free(x);
  free(y);
  return ok;
}

int main(void) {
  model_model *model = NULL;
  if (model_open(NULL, NULL, &model) != AOTI_OK) {
    fprintf(stderr, "aoti_example: %s\n", aoti_last_error());
    return 1;
  }
  int ok = run_batch(model, 8, "first") && run_batch(model, 1, "second");
  model_close(model);
  return ok ? 0 : 1;
}
