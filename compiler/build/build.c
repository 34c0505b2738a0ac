/* build.c — runs the system C compiler on a generated model source (build.h).
 *
 * The source is written as <name>.c into a private folder made with mkdtemp, and the compiler is
 * started inside that folder (fork + chdir + execvp, no shell) with relative file names only, so
 * the folder's path never reaches the output and the same source gives the same bytes. The
 * compiler's stdout and stderr go into a pipe; the first AOTI_BUILD_MESSAGE_MAX bytes are kept for
 * the error message, the rest is drained and dropped.
 *
 * Thread-compatible: separate calls may run at once (each has its own folder).
 */
#define _POSIX_C_SOURCE 200809L

#include "build/build.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
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
  char *so_name;
  char *c_name;
  char *march; /* "-march=<target>", or NULL for the generic target */
} command;

static void command_free(command *cmd) {
  free(cmd->argv);
  free(cmd->flags_copy);
  free(cmd->so_name);
  free(cmd->c_name);
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

/* cc -O3 -fPIC -shared -std=c11 [-march=<target>] <cflags...> -o <name>.so <name>.c -lm, or with
 * `preprocess`: cc ... [-march=<target>] <cflags...> -E -P -o <name>.i <name>.c (the same
 * predefined macros, nothing compiled). */
static aoti_status command_make(const char *cc, const char *target, const char *cflags, const char *name,
                                bool preprocess, command *out_cmd) {
  command cmd = {0};
  cmd.flags_copy = strdup(cflags ? cflags : "");
  if (!target) target = "native";
  cmd.march = strcmp(target, "generic") == 0 ? NULL : concat("-march=", target);
  cmd.so_name = concat(name, preprocess ? ".i" : ".so");
  cmd.c_name = concat(name, ".c");
  size_t max_args = 1 + NUM_DEFAULT_FLAGS + 1 + strlen(cmd.flags_copy ? cmd.flags_copy : "") / 2 + 1 +
                    5 + 1;
  cmd.argv = calloc(max_args, sizeof *cmd.argv);
  if (!cmd.flags_copy || !cmd.so_name || !cmd.c_name || !cmd.argv || (strcmp(target, "generic") && !cmd.march)) {
    command_free(&cmd);
    return aoti_error_set(AOTI_ERROR_OUT_OF_MEMORY, "build: out of memory");
  }
  size_t n = 0;
  cmd.argv[n++] = (char *)cc;
  for (size_t i = 0; i < NUM_DEFAULT_FLAGS; i++) cmd.argv[n++] = (char *)kDefaultFlags[i];
  if (cmd.march) cmd.argv[n++] = cmd.march;
  for (char *p = cmd.flags_copy; *p;) {
    while (is_space(*p)) *p++ = '\0';
    if (!*p) break;
    cmd.argv[n++] = p;
    while (*p && !is_space(*p)) p++;
  }
  if (preprocess) {
    cmd.argv[n++] = "-E";
    cmd.argv[n++] = "-P";
  }
  cmd.argv[n++] = "-o";
  cmd.argv[n++] = cmd.so_name;
  cmd.argv[n++] = cmd.c_name;
  if (!preprocess) cmd.argv[n++] = "-lm";
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

/* In the child: only async-signal-safe calls until exec. A failed exec sends errno through
 * `errno_fd` (close-on-exec, so a successful exec sends nothing). */
static void run_child(const char *dir, const command *cmd, int out_fd, int errno_fd) {
  int err = 0;
  if (chdir(dir) != 0 || dup2(out_fd, STDOUT_FILENO) < 0 || dup2(out_fd, STDERR_FILENO) < 0) {
    err = errno;
  } else {
    execvp(cmd->argv[0], cmd->argv);
    err = errno;
  }
  ssize_t ignored = write(errno_fd, &err, sizeof err);
  (void)ignored;
  _exit(127);
}

/* Runs the compiler in `dir`; returns its messages in `messages`
 * (AOTI_BUILD_MESSAGE_MAX + 1 bytes). `user_flags`: the command has flags from the user, who may
 * then be the cause of a failure rather than aotic. */
static aoti_status run_compiler(const char *dir, const command *cmd, bool user_flags,
                                char *messages) {
  int out_pipe[2], errno_pipe[2];
  if (pipe(out_pipe) != 0)
    return aoti_error_set(AOTI_ERROR_IO, "build: pipe failed: %s", strerror(errno));
  if (pipe(errno_pipe) != 0) {
    close(out_pipe[0]);
    close(out_pipe[1]);
    return aoti_error_set(AOTI_ERROR_IO, "build: pipe failed: %s", strerror(errno));
  }
  fcntl(errno_pipe[1], F_SETFD, FD_CLOEXEC);
  fcntl(out_pipe[0], F_SETFD, FD_CLOEXEC);
  fflush(NULL); /* so the child inherits no buffered output */
  pid_t pid = fork();
  if (pid < 0) {
    int err = errno;
    close(out_pipe[0]);
    close(out_pipe[1]);
    close(errno_pipe[0]);
    close(errno_pipe[1]);
    return aoti_error_set(AOTI_ERROR_IO, "cannot run '%s': fork failed: %s", cmd->argv[0],
                          strerror(err));
  }
  if (pid == 0) run_child(dir, cmd, out_pipe[1], errno_pipe[1]);
  close(out_pipe[1]);
  close(errno_pipe[1]);
  drain(out_pipe[0], messages);
  close(out_pipe[0]);
  int child_errno = 0;
  ssize_t got;
  do {
    got = read(errno_pipe[0], &child_errno, sizeof child_errno);
  } while (got < 0 && errno == EINTR);
  close(errno_pipe[0]);
  int wstatus = 0;
  while (waitpid(pid, &wstatus, 0) < 0 && errno == EINTR) {
  }
  if (got == (ssize_t)sizeof child_errno)
    return aoti_error_set(AOTI_ERROR_IO, "cannot run '%s': %s", cmd->argv[0],
                          strerror(child_errno));
  if (WIFEXITED(wstatus) && WEXITSTATUS(wstatus) == 0) return AOTI_OK;
  char *text = command_text(cmd);
  char how[64];
  if (WIFEXITED(wstatus))
    snprintf(how, sizeof how, "exit status %d", WEXITSTATUS(wstatus));
  else
    snprintf(how, sizeof how, "killed by signal %d", WIFSIGNALED(wstatus) ? WTERMSIG(wstatus) : 0);
  aoti_status st = aoti_error_set(
      AOTI_ERROR_INTERNAL, "the C compiler failed on the generated source (%s)%s.\ncommand: %s\n%s",
      how,
      user_flags ? "; check the extra flags (cflags), else this is a bug in aotic"
                 : ", which is a bug in aotic: please report it",
      text ? text : cmd->argv[0], messages);
  free(text);
  return st;
}

//===----------------------------------------------------------------------===//
// The entry point
//===----------------------------------------------------------------------===//

static bool is_plain_file_name(const char *name) {
  return name && name[0] && name[0] != '.' && !strchr(name, '/');
}

static const char *pick_compiler(const aoti_build_options *options) {
  if (options && options->cc && options->cc[0]) return options->cc;
  const char *env = getenv("CC");
  if (env && env[0]) return env;
  return "cc";
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

/* Runs the compiler on `source` in a private folder (compiling, or only preprocessing) and reads
 * its output file into *out_bytes. */
static aoti_status compile_in_temp(const char *source, size_t source_len, const char *name,
                                   const aoti_build_options *options, bool preprocess, void **out_bytes,
                                   size_t *out_len) {
  if (!source || !out_bytes || !out_len)
    return aoti_error_set(AOTI_ERROR_INVALID_ARGUMENT, "build: NULL source or output argument");
  if (!is_plain_file_name(name))
    return aoti_error_set(AOTI_ERROR_INVALID_ARGUMENT,
                          "build: model name '%s' cannot be a file name", name ? name : "(null)");
  command cmd = {0};
  aoti_status st = command_make(pick_compiler(options), options ? options->target : NULL,
                                options ? options->cflags : NULL, name, preprocess, &cmd);
  if (st != AOTI_OK) return st;
  char *dir = make_temp_folder();
  if (!dir) {
    command_free(&cmd);
    return aoti_error_set(AOTI_ERROR_IO, "build: cannot create a temporary folder: %s",
                          strerror(errno));
  }
  char *c_path = NULL, *so_path = NULL;
  char *messages = malloc(AOTI_BUILD_MESSAGE_MAX + 1);
  {
    char *prefix = concat(dir, "/");
    c_path = prefix ? concat(prefix, cmd.c_name) : NULL;
    so_path = prefix ? concat(prefix, cmd.so_name) : NULL;
    free(prefix);
  }
  if (!c_path || !so_path || !messages) {
    st = aoti_error_set(AOTI_ERROR_OUT_OF_MEMORY, "build: out of memory");
  } else {
    if (options && options->verbose) {
      char *text = command_text(&cmd);
      fprintf(stderr, "aotic: build: (in %s) %s\n", dir, text ? text : cmd.argv[0]);
      free(text);
    }
    st = write_file(c_path, source, source_len);
    bool user_flags = options && options->cflags && strspn(options->cflags, " \t\r\n") <
                                                         strlen(options->cflags);
    if (st == AOTI_OK) st = run_compiler(dir, &cmd, user_flags, messages);
    if (st == AOTI_OK) st = read_file(so_path, out_bytes, out_len);
  }
  if (options && options->keep_temps)
    fprintf(stderr, "aotic: build: kept temporary files in %s\n", dir);
  else
    remove_folder(dir);
  free(messages);
  free(c_path);
  free(so_path);
  free(dir);
  command_free(&cmd);
  return st;
}

aoti_status aoti_build_shared_library(const char *source, size_t source_len, const char *name,
                                      const aoti_build_options *options, void **out_bytes,
                                      size_t *out_len) {
  return compile_in_temp(source, source_len, name, options, false, out_bytes, out_len);
}

aoti_status aoti_build_preprocess(const char *source, const aoti_build_options *options, char **out_text) {
  aoti_build_options quiet;
  aoti_build_options_init(&quiet);
  if (options) quiet = *options;
  quiet.keep_temps = false; /* the probe is aotic's business, not the user's to inspect */
  void *bytes = NULL;
  size_t len = 0;
  aoti_status st =
      compile_in_temp(source, source ? strlen(source) : 0, "probe", &quiet, true, &bytes, &len);
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
