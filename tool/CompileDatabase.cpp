#include "CompileDatabase.h"

#include "Limits.h"
#include "SafeIO.h"

#include "clang/Tooling/JSONCompilationDatabase.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Regex.h"
#include "llvm/Support/VirtualFileSystem.h"
#include "llvm/Support/raw_ostream.h"

namespace tether {

using namespace clang::tooling;

namespace {
class GuardedFileSystem : public llvm::vfs::ProxyFileSystem {
public:
  GuardedFileSystem(llvm::IntrusiveRefCntPtr<llvm::vfs::FileSystem> FS,
                    uint64_t MaxBytes)
      : ProxyFileSystem(std::move(FS)), MaxBytes(MaxBytes) {}

  llvm::ErrorOr<std::unique_ptr<llvm::vfs::File>>
  openFileForRead(const llvm::Twine &Path) override {
    llvm::ErrorOr<llvm::vfs::Status> S = getUnderlyingFS().status(Path);
    if (!S)
      return S.getError();
    if (S->getType() != llvm::sys::fs::file_type::regular_file)
      return std::make_error_code(std::errc::invalid_argument);
    if (S->getSize() > MaxBytes)
      return std::make_error_code(std::errc::file_too_large);
    return getUnderlyingFS().openFileForRead(Path);
  }

private:
  uint64_t MaxBytes;
};

// llvm::json says "[line:col, byte=N]: message": make it "path:line:col:".
std::string jsonErrorText(const std::string &Path, llvm::Error E) {
  std::string Msg = llvm::toString(std::move(E));
  llvm::SmallVector<llvm::StringRef, 4> M;
  if (llvm::Regex("^\\[([0-9]+):([0-9]+), byte=[0-9]+\\]: (.*)$")
          .match(Msg, &M))
    return Path + ":" + M[1].str() + ":" + M[2].str() +
           ": malformed compilation database: " + M[3].str();
  return Path + ": malformed compilation database: " + Msg;
}
} // namespace

llvm::IntrusiveRefCntPtr<llvm::vfs::FileSystem>
guardedRealFileSystem(uint64_t MaxBytes) {
  return llvm::makeIntrusiveRefCnt<GuardedFileSystem>(
      llvm::vfs::createPhysicalFileSystem(), MaxBytes);
}

std::unique_ptr<CompilationDatabase>
loadCompileDatabase(const std::string &Path, std::string &Error) {
  std::string Text, Why;
  if (!readInputFile(Path, MaxDatabaseBytes, Text, Why)) {
    Error = Path + ": cannot read compilation database: " + Why;
    return nullptr;
  }
  return parseCompileDatabase(Text, Path, Error);
}

std::unique_ptr<CompilationDatabase>
parseCompileDatabase(const std::string &Text, const std::string &Path,
                     std::string &Error) {
  TextProblem P;
  if (!checkJsonNesting(Text, MaxNestingDepth, P)) {
    Error = Path + ":" + std::to_string(P.Line) + ":" +
            std::to_string(P.Column) +
            ": malformed compilation database: " + P.Message;
    return nullptr;
  }
  llvm::Expected<llvm::json::Value> Parsed = llvm::json::parse(Text);
  if (!Parsed) {
    Error = jsonErrorText(Path, Parsed.takeError());
    return nullptr;
  }
  auto Fail = [&](const std::string &What) {
    Error = Path + ": malformed compilation database: " + What;
    return nullptr;
  };
  llvm::json::Array *Entries = Parsed->getAsArray();
  if (!Entries)
    return Fail("expected an array of compile commands at the top level");

  llvm::SmallString<256> DBDir(Path);
  llvm::sys::fs::make_absolute(DBDir);
  llvm::sys::path::remove_filename(DBDir);
  llvm::sys::path::remove_dots(DBDir, true);

  for (size_t I = 0; I < Entries->size(); ++I) {
    std::string Where = "entry " + std::to_string(I);
    llvm::json::Object *E = (*Entries)[I].getAsObject();
    if (!E)
      return Fail(Where + ": expected an object");
    std::optional<llvm::StringRef> Dir = E->getString("directory");
    std::optional<llvm::StringRef> File = E->getString("file");
    if (!Dir)
      return Fail(Where + ": missing string \"directory\"");
    if (!File || File->empty())
      return Fail(Where + ": missing string \"file\"");
    const llvm::json::Array *Args = E->getArray("arguments");
    std::optional<llvm::StringRef> Command = E->getString("command");
    if (!Args && !Command)
      return Fail(Where + ": needs \"arguments\" or \"command\"");
    if (Args) {
      if (Args->empty())
        return Fail(Where + ": \"arguments\" is empty");
      for (const llvm::json::Value &A : *Args)
        if (!A.getAsString())
          return Fail(Where + ": \"arguments\" must hold strings");
    }
    // A relative directory is relative to the database, like clang-tidy.
    llvm::SmallString<256> Abs(*Dir);
    if (llvm::sys::path::is_relative(Abs)) {
      Abs = DBDir;
      llvm::sys::path::append(Abs, *Dir);
    }
    llvm::sys::path::remove_dots(Abs, true);
    (*E)["directory"] = std::string(Abs);
  }

  std::string Normalized;
  llvm::raw_string_ostream OS(Normalized);
  OS << *Parsed;
  OS.flush();
  std::string ErrMsg;
  std::unique_ptr<CompilationDatabase> DB =
      JSONCompilationDatabase::loadFromBuffer(Normalized, ErrMsg,
                                              JSONCommandLineSyntax::AutoDetect);
  if (!DB) {
    llvm::StringRef Msg(ErrMsg);
    return Fail(Msg.trim().split('\n').first.str());
  }
  // Response files: read through the guarded file system, relative to each
  // entry's directory.
  return expandResponseFiles(std::move(DB), guardedRealFileSystem());
}

} // namespace tether
