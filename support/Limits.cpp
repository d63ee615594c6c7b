#include "Limits.h"

#include <vector>

namespace tether {

namespace {
std::string tooDeep(unsigned MaxDepth) {
  return "nesting deeper than " + std::to_string(MaxDepth) + " levels";
}
} // namespace

bool checkJsonNesting(std::string_view Text, unsigned MaxDepth,
                      TextProblem &Problem) {
  unsigned Depth = 0, Line = 1, Col = 0;
  bool InString = false, Escape = false;
  for (char C : Text) {
    ++Col;
    if (C == '\n') {
      ++Line;
      Col = 0;
    }
    if (InString) {
      if (Escape)
        Escape = false;
      else if (C == '\\')
        Escape = true;
      else if (C == '"')
        InString = false;
      continue;
    }
    if (C == '"') {
      InString = true;
    } else if (C == '[' || C == '{') {
      if (++Depth > MaxDepth) {
        Problem = {Line, Col, tooDeep(MaxDepth)};
        return false;
      }
    } else if ((C == ']' || C == '}') && Depth > 0) {
      --Depth;
    }
  }
  return true;
}

bool checkYamlText(std::string_view Text, unsigned MaxDepth,
                   TextProblem &Problem) {
  std::vector<size_t> Indents; // strictly increasing block indentation
  unsigned Flow = 0;           // open '[' and '{'
  char Quote = 0;              // open quoted scalar spanning lines
  size_t BlockScalarIndent = std::string_view::npos; // inside '|' or '>'
  unsigned LineNo = 0;
  size_t Pos = 0;
  while (Pos <= Text.size()) {
    size_t End = Text.find('\n', Pos);
    if (End == std::string_view::npos)
      End = Text.size();
    std::string_view Line = Text.substr(Pos, End - Pos);
    ++LineNo;
    Pos = End + 1;
    if (!Line.empty() && Line.back() == '\r')
      Line.remove_suffix(1);
    size_t Indent = 0;
    while (Indent < Line.size() && Line[Indent] == ' ')
      ++Indent;
    bool Blank = Indent == Line.size() || Line[Indent] == '#';
    if (BlockScalarIndent != std::string_view::npos) {
      if (Blank || Indent > BlockScalarIndent)
        continue; // literal text
      BlockScalarIndent = std::string_view::npos;
    }
    if (Blank && !Quote)
      continue;

    size_t I = Indent;
    unsigned Depth = unsigned(Indents.size());
    if (!Quote && Flow == 0) {
      while (!Indents.empty() && Indents.back() > Indent)
        Indents.pop_back();
      if (Indents.empty() || Indents.back() < Indent)
        Indents.push_back(Indent);
      Depth = unsigned(Indents.size());
      // Compact nested entries on one line: "- - - x", "? - x".
      while (I + 1 < Line.size() && (Line[I] == '-' || Line[I] == '?') &&
             Line[I + 1] == ' ') {
        ++Depth;
        I += 2;
        while (I < Line.size() && Line[I] == ' ')
          ++I;
      }
    } else if (Quote) {
      I = 0;
    }
    if (Depth + Flow > MaxDepth) {
      Problem = {LineNo, unsigned(I + 1), tooDeep(MaxDepth)};
      return false;
    }

    // Scan the rest of the line: quotes, flow collections, comments,
    // anchors and aliases at the start of a node.
    bool TokenStart = !Quote;
    for (; I < Line.size(); ++I) {
      char C = Line[I];
      if (Quote) {
        if (Quote == '"' && C == '\\') {
          ++I;
        } else if (C == Quote) {
          if (Quote == '\'' && I + 1 < Line.size() && Line[I + 1] == '\'')
            ++I; // '' inside a single-quoted scalar
          else
            Quote = 0;
        }
        continue;
      }
      if (C == '#' && (I == 0 || Line[I - 1] == ' ' || Line[I - 1] == '\t'))
        break; // comment
      if (TokenStart && (C == '"' || C == '\'')) {
        Quote = C;
        TokenStart = false;
        continue;
      }
      if (TokenStart && (C == '&' || C == '*') && I + 1 < Line.size() &&
          Line[I + 1] != ' ') {
        Problem = {LineNo, unsigned(I + 1),
                   "anchors and aliases are not supported"};
        return false;
      }
      if (C == '[' || C == '{') {
        if (Depth + ++Flow > MaxDepth) {
          Problem = {LineNo, unsigned(I + 1), tooDeep(MaxDepth)};
          return false;
        }
        TokenStart = true;
        continue;
      }
      if (C == ']' || C == '}') {
        if (Flow > 0)
          --Flow;
        TokenStart = false;
        continue;
      }
      if (C == ',' && Flow > 0) {
        TokenStart = true;
        continue;
      }
      if (C == ':' && (I + 1 == Line.size() || Line[I + 1] == ' ')) {
        TokenStart = true;
        // A block scalar follows "key: |" or "key: >-".
        size_t J = I + 1;
        while (J < Line.size() && Line[J] == ' ')
          ++J;
        if (J < Line.size() && (Line[J] == '|' || Line[J] == '>') &&
            Flow == 0) {
          size_t K = J + 1;
          while (K < Line.size() && Line[K] != ' ' && Line[K] != '#')
            ++K;
          while (K < Line.size() && Line[K] == ' ')
            ++K;
          if (K == Line.size() || Line[K] == '#') {
            BlockScalarIndent = Indent;
            break;
          }
        }
        continue;
      }
      if (C == ' ' || C == '\t')
        continue;
      if (C == '-' && TokenStart && I + 1 < Line.size() && Line[I + 1] == ' ')
        continue;
      TokenStart = false;
    }
    // A "- |" entry starts a block scalar too.
    if (!Quote && Flow == 0 && BlockScalarIndent == std::string_view::npos) {
      std::string_view T = Line.substr(Indent);
      while (T.size() >= 2 && T[0] == '-' && T[1] == ' ') {
        T.remove_prefix(2);
        while (!T.empty() && T[0] == ' ')
          T.remove_prefix(1);
      }
      if (!T.empty() && (T[0] == '|' || T[0] == '>') &&
          T.find(' ') == std::string_view::npos)
        BlockScalarIndent = Indent;
    }
  }
  return true;
}

} // namespace tether
