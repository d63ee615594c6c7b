// clang-style text output.
#include "Output.h"
#include "OutputDetail.h"

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/ConvertUTF.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/Unicode.h"
#include "llvm/Support/raw_ostream.h"

namespace tether {
namespace {

// The escape sequences clang's TextDiagnostic produces through
// raw_ostream::changeColor: bold for locations and messages, bold colours for
// levels and carets, reset after each.
constexpr const char *Bold = "\033[1m";
constexpr const char *Reset = "\033[0m";
constexpr const char *Magenta = "\033[0;1;35m";
constexpr const char *Red = "\033[0;1;31m";
constexpr const char *Cyan = "\033[0;1;36m";
constexpr const char *Blue = "\033[0;1;34m";
constexpr const char *Green = "\033[0;1;32m";
constexpr unsigned TabStop = 8;

enum class Level { Note, Remark, Warning, Error };

Level levelOf(Severity S) {
  switch (S) {
  case Severity::Remark:
    return Level::Remark;
  case Severity::Warning:
    return Level::Warning;
  case Severity::Error:
    return Level::Error;
  }
  return Level::Warning;
}

const char *levelColor(Level L) {
  switch (L) {
  case Level::Note:
    return Cyan;
  case Level::Remark:
    return Blue;
  case Level::Warning:
    return Magenta;
  case Level::Error:
    return Red;
  }
  return Magenta;
}

const char *levelName(Level L) {
  switch (L) {
  case Level::Note:
    return "note";
  case Level::Remark:
    return "remark";
  case Level::Warning:
    return "warning";
  case Level::Error:
    return "error";
  }
  return "warning";
}

// A source line as printed: tabs expanded, control characters and invalid
// UTF-8 shown the way clang shows them, plus the display column at which
// each byte of the original line starts.
struct PrintedLine {
  std::string Text;
  std::vector<unsigned> ByteCol; // size: bytes + 1
  unsigned columnOfByte(size_t Byte) const {
    if (Byte < ByteCol.size())
      return ByteCol[Byte];
    return ByteCol.back() + unsigned(Byte - (ByteCol.size() - 1));
  }
};

PrintedLine printLine(llvm::StringRef Line) {
  while (!Line.empty() && (Line.back() == '\n' || Line.back() == '\r'))
    Line = Line.drop_back();
  PrintedLine P;
  P.ByteCol.assign(Line.size() + 1, 0);
  unsigned Col = 0;
  size_t I = 0;
  while (I < Line.size()) {
    unsigned char C = Line[I];
    P.ByteCol[I] = Col;
    if (C == '\t') {
      unsigned Width = TabStop - Col % TabStop;
      P.Text.append(Width, ' ');
      Col += Width;
      ++I;
      continue;
    }
    if (C < 0x20 || C == 0x7f) {
      std::string Shown;
      llvm::raw_string_ostream(Shown)
          << "<U+" << llvm::format_hex_no_prefix(C, 4, /*Upper=*/true) << ">";
      P.Text += Shown;
      Col += Shown.size();
      ++I;
      continue;
    }
    if (C < 0x80) {
      P.Text.push_back(char(C));
      ++Col;
      ++I;
      continue;
    }
    unsigned Len = llvm::getNumBytesForUTF8(C);
    const auto *Begin = reinterpret_cast<const llvm::UTF8 *>(Line.data() + I);
    if (I + Len > Line.size() ||
        !llvm::isLegalUTF8Sequence(Begin, Begin + Len)) {
      std::string Shown;
      llvm::raw_string_ostream(Shown)
          << "<" << llvm::format_hex_no_prefix(C, 2, /*Upper=*/true) << ">";
      P.Text += Shown;
      Col += Shown.size();
      ++I;
      continue;
    }
    llvm::StringRef Seq = Line.substr(I, Len);
    int Width = llvm::sys::unicode::columnWidthUTF8(Seq);
    for (unsigned K = 1; K < Len; ++K)
      P.ByteCol[I + K] = Col;
    P.Text += Seq.str();
    Col += Width > 0 ? unsigned(Width) : 1;
    I += Len;
  }
  P.ByteCol[Line.size()] = Col;
  return P;
}

void writeSnippet(llvm::raw_ostream &OS, const SourcePoint &Where,
                  bool Color) {
  if (Where.LineText.empty() || Where.Column == 0)
    return;
  PrintedLine P = printLine(Where.LineText);
  size_t StartByte = Where.Column - 1;
  size_t LineBytes = P.ByteCol.size() - 1;
  size_t EndByte = StartByte + 1; // exclusive
  if (Where.EndLine == Where.Line && Where.EndColumn > Where.Column)
    EndByte = Where.EndColumn - 1;
  else if (Where.EndLine > Where.Line)
    EndByte = std::max(LineBytes, StartByte + 1);
  unsigned StartCol = P.columnOfByte(StartByte);
  unsigned EndCol = std::max(P.columnOfByte(EndByte), StartCol + 1);
  std::string Caret(EndCol, ' ');
  for (unsigned C = StartCol + 1; C < EndCol; ++C)
    Caret[C] = '~';
  Caret[StartCol] = '^';
  OS << P.Text << '\n';
  if (Color)
    OS << Green;
  OS << Caret;
  if (Color)
    OS << Reset;
  OS << '\n';
}

void writeDiagnostic(llvm::raw_ostream &OS, const SourcePoint &Where,
                     Level L, llvm::StringRef Message, llvm::StringRef CheckId,
                     const RunInfo &Info, bool Color) {
  if (Where.valid()) {
    if (Color)
      OS << Bold;
    OS << output_detail::displayPath(Where.File, Info.SourceRoot) << ':'
       << Where.Line << ':';
    if (Where.Column)
      OS << Where.Column << ':';
    OS << ' ';
    if (Color)
      OS << Reset;
  }
  if (Color)
    OS << levelColor(L);
  OS << levelName(L) << ": ";
  if (Color)
    OS << Reset;
  // clang prints the message of a note in the default weight, others bold.
  bool BoldMessage = Color && L != Level::Note;
  if (BoldMessage)
    OS << Bold;
  OS << Message;
  if (!CheckId.empty())
    OS << " [" << CheckId << ']';
  if (BoldMessage)
    OS << Reset;
  OS << '\n';
  if (Where.valid())
    writeSnippet(OS, Where, Color);
}

} // namespace

void writeText(llvm::raw_ostream &OS, const std::vector<Finding> &Findings,
               const RunInfo &Info, bool Color) {
  for (const Finding &F : Findings) {
    Level L = levelOf(F.Level);
    writeDiagnostic(OS, F.Where, L, F.Message, F.CheckId, Info, Color);
    for (const Note &N : F.Notes)
      writeDiagnostic(OS, N.Where, Level::Note, N.Message, "", Info, Color);
  }
  for (const InputError &E : Info.Errors) {
    // One line per error, whatever the underlying message contained.
    std::string Message = "cannot analyse " + E.File + ": ";
    for (char C : llvm::StringRef(E.Message).trim())
      Message.push_back(C == '\n' || C == '\r' ? ' ' : C);
    writeDiagnostic(OS, SourcePoint(), Level::Error, Message, "", Info, Color);
  }
  // The "N warnings generated." count goes to stderr (the driver's
  // generatedLine), not into the report.
  OS.flush();
}

} // namespace tether
