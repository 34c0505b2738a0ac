/* cold_start.c — runs one command in a fresh process and reports how long it lived and its peak
 * resident memory, for bench/bench.py's cold-start and memory columns.
 *
 *   cold_start COMMAND [ARGS...]
 *   -> {"seconds": .., "maxrss_kb": .., "status": ..}     (status: the exit status, or -signal)
 *
 * Why a launcher of its own: Linux carries a process's peak RSS across exec, so a child forked by
 * the benchmark's Python (hundreds of MB with torch loaded) would report at least the parent's
 * size. Forked from this small process, the child's ru_maxrss is its own. The time runs from
 * just before fork to the child being reaped. The child's output goes where ours does.
 */
#define _DEFAULT_SOURCE /* wait4 */
#include <stdio.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: cold_start COMMAND [ARGS...]\n");
    return 2;
  }
  fflush(stdout);
  double start = now_s();
  pid_t pid = fork();
  if (pid < 0) return perror("cold_start: fork"), 1;
  if (pid == 0) {
    execvp(argv[1], argv + 1);
    perror("cold_start: exec");
    _exit(127);
  }
  int status;
  struct rusage usage;
  if (wait4(pid, &status, 0, &usage) < 0) return perror("cold_start: wait4"), 1;
  double seconds = now_s() - start;
  int code = WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
  printf("{\"seconds\": %.6f, \"maxrss_kb\": %ld, \"status\": %d}\n", seconds, usage.ru_maxrss,
         code);
  return 0;
}
