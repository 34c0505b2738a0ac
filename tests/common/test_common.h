// test_common.h — helpers every test suite uses: whole files in and out, folder listings, and
// running a shell command with its output captured. Failures to read or write are recorded as
// test failures (ADD_FAILURE) naming the path, so a test never goes on silently with empty data.
#ifndef AOTI_TESTS_COMMON_TEST_COMMON_H
#define AOTI_TESTS_COMMON_TEST_COMMON_H

#include <string>
#include <vector>

namespace aoti_test {

// The bytes of the file at `path`; "" (and a test failure) when it cannot be read.
std::string ReadFile(const std::string &path);
// Replaces the file at `path` with `bytes`; a test failure when it cannot be written.
void WriteFile(const std::string &path, const std::string &bytes);
// Names in folder `dir` (without "." and ".."), sorted; empty when it cannot be opened.
std::vector<std::string> ListDir(const std::string &dir);

// `s` as one single-quoted shell word.
std::string ShellQuote(const std::string &s);

struct CommandResult {
  int exit_code;  // -1 if it did not exit normally
  std::string out, err;
};
// Runs `cmd` with the shell, capturing stdout and stderr through new files in the existing folder
// `scratch_dir` (removed afterwards; commands may run at once in one folder). The redirections
// apply to the last command of `cmd`.
CommandResult RunCommand(const std::string &cmd, const std::string &scratch_dir);

}  // namespace aoti_test

#endif  // AOTI_TESTS_COMMON_TEST_COMMON_H
