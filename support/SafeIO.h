// Reading the files a user names and writing the files tether produces,
// safely: one place that decides what is followed, replaced or refused.
//
// Inputs: only regular files are read (a FIFO, a device or a directory is
// refused at once, never waited on), up to a size limit.
//
// Outputs:
//  - a new file, or an existing regular file with one link, is replaced
//    atomically: written to a fresh temporary file created with O_EXCL in
//    the same directory, given the old file's mode and owner, then renamed
//    over the target; a failure removes the temporary file and leaves the
//    target as it was;
//  - a regular file with several hard links is rewritten in place, so that
//    every name sees the new content (the caller may say so);
//  - a device, FIFO or socket is written in place, never replaced (a FIFO
//    with no reader is refused instead of waited on);
//  - a symbolic link is not followed, except the system's own links under
//    /dev and /proc (/dev/stdout, /dev/fd/N): the write is refused;
//  - a directory or an empty path is refused.
//
// Links no LLVM: the report renderer and other LLVM-free parts use it too.
#pragma once

#include <cstddef>
#include <functional>
#include <string>

namespace tether {

// Limits of the readers (bytes).
constexpr size_t MaxConfigBytes = 16u << 20;    // configs, model files
constexpr size_t MaxBaselineBytes = 512u << 20; // baselines (read as a stream)
constexpr size_t MaxDatabaseBytes = 1024u << 20; // compile_commands.json
constexpr size_t MaxReportInputBytes = 256u << 20; // tether report inputs

// Reads all of Path into Out. On failure returns false with Error set to a
// phrase that follows the path: "not a regular file (a FIFO)", "No such file
// or directory", "larger than 16 MiB, the limit for this file".
bool readInputFile(const std::string &Path, size_t MaxBytes, std::string &Out,
                   std::string &Error);

// What a write did, beyond writing.
struct WriteNote {
  bool InPlace = false;      // written in place (device, FIFO, hard links)
  unsigned HardLinks = 1;    // the target's link count when rewritten
};

// Writes Path with the content Produce appends to its argument. Returns false
// with Error set (a phrase, e.g. "it is a symbolic link") when refused or
// when writing failed; the target is then unchanged unless it was written in
// place.
bool writeOutputFile(const std::string &Path,
                     const std::function<void(std::string &)> &Produce,
                     std::string &Error, WriteNote *Note = nullptr);

// What writeOutputFile would refuse without writing anything (an empty
// path, a directory, a symbolic link to a regular file): lets a run stop
// before its analysis instead of after it.
bool checkOutputPath(const std::string &Path, std::string &Error);

// Convenience: writes Text.
bool writeOutputFile(const std::string &Path, const std::string &Text,
                     std::string &Error, WriteNote *Note = nullptr);

// True when A and B name the same existing file (device and inode).
bool sameFile(const std::string &A, const std::string &B);

// A short name of a file's type for messages: "a FIFO", "a directory", ...
std::string describeFileType(unsigned Mode);

} // namespace tether
