#include "SafeIO.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <random>
#include <sys/stat.h>
#include <unistd.h>

namespace tether {

namespace {

std::string errnoText(int E) { return std::strerror(E); }

std::string sizeText(size_t Bytes) {
  if (Bytes % (1u << 20) == 0)
    return std::to_string(Bytes >> 20) + " MiB";
  return std::to_string(Bytes) + " bytes";
}

// Writes all of Text to FD; false with errno's text on failure.
bool writeAll(int FD, const std::string &Text, std::string &Error) {
  const char *P = Text.data();
  size_t Left = Text.size();
  while (Left > 0) {
    ssize_t N = ::write(FD, P, Left);
    if (N < 0) {
      if (errno == EINTR)
        continue;
      Error = errnoText(errno);
      return false;
    }
    P += N;
    Left -= size_t(N);
  }
  return true;
}

bool closeChecked(int FD, std::string &Error) {
  if (::close(FD) != 0 && errno != EINTR) {
    Error = errnoText(errno);
    return false;
  }
  return true;
}

std::string dirOf(const std::string &Path) {
  size_t Slash = Path.find_last_of('/');
  if (Slash == std::string::npos)
    return ".";
  if (Slash == 0)
    return "/";
  return Path.substr(0, Slash);
}

std::string baseOf(const std::string &Path) {
  size_t Slash = Path.find_last_of('/');
  return Slash == std::string::npos ? Path : Path.substr(Slash + 1);
}

bool systemLink(const std::string &Path) {
  return Path.rfind("/dev/", 0) == 0 || Path.rfind("/proc/", 0) == 0;
}

mode_t currentUmask() {
  // Read without changing it where the kernel tells (Linux >= 4.7).
  if (FILE *F = std::fopen("/proc/self/status", "re")) {
    char Line[256];
    while (std::fgets(Line, sizeof Line, F))
      if (std::strncmp(Line, "Umask:", 6) == 0) {
        std::fclose(F);
        return mode_t(std::strtoul(Line + 6, nullptr, 8));
      }
    std::fclose(F);
  }
  mode_t M = ::umask(022);
  ::umask(M);
  return M;
}

// Opens Path for writing in place. FollowLinks: the path may be a system
// link (/dev/stdout). A FIFO with no reader is refused, not waited on.
bool writeInPlace(const std::string &Path, bool FollowLinks, bool Truncate,
                  const std::string &Text, std::string &Error) {
  int Flags = O_WRONLY | O_NOCTTY | O_CLOEXEC | O_NONBLOCK;
  if (!FollowLinks)
    Flags |= O_NOFOLLOW;
  if (Truncate)
    Flags |= O_TRUNC;
  int FD = ::open(Path.c_str(), Flags);
  if (FD < 0) {
    Error = errno == ENXIO ? "it is a FIFO with no reader" : errnoText(errno);
    return false;
  }
  int FL = ::fcntl(FD, F_GETFL);
  if (FL >= 0)
    ::fcntl(FD, F_SETFL, FL & ~O_NONBLOCK);
  bool Ok = writeAll(FD, Text, Error);
  std::string CloseErr;
  if (!closeChecked(FD, CloseErr) && Ok) {
    Error = CloseErr;
    Ok = false;
  }
  return Ok;
}

// Creates a fresh temporary file next to Path; never follows or reuses
// anything that exists.
int createTemp(const std::string &Path, std::string &TmpPath,
               std::string &Error) {
  static thread_local std::mt19937_64 Rng{std::random_device{}()};
  const char *Alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
  for (int Attempt = 0; Attempt < 100; ++Attempt) {
    std::string Suffix;
    for (int I = 0; I < 10; ++I)
      Suffix += Alphabet[Rng() % 36];
    std::string Dir = dirOf(Path);
    TmpPath = Dir + "/." + baseOf(Path) + ".tether-" + Suffix;
    int FD = ::open(TmpPath.c_str(),
                    O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (FD >= 0)
      return FD;
    if (errno != EEXIST) {
      Error = "cannot create a temporary file in '" + Dir +
              "': " + errnoText(errno);
      return -1;
    }
  }
  Error = "cannot create a temporary file next to it";
  return -1;
}

} // namespace

std::string describeFileType(unsigned Mode) {
  switch (Mode & S_IFMT) {
  case S_IFREG: return "a regular file";
  case S_IFDIR: return "a directory";
  case S_IFIFO: return "a FIFO";
  case S_IFCHR: return "a character device";
  case S_IFBLK: return "a block device";
  case S_IFSOCK: return "a socket";
  case S_IFLNK: return "a symbolic link";
  default: return "not a regular file";
  }
}

bool readInputFile(const std::string &Path, size_t MaxBytes, std::string &Out,
                   std::string &Error) {
  if (Path.empty()) {
    Error = "empty file name";
    return false;
  }
  // O_NONBLOCK: opening a FIFO with no writer must not wait.
  int FD = ::open(Path.c_str(), O_RDONLY | O_NOCTTY | O_CLOEXEC | O_NONBLOCK);
  if (FD < 0) {
    Error = errnoText(errno);
    return false;
  }
  struct stat St;
  if (::fstat(FD, &St) != 0) {
    Error = errnoText(errno);
    ::close(FD);
    return false;
  }
  if (!S_ISREG(St.st_mode)) {
    Error = "not a regular file (" + describeFileType(St.st_mode) + ")";
    ::close(FD);
    return false;
  }
  if (size_t(St.st_size) > MaxBytes) {
    Error = "larger than " + sizeText(MaxBytes) + ", the limit for this file";
    ::close(FD);
    return false;
  }
  Out.clear();
  Out.reserve(size_t(St.st_size));
  char Buf[65536];
  for (;;) {
    ssize_t N = ::read(FD, Buf, sizeof Buf);
    if (N < 0) {
      if (errno == EINTR)
        continue;
      Error = errnoText(errno);
      ::close(FD);
      return false;
    }
    if (N == 0)
      break;
    if (Out.size() + size_t(N) > MaxBytes) { // grew while we read
      Error = "larger than " + sizeText(MaxBytes) + ", the limit for this file";
      ::close(FD);
      return false;
    }
    Out.append(Buf, size_t(N));
  }
  ::close(FD);
  return true;
}

namespace {
// What an output path is now, and whether it may be written at all.
struct Target {
  bool Exists = false;
  struct stat L = {};   // lstat of the path
  bool Link = false;     // a symbolic link tether may follow (/dev, /proc)
  bool LinkToRegular = false;
};

bool inspectTarget(const std::string &Path, Target &T, std::string &Error) {
  if (Path.empty()) {
    Error = "empty file name";
    return false;
  }
  if (Path.back() == '/') {
    Error = "it names a directory";
    return false;
  }
  T.Exists = ::lstat(Path.c_str(), &T.L) == 0;
  if (!T.Exists) {
    if (errno == ENOENT)
      return true; // created at the end
    Error = errnoText(errno);
    return false;
  }
  if (S_ISDIR(T.L.st_mode)) {
    Error = "it is a directory";
    return false;
  }
  if (!S_ISLNK(T.L.st_mode))
    return true;
  struct stat To;
  if (::stat(Path.c_str(), &To) != 0) {
    Error = "it is a symbolic link to a missing file";
    return false;
  }
  if (S_ISDIR(To.st_mode)) {
    Error = "it is a directory";
    return false;
  }
  T.LinkToRegular = S_ISREG(To.st_mode);
  if (T.LinkToRegular && !systemLink(Path)) {
    Error = "it is a symbolic link (name the file it points to)";
    return false;
  }
  T.Link = true;
  return true;
}
} // namespace

bool checkOutputPath(const std::string &Path, std::string &Error) {
  Target T;
  return inspectTarget(Path, T, Error);
}

bool writeOutputFile(const std::string &Path,
                     const std::function<void(std::string &)> &Produce,
                     std::string &Error, WriteNote *Note) {
  WriteNote Local;
  WriteNote &N = Note ? *Note : Local;
  N = WriteNote();
  Target T;
  if (!inspectTarget(Path, T, Error))
    return false;
  bool Exists = T.Exists;
  const struct stat &L = T.L;
  if (T.Link) {
    // A system link (/dev/stdout): written through, in place.
    std::string Text;
    Produce(Text);
    N.InPlace = true;
    return writeInPlace(Path, /*FollowLinks=*/true, T.LinkToRegular, Text,
                        Error);
  }
  if (Exists && !S_ISREG(L.st_mode)) {
    // A device, FIFO or socket: written, never replaced.
    std::string Text;
    Produce(Text);
    N.InPlace = true;
    return writeInPlace(Path, /*FollowLinks=*/false, false, Text, Error);
  }
  if (Exists && L.st_nlink > 1) {
    // Replacing would cut this name off the other links: rewrite in place.
    std::string Text;
    Produce(Text);
    N.InPlace = true;
    N.HardLinks = unsigned(L.st_nlink);
    return writeInPlace(Path, /*FollowLinks=*/false, true, Text, Error);
  }

  std::string Tmp;
  int FD = createTemp(Path, Tmp, Error);
  if (FD < 0)
    return false;
  auto Fail = [&](const std::string &Why) {
    Error = Why;
    ::unlink(Tmp.c_str());
    return false;
  };
  std::string Text;
  Produce(Text);
  std::string WErr;
  if (!writeAll(FD, Text, WErr)) {
    ::close(FD);
    return Fail(WErr);
  }
  // The old file's mode and owner; a new file gets what creat() would give.
  mode_t Mode = Exists ? (L.st_mode & 07777) : (0666 & ~currentUmask());
  if (Exists && (L.st_uid != ::geteuid() || L.st_gid != ::getegid()))
    if (::fchown(FD, L.st_uid, L.st_gid) != 0 && errno != EPERM) {
      std::string E = errnoText(errno);
      ::close(FD);
      return Fail(E);
    }
  if (::fchmod(FD, Mode) != 0) {
    std::string E = errnoText(errno);
    ::close(FD);
    return Fail(E);
  }
  if (!closeChecked(FD, WErr))
    return Fail(WErr);
  if (::rename(Tmp.c_str(), Path.c_str()) != 0)
    return Fail(errnoText(errno));
  return true;
}

bool writeOutputFile(const std::string &Path, const std::string &Text,
                     std::string &Error, WriteNote *Note) {
  return writeOutputFile(
      Path, [&](std::string &Out) { Out = Text; }, Error, Note);
}

bool sameFile(const std::string &A, const std::string &B) {
  struct stat SA, SB;
  if (::stat(A.c_str(), &SA) != 0 || ::stat(B.c_str(), &SB) != 0)
    return false;
  return SA.st_dev == SB.st_dev && SA.st_ino == SB.st_ino;
}

} // namespace tether
