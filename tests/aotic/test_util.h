// test_util.h — small helpers shared by the aotic tests: files, fresh folders, running commands.
#ifndef AOTI_TESTS_AOTIC_TEST_UTIL_H
#define AOTI_TESTS_AOTIC_TEST_UTIL_H

#include <dirent.h>
#include <ftw.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace aotic_test {

inline bool file_exists(const std::string &path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0;
}

inline std::string read_file(const std::string &path) {
  std::ifstream f(path, std::ios::binary);
  std::ostringstream s;
  s << f.rdbuf();
  return s.str();
}

inline void write_file(const std::string &path, const std::string &text) {
  std::ofstream f(path, std::ios::binary);
  f << text;
}

// A new empty folder under the test's tmp dir (AOTI_TEST_TMP_DIR).
inline std::string fresh_dir(const std::string &tag) {
  std::string templ = std::string(AOTI_TEST_TMP_DIR) + "/" + tag + "-XXXXXX";
  std::vector<char> buf(templ.begin(), templ.end());
  buf.push_back('\0');
  if (!mkdtemp(buf.data())) return "";
  return std::string(buf.data());
}

// Removes `dir` and everything under it (for tests that passed; failed ones keep their files).
inline void remove_tree(const std::string &dir) {
  nftw(
      dir.c_str(),
      [](const char *path, const struct stat *, int, struct FTW *) { return remove(path); }, 16,
      FTW_DEPTH | FTW_PHYS);
}

// Names in a folder, sorted.
inline std::vector<std::string> list_dir(const std::string &dir) {
  std::vector<std::string> names;
  if (DIR *d = opendir(dir.c_str())) {
    while (struct dirent *e = readdir(d)) {
      std::string n = e->d_name;
      if (n != "." && n != "..") names.push_back(n);
    }
    closedir(d);
  }
  std::sort(names.begin(), names.end());
  return names;
}

// The system C compiler, as aotic picks it: $CC, else cc.
inline std::string system_cc() {
  const char *cc = getenv("CC");
  return cc && *cc ? cc : "cc";
}

inline std::string quote(const std::string &s) {
  std::string q = "'";
  for (char c : s) {
    if (c == '\'')
      q += "'\\''";
    else
      q += c;
  }
  return q + "'";
}

struct command_result {
  int exit_code;  // -1 if it did not exit normally
  std::string out, err;
};

// Runs `cmd` with the shell, capturing stdout and stderr into files under `dir`.
inline command_result run_command(const std::string &cmd, const std::string &dir) {
  std::string out = dir + "/cmd.stdout", err = dir + "/cmd.stderr";
  int status = system((cmd + " >" + quote(out) + " 2>" + quote(err)).c_str());
  command_result r;
  r.exit_code = (status != -1 && WIFEXITED(status)) ? WEXITSTATUS(status) : -1;
  r.out = read_file(out);
  r.err = read_file(err);
  unlink(out.c_str());
  unlink(err.c_str());
  return r;
}

}  // namespace aotic_test

#endif  // AOTI_TESTS_AOTIC_TEST_UTIL_H
