/* build.c — runs the system C compiler on a generated model source (build.h).
 *
 * The sources are written into a private folder made with mkdtemp, and the compiler is started
 * inside that folder (posix_spawn with a chdir, no shell) with relative file names only, so the
 * folder's path never reaches the output and the same source gives the same bytes. A generated
 * model is two objects compiled at once (its two parts) plus the kernels' object from the kernel
 * cache (or compiled beside them and then stored there), linked into one library. Each
 * compiler's stdout and stderr go into a pipe; the first AOTI_BUILD_MESSAGE_MAX bytes are kept
 * for the error message, the rest is drained and dropped.
 *
 * Thread-compatible: separate calls may run at once (each has its own folder); processes may share
 * a kernel cache (entries are written under a private name and renamed into place).
 */
#define _GNU_SOURCE /* posix_spawn_file_actions_addchdir_np */

#include "build/build.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <spawn.h>
#include <stdatomic.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "error.h"

/* How much of the compiler's output an error message quotes. */
#define AOTI_BUILD_MESSAGE_MAX 4096
/* Flags every build uses; options->cflags come after them. */
static const char *const kDefaultFlags[] = {"-O3", "-fPIC", "-shared", "-std=c11"};
#define NUM_DEFAULT_FLAGS (sizeof kDefaultFlags / sizeof kDefaultFlags[0])

void aoti_build_options_init(aoti_build_options *options) {
  memset(options, 0, sizeof *options);
}

//===----------------------------------------------------------------------===//
// The command line
//===----------------------------------------------------------------------===//

/* argv for execvp plus the storage its strings point into. */
typedef struct command {
  char **argv;
  char *flags_copy; /* options->cflags, split in place on whitespace */
  char *march;      /* "-march=<target>", or NULL for the generic target */
} command;

static void command_free(command *cmd) {
  free(cmd->argv);
  free(cmd->flags_copy);
  free(cmd->march);
}

static char *concat(const char *a, const char *b) {
  size_t la = strlen(a), lb = strlen(b);
  char *s = malloc(la + lb + 1);
  if (s) {
    memcpy(s, a, la);
    memcpy(s + la, b, lb + 1);
  }
  return s;
}

static bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

static const char *pick_compiler(const aoti_build_options *options) {
  if (options && options->cc && options->cc[0]) return options->cc;
  const char *env = getenv("CC");
  if (env && env[0]) return env;
  return "cc";
}

/* Whether the user gave flags, who may then be the cause of a compiler failure rather than aotic. */
static bool has_user_flags(const aoti_build_options *o) {
  return o && o->cflags && strspn(o->cflags, " \t\r\n") < strlen(o->cflags);
}

/* cc -O3 -fPIC -shared -std=c11 [-march=<target>] <cflags...> <tail...>: every step (compile,
 * link, preprocess) sees the same flags, so the same predefined macros. `tail` is NULL-terminated
 * and must outlive the command. */
static aoti_status command_make(const aoti_build_options *options, const char *const *tail, command *out_cmd) {
  command cmd = {0};
  const char *target = options && options->target ? options->target : "native";
  cmd.flags_copy = strdup(options && options->cflags ? options->cflags : "");
  cmd.march = strcmp(target, "generic") == 0 ? NULL : concat("-march=", target);
  size_t tail_len = 0;
  while (tail[tail_len]) tail_len++;
  size_t max_args = 1 + NUM_DEFAULT_FLAGS + 1 + strlen(cmd.flags_copy ? cmd.flags_copy : "") / 2 + 1 + tail_len + 1;
  cmd.argv = calloc(max_args, sizeof *cmd.argv);
  if (!cmd.flags_copy || !cmd.argv || (strcmp(target, "generic") && !cmd.march)) {
    command_free(&cmd);
    return aoti_error_set(AOTI_ERROR_OUT_OF_MEMORY, "build: out of memory");
  }
  size_t n = 0;
  cmd.argv[n++] = (char *)pick_compiler(options);
  for (size_t i = 0; i < NUM_DEFAULT_FLAGS; i++) cmd.argv[n++] = (char *)kDefaultFlags[i];
  if (cmd.march) cmd.argv[n++] = cmd.march;
  for (char *p = cmd.flags_copy; *p;) {
    while (is_space(*p)) *p++ = '\0';
    if (!*p) break;
    cmd.argv[n++] = p;
    while (*p && !is_space(*p)) p++;
  }
  for (size_t i = 0; i < tail_len; i++) cmd.argv[n++] = (char *)tail[i];
  cmd.argv[n] = NULL;
  *out_cmd = cmd;
  return AOTI_OK;
}

/* The command line as one string, for messages; malloc'd (NULL when out of memory). */
static char *command_text(const command *cmd) {
  size_t len = 1;
  for (char **a = cmd->argv; *a; a++) len += strlen(*a) + 1;
  char *s = malloc(len);
  if (!s) return NULL;
  s[0] = '\0';
  for (char **a = cmd->argv; *a; a++) {
    if (a != cmd->argv) strcat(s, " ");
    strcat(s, *a);
  }
  return s;
}

//===----------------------------------------------------------------------===//
// Files in the private folder
//===----------------------------------------------------------------------===//

static aoti_status write_file(const char *path, const void *data, size_t len) {
  FILE *f = fopen(path, "wb");
  if (!f) return aoti_error_set(AOTI_ERROR_IO, "cannot create '%s': %s", path, strerror(errno));
  size_t written = fwrite(data, 1, len, f);
  int close_rc = fclose(f);
  if (written != len || close_rc != 0)
    return aoti_error_set(AOTI_ERROR_IO, "cannot write '%s': %s", path, strerror(errno));
  return AOTI_OK;
}

static aoti_status read_file(const char *path, void **out_bytes, size_t *out_len) {
  FILE *f = fopen(path, "rb");
  if (!f) return aoti_error_set(AOTI_ERROR_IO, "cannot open '%s': %s", path, strerror(errno));
  struct stat st;
  if (fstat(fileno(f), &st) != 0) {
    fclose(f);
    return aoti_error_set(AOTI_ERROR_IO, "cannot stat '%s': %s", path, strerror(errno));
  }
  size_t len = (size_t)st.st_size;
  void *bytes = malloc(len ? len : 1);
  if (!bytes) {
    fclose(f);
    return aoti_error_set(AOTI_ERROR_OUT_OF_MEMORY, "out of memory reading '%s' (%zu bytes)", path,
                          len);
  }
  size_t got = fread(bytes, 1, len, f);
  fclose(f);
  if (got != len) {
    free(bytes);
    return aoti_error_set(AOTI_ERROR_IO, "cannot read '%s': short read", path);
  }
  *out_bytes = bytes;
  *out_len = len;
  return AOTI_OK;
}

static char *path_in(const char *dir, const char *name) {
  char *prefix = concat(dir, "/");
  char *path = prefix ? concat(prefix, name) : NULL;
  free(prefix);
  return path;
}

static aoti_status write_file_in(const char *dir, const char *name, const void *data, size_t len) {
  char *path = path_in(dir, name);
  aoti_status st = path ? write_file(path, data, len) : aoti_error_set(AOTI_ERROR_OUT_OF_MEMORY, "build: out of memory");
  free(path);
  return st;
}

static aoti_status read_file_in(const char *dir, const char *name, void **out_bytes, size_t *out_len) {
  char *path = path_in(dir, name);
  aoti_status st =
      path ? read_file(path, out_bytes, out_len) : aoti_error_set(AOTI_ERROR_OUT_OF_MEMORY, "build: out of memory");
  free(path);
  return st;
}

/* Removes every entry of `dir` (the compiler may leave files of its own there) and `dir`. */
static void remove_folder(const char *dir) {
  DIR *d = opendir(dir);
  if (d) {
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
      if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
      size_t len = strlen(dir) + 1 + strlen(e->d_name) + 1;
      char *path = malloc(len);
      if (!path) continue;
      snprintf(path, len, "%s/%s", dir, e->d_name);
      unlink(path);
      free(path);
    }
    closedir(d);
  }
  rmdir(dir);
}

//===----------------------------------------------------------------------===//
// Running the compiler
//===----------------------------------------------------------------------===//

/* Reads `fd` to its end, keeping at most AOTI_BUILD_MESSAGE_MAX bytes in `buf` (NUL-terminated). */
static void drain(int fd, char *buf) {
  size_t kept = 0;
  char chunk[4096];
  for (;;) {
    ssize_t n = read(fd, chunk, sizeof chunk);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    size_t take = (size_t)n;
    if (take > AOTI_BUILD_MESSAGE_MAX - kept) take = AOTI_BUILD_MESSAGE_MAX - kept;
    memcpy(buf + kept, chunk, take);
    kept += take;
  }
  buf[kept] = '\0';
}

/* A started compiler: its messages (stdout and stderr) come through out_fd. */
typedef struct job {
  pid_t pid;
  int out_fd;
} job;

/* posix_spawn rather than fork: aotic may hold gigabytes of weights by now, whose page tables a
 * fork would copy (and whose pages it would then fault in again) for every compiler run. */
static aoti_status start_compiler(const char *dir, const command *cmd, job *out_job) {
  int out_pipe[2];
  if (pipe(out_pipe) != 0) return aoti_error_set(AOTI_ERROR_IO, "build: pipe failed: %s", strerror(errno));
  fcntl(out_pipe[0], F_SETFD, FD_CLOEXEC); /* a second job's child must not hold this one's pipe */
  posix_spawn_file_actions_t actions;
  int err = posix_spawn_file_actions_init(&actions);
  if (!err) err = posix_spawn_file_actions_addchdir_np(&actions, dir);
  if (!err) err = posix_spawn_file_actions_adddup2(&actions, out_pipe[1], STDOUT_FILENO);
  if (!err) err = posix_spawn_file_actions_adddup2(&actions, out_pipe[1], STDERR_FILENO);
  if (!err) err = posix_spawn_file_actions_addclose(&actions, out_pipe[1]);
  fflush(NULL); /* so the child inherits no buffered output */
  pid_t pid = 0;
  if (!err) err = posix_spawnp(&pid, cmd->argv[0], &actions, NULL, cmd->argv, environ);
  posix_spawn_file_actions_destroy(&actions);
  close(out_pipe[1]);
  if (err) {
    close(out_pipe[0]);
    return aoti_error_set(AOTI_ERROR_IO, "cannot run '%s': %s", cmd->argv[0], strerror(err));
  }
  *out_job = (job){pid, out_pipe[0]};
  return AOTI_OK;
}

/* Waits for j; its messages go into `messages` (AOTI_BUILD_MESSAGE_MAX + 1 bytes). `user_flags`:
 * the command has flags from the user, who may then be the cause of a failure rather than aotic. */
static aoti_status finish_compiler(job j, const command *cmd, bool user_flags, char *messages) {
  drain(j.out_fd, messages);
  close(j.out_fd);
  int wstatus = 0;
  while (waitpid(j.pid, &wstatus, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(wstatus) && WEXITSTATUS(wstatus) == 0) return AOTI_OK;
  char *text = command_text(cmd);
  char how[64];
  if (WIFEXITED(wstatus))
    snprintf(how, sizeof how, "exit status %d", WEXITSTATUS(wstatus));
  else
    snprintf(how, sizeof how, "killed by signal %d", WIFSIGNALED(wstatus) ? WTERMSIG(wstatus) : 0);
  aoti_status st = aoti_error_set(
      AOTI_ERROR_INTERNAL, "the C compiler failed on the generated source (%s)%s.\ncommand: %s\n%s", how,
      user_flags ? "; check the extra flags (cflags), else this is a bug in aotic"
                 : ", which is a bug in aotic: please report it",
      text ? text : cmd->argv[0], messages);
  free(text);
  return st;
}

//===----------------------------------------------------------------------===//
// The kernel cache
//===----------------------------------------------------------------------===//

/* An entry is "AOTIKOB1", the FNV-1a hash of the object, its length (both little-endian u64),
 * then the object: a damaged or truncated entry fails the check and is built again. */
static const char kEntryMagic[8] = {'A', 'O', 'T', 'I', 'K', 'O', 'B', '1'};
enum { ENTRY_HEADER = 24 };

static uint64_t fnv1a(uint64_t h, const void *data, size_t len) {
  const unsigned char *p = data;
  for (size_t i = 0; i < len; i++) h = (h ^ p[i]) * 0x100000001b3ull;
  return h;
}
#define FNV_OFFSET 0xcbf29ce484222325ull

static void put_u64(unsigned char *p, uint64_t v) {
  for (int i = 0; i < 8; i++) p[i] = (unsigned char)(v >> (8 * i));
}
static uint64_t get_u64(const unsigned char *p) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; i--) v = v << 8 | p[i];
  return v;
}

/* The cache folder (malloc'd), or NULL for none: options->kernel_cache, else $AOTI_KERNEL_CACHE,
 * else $XDG_CACHE_HOME/aoti/kernels, else $HOME/.cache/aoti/kernels; "none" turns it off. */
static char *cache_folder(const aoti_build_options *options) {
  const char *dir = options ? options->kernel_cache : NULL;
  if (!dir || !dir[0]) dir = getenv("AOTI_KERNEL_CACHE");
  if (dir && dir[0]) return strcmp(dir, "none") == 0 ? NULL : strdup(dir);
  const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
  if (xdg && xdg[0]) return concat(xdg, "/aoti/kernels");
  if (home && home[0]) return concat(home, "/.cache/aoti/kernels");
  return NULL;
}

/* mkdir -p `path`. */
static int make_folders(const char *path) {
  char *p = strdup(path);
  if (!p) return -1;
  int rc = 0;
  for (char *s = p + 1; rc == 0; s++) {
    if (*s != '/' && *s != '\0') continue;
    const char c = *s;
    *s = '\0';
    if (mkdir(p, 0777) != 0 && errno != EEXIST) rc = -1;
    *s = c;
    if (!c) break;
  }
  free(p);
  return rc;
}

/* The object in cache file `path` into `obj_path`; false when absent or damaged (`damaged` set). */
static bool cache_load(const char *path, const char *obj_path, bool *damaged) {
  void *bytes = NULL;
  size_t len = 0;
  *damaged = false;
  if (access(path, F_OK) != 0) return false;
  if (read_file(path, &bytes, &len) != AOTI_OK) {
    *damaged = true;
    return false;
  }
  const unsigned char *b = bytes;
  bool ok = len >= ENTRY_HEADER && memcmp(b, kEntryMagic, 8) == 0 && get_u64(b + 16) == len - ENTRY_HEADER &&
            get_u64(b + 8) == fnv1a(FNV_OFFSET, b + ENTRY_HEADER, len - ENTRY_HEADER);
  if (ok) ok = write_file(obj_path, b + ENTRY_HEADER, len - ENTRY_HEADER) == AOTI_OK;
  free(bytes);
  *damaged = !ok;
  return ok;
}

/* Stores the object at `obj_path` as cache file `path`: written under a private name, then
 * renamed, so that processes building at once never read half an entry. 0, or the errno. */
static int cache_store(const char *folder, const char *path, const char *obj_path) {
  void *obj = NULL;
  size_t len = 0;
  if (make_folders(folder) != 0) return errno ? errno : EIO;
  if (read_file(obj_path, &obj, &len) != AOTI_OK) return EIO;
  unsigned char header[ENTRY_HEADER];
  memcpy(header, kEntryMagic, 8);
  put_u64(header + 8, fnv1a(FNV_OFFSET, obj, len));
  put_u64(header + 16, len);
  char tmp[64];
  snprintf(tmp, sizeof tmp, ".tmp-%ld", (long)getpid());
  char *tmp_path = concat(path, tmp);
  errno = 0;
  FILE *f = tmp_path ? fopen(tmp_path, "wb") : NULL;
  bool ok = f && fwrite(header, 1, ENTRY_HEADER, f) == ENTRY_HEADER && fwrite(obj, 1, len, f) == len;
  if (f && fclose(f) != 0) ok = false;
  if (ok) ok = rename(tmp_path, path) == 0;
  const int err = ok ? 0 : errno ? errno : EIO;
  if (!ok && tmp_path) unlink(tmp_path);
  free(tmp_path);
  free(obj);
  return err;
}

/* The cache file of the kernels built by `options`' compiler and flags (malloc'd): named by a hash
 * of the command line, the compiler's predefined macros under those flags (its version, what
 * -march=native means here) and the kernels' source. */
static aoti_status cache_path(const char *dir, const char *folder, const aoti_build_options *options,
                              const char *kernels, char *messages, char **out_path) {
  static const char *const tail[] = {"-dM", "-E", "-o", "macros.txt", "empty.c", NULL};
  command cmd = {0};
  aoti_status st = write_file_in(dir, "empty.c", "", 0);
  if (st == AOTI_OK) st = command_make(options, tail, &cmd);
  job j;
  if (st == AOTI_OK) st = start_compiler(dir, &cmd, &j);
  if (st == AOTI_OK) st = finish_compiler(j, &cmd, has_user_flags(options), messages);
  void *macros = NULL;
  size_t macros_len = 0;
  if (st == AOTI_OK) st = read_file_in(dir, "macros.txt", &macros, &macros_len);
  if (st == AOTI_OK) {
    uint64_t h = FNV_OFFSET;
    for (char **a = cmd.argv; *a; a++) h = fnv1a(h, *a, strlen(*a) + 1);
    h = fnv1a(h, macros, macros_len);
    h = fnv1a(h, kernels, strlen(kernels));
    char name[64];
    snprintf(name, sizeof name, "/kernels-%016llx.aoti", (unsigned long long)h);
    *out_path = concat(folder, name);
    if (!*out_path) st = aoti_error_set(AOTI_ERROR_OUT_OF_MEMORY, "build: out of memory");
  }
  free(macros);
  command_free(&cmd);
  return st;
}

//===----------------------------------------------------------------------===//
// The entry points
//===----------------------------------------------------------------------===//

static bool is_plain_file_name(const char *name) {
  return name && name[0] && name[0] != '.' && !strchr(name, '/');
}

static char *make_temp_folder(void) {
  const char *base = getenv("TMPDIR");
  if (!base || !base[0]) base = "/tmp";
  char *templ = concat(base, "/aotic-build-XXXXXX");
  if (templ && !mkdtemp(templ)) {
    free(templ);
    return NULL;
  }
  return templ;
}

static double now_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec * 1e3 + (double)t.tv_nsec * 1e-6;
}

/* Starts `tail` as a compiler command in dir (printing it with -v); *cmd is the caller's to free. */
static aoti_status start_step(const char *dir, const aoti_build_options *options, const char *const *tail,
                              command *cmd, job *out_job) {
  aoti_status st = command_make(options, tail, cmd);
  if (st != AOTI_OK) return st;
  if (options && options->verbose) {
    char *text = command_text(cmd);
    fprintf(stderr, "aotic: build: (in %s) %s\n", dir, text ? text : cmd->argv[0]);
    free(text);
  }
  return start_compiler(dir, cmd, out_job);
}

static aoti_status run_step(const char *dir, const aoti_build_options *options, const char *const *tail,
                            char *messages) {
  command cmd = {0};
  job j;
  aoti_status st = start_step(dir, options, tail, &cmd, &j);
  if (st == AOTI_OK) st = finish_compiler(j, &cmd, has_user_flags(options), messages);
  command_free(&cmd);
  return st;
}

/* The kernels' object, kernels.o in dir: taken from the cache when it holds a sound entry, else
 * compiled; a compile is started and left running in *job (*started set) so that the model's own
 * source compiles meanwhile. *out_entry: the cache file to store a compiled object in, or NULL. */
static aoti_status start_kernels(const char *dir, const char *kernels, const aoti_build_options *options,
                                 char *messages, command *cmd, job *j, bool *started, char **out_entry) {
  static const char *const tail[] = {"-ffunction-sections", "-fdata-sections", "-c", "-o", "kernels.o",
                                     "kernels.c", NULL};
  const bool verbose = options && options->verbose;
  char *folder = cache_folder(options), *entry = NULL;
  aoti_status st = folder ? cache_path(dir, folder, options, kernels, messages, &entry) : AOTI_OK;
  free(folder);
  if (st != AOTI_OK) return st;
  char *obj_path = entry ? path_in(dir, "kernels.o") : NULL;
  bool damaged = false;
  const bool hit = obj_path && cache_load(entry, obj_path, &damaged);
  free(obj_path);
  if (damaged)
    fprintf(stderr, "aotic: warning: the kernel cache entry '%s' is damaged; compiling the kernels again\n", entry);
  if (hit) {
    if (verbose) fprintf(stderr, "aotic: kernels: from the cache, %s\n", entry);
    free(entry);
    return AOTI_OK;
  }
  *out_entry = entry;
  st = write_file_in(dir, "kernels.c", kernels, strlen(kernels));
  if (st == AOTI_OK) st = start_step(dir, options, tail, cmd, j);
  *started = st == AOTI_OK;
  return st;
}

/* Stores a just-compiled kernels.o under `entry`; a cache that cannot be written costs a warning
 * (once per process) and the next build's compile, nothing else. */
static void store_kernels(const char *dir, const char *entry, const aoti_build_options *options, double ms) {
  static atomic_bool warned; /* builds may run on several threads at once */
  char *obj_path = path_in(dir, "kernels.o");
  char *folder = strdup(entry);
  char *slash = folder ? strrchr(folder, '/') : NULL;
  if (slash) *slash = '\0';
  const int err = obj_path && folder ? cache_store(folder, entry, obj_path) : ENOMEM;
  if (options && options->verbose)
    fprintf(stderr, "aotic: kernels: compiled in %.0f ms%s%s\n", ms, err ? ", not cached" : ", cached as ",
            err ? "" : entry);
  if (err && !atomic_exchange(&warned, true)) {
    fprintf(stderr, "aotic: warning: cannot write the kernel cache '%s': %s; every build compiles the kernels "
            "again (see aotic --kernel-cache)\n", folder ? folder : entry, strerror(err));
  }
  free(folder);
  free(obj_path);
}

/* <name>.c into its `count` objects at once: one, or two parts (-DAOTI_MODEL_PART=1, 2). When
 * both fail, the first part's error is the one reported. */
static aoti_status compile_model(const char *dir, const aoti_build_options *options, const char *c_name,
                                 int count, char *const *objects, char *messages) {
  static const char *const kPart[2] = {"-DAOTI_MODEL_PART=1", "-DAOTI_MODEL_PART=2"};
  command cmds[2] = {{0}, {0}};
  job jobs[2];
  int started = 0;
  aoti_status st = AOTI_OK;
  for (int i = 0; i < count && st == AOTI_OK; ++i) {
    const char *const whole[] = {"-c", "-o", objects[i], c_name, NULL};
    const char *const part[] = {kPart[i], "-c", "-o", objects[i], c_name, NULL};
    st = start_step(dir, options, count == 2 ? part : whole, &cmds[i], &jobs[i]);
    if (st == AOTI_OK) started++;
  }
  for (int i = started - 1; i >= 0; --i) { /* every started compiler is waited for */
    const aoti_status part_st = finish_compiler(jobs[i], &cmds[i], has_user_flags(options), messages);
    if (part_st != AOTI_OK) st = part_st;
  }
  for (int i = 0; i < count; ++i) command_free(&cmds[i]);
  return st;
}

/* In dir: <name>.c (and kernels.o, from the cache or compiled at the same time) into <name>.so. */
static aoti_status build_in(const char *dir, const char *source, size_t source_len, const char *kernels,
                            const char *name, const aoti_build_options *options, char *messages) {
  const int count = options && options->parts == 2 ? 2 : 1;
  char *c_name = concat(name, ".c"), *so_name = concat(name, ".so");
  char *objects[2] = {concat(name, count == 2 ? ".1.o" : ".o"), count == 2 ? concat(name, ".2.o") : NULL};
  aoti_status st = c_name && so_name && objects[0] && (count == 1 || objects[1])
                       ? write_file_in(dir, c_name, source, source_len)
                       : aoti_error_set(AOTI_ERROR_OUT_OF_MEMORY, "build: out of memory");
  if (st == AOTI_OK && !kernels) { /* a self-contained source: one step */
    const char *const tail[] = {"-o", so_name, c_name, "-lm", NULL};
    st = run_step(dir, options, tail, messages);
  } else if (st == AOTI_OK) {
    command kcmd = {0};
    job kjob;
    bool started = false;
    char *entry = NULL;
    const double t0 = now_ms();
    st = start_kernels(dir, kernels, options, messages, &kcmd, &kjob, &started, &entry);
    if (st == AOTI_OK) st = compile_model(dir, options, c_name, count, objects, messages);
    if (started) { /* always waited for, also when the model failed */
      aoti_status kst = finish_compiler(kjob, &kcmd, has_user_flags(options), messages);
      if (st == AOTI_OK) st = kst;
      if (st == AOTI_OK && entry) store_kernels(dir, entry, options, now_ms() - t0);
    }
    command_free(&kcmd);
    free(entry);
    const char *link[8] = {"-o", so_name};
    int n = 2;
    for (int i = 0; i < count; ++i) link[n++] = objects[i];
    link[n++] = "kernels.o";
    link[n++] = "-lm";
    link[n++] = "-Wl,--gc-sections"; /* the kernels this model does not call */
    if (st == AOTI_OK) st = run_step(dir, options, link, messages);
  }
  free(c_name);
  free(so_name);
  free(objects[0]);
  free(objects[1]);
  return st;
}

aoti_status aoti_build_shared_library(const char *source, size_t source_len, const char *kernels, const char *name,
                                      const aoti_build_options *options, void **out_bytes, size_t *out_len) {
  if (!source || !out_bytes || !out_len)
    return aoti_error_set(AOTI_ERROR_INVALID_ARGUMENT, "build: NULL source or output argument");
  if (!is_plain_file_name(name) || strcmp(name, "kernels") == 0)
    return aoti_error_set(AOTI_ERROR_INVALID_ARGUMENT, "build: model name '%s' cannot be a file name",
                          name ? name : "(null)");
  char *dir = make_temp_folder();
  char *messages = malloc(AOTI_BUILD_MESSAGE_MAX + 1);
  aoti_status st = AOTI_OK;
  if (!dir)
    st = aoti_error_set(AOTI_ERROR_IO, "build: cannot create a temporary folder: %s", strerror(errno));
  else if (!messages)
    st = aoti_error_set(AOTI_ERROR_OUT_OF_MEMORY, "build: out of memory");
  if (st == AOTI_OK) st = build_in(dir, source, source_len, kernels, name, options, messages);
  if (st == AOTI_OK) {
    char *so_name = concat(name, ".so");
    st = so_name ? read_file_in(dir, so_name, out_bytes, out_len)
                 : aoti_error_set(AOTI_ERROR_OUT_OF_MEMORY, "build: out of memory");
    free(so_name);
  }
  if (dir && options && options->keep_temps)
    fprintf(stderr, "aotic: build: kept temporary files in %s\n", dir);
  else if (dir)
    remove_folder(dir);
  free(messages);
  free(dir);
  return st;
}

aoti_status aoti_build_preprocess(const char *source, const aoti_build_options *options, char **out_text) {
  static const char *const tail[] = {"-E", "-P", "-o", "probe.i", "probe.c", NULL};
  if (!source || !out_text)
    return aoti_error_set(AOTI_ERROR_INVALID_ARGUMENT, "build: NULL source or output argument");
  aoti_build_options quiet;
  aoti_build_options_init(&quiet);
  if (options) quiet = *options;
  quiet.keep_temps = false; /* the probe is aotic's business, not the user's to inspect */
  char *dir = make_temp_folder();
  char *messages = malloc(AOTI_BUILD_MESSAGE_MAX + 1);
  void *bytes = NULL;
  size_t len = 0;
  aoti_status st = AOTI_OK;
  if (!dir)
    st = aoti_error_set(AOTI_ERROR_IO, "build: cannot create a temporary folder: %s", strerror(errno));
  else if (!messages)
    st = aoti_error_set(AOTI_ERROR_OUT_OF_MEMORY, "build: out of memory");
  if (st == AOTI_OK) st = write_file_in(dir, "probe.c", source, strlen(source));
  if (st == AOTI_OK) st = run_step(dir, &quiet, tail, messages);
  if (st == AOTI_OK) st = read_file_in(dir, "probe.i", &bytes, &len);
  if (dir) remove_folder(dir);
  free(messages);
  free(dir);
  if (st != AOTI_OK) return st;
  char *text = realloc(bytes, len + 1);
  if (!text) {
    free(bytes);
    return aoti_error_set(AOTI_ERROR_OUT_OF_MEMORY, "build: out of memory");
  }
  text[len] = '\0';
  *out_text = text;
  return AOTI_OK;
}
