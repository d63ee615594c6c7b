// Symbolization through libdw (dlopen'ed on first use, so programs that never
// dump never load it), C++ demangling, and the model wait-reason table.
#include "rt.h"

#include <cerrno>
#include <cxxabi.h>
#include <cstdlib>
#include <cstring>
#include <dlfcn.h>
#include <dwarf.h>
#include <elfutils/libdw.h>
#include <elfutils/libdwfl.h>
#include <fcntl.h>
#include <algorithm>
#include <map>
#include <set>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <unordered_map>

extern "C" const char tether_builtin_models_tsv[];
extern char **environ;

namespace tether::rt {
namespace {

struct DwApi {
  decltype(&dwfl_begin) begin;
  decltype(&dwfl_linux_proc_report) proc_report;
  decltype(&dwfl_report_begin) report_begin;
  decltype(&dwfl_report_end) report_end;
  decltype(&dwfl_addrmodule) addrmodule;
  decltype(&dwfl_module_addrinfo) addrinfo;
  decltype(&dwfl_module_getsrc) getsrc;
  decltype(&dwfl_lineinfo) lineinfo;
  decltype(&dwfl_module_info) module_info;
  decltype(&dwfl_module_getelf) getelf;
  // Inlined frames (optional: without them frames are not expanded).
  decltype(&dwfl_module_addrdie) addrdie;
  decltype(&dwarf_getscopes) getscopes;
  decltype(&dwarf_getscopes_die) getscopes_die;
  decltype(&dwarf_tag) tag;
  decltype(&dwarf_attr) attr;
  decltype(&dwarf_attr_integrate) attr_integrate;
  decltype(&dwarf_formstring) formstring;
  decltype(&dwarf_formudata) formudata;
  decltype(&dwarf_getsrcfiles) getsrcfiles;
  decltype(&dwarf_filesrc) filesrc;
  Dwfl_Callbacks callbacks{};
  Dwfl *dwfl = nullptr;
  bool ok = false;
};

// One addr2line run at a time: a second symbolizer of the same pcs waits
// for the first one's answers instead of skipping pcs already being asked
// about and caching their stack without file and line.
SpinLock g_fallback_lock;
SpinLock g_lock; // guards everything below
DwApi *g_dw = nullptr;
bool g_dw_tried = false;
std::unordered_map<uintptr_t, Frame> *g_pc_cache;
std::unordered_map<uintptr_t, std::vector<Frame>> *g_inline_cache; // pc -> expanded frames
std::set<uintptr_t> *g_fallback_tried; // pcs already asked of addr2line
std::unordered_map<uint32_t, std::vector<Frame>> *g_stack_cache;      // library lines skipped
std::unordered_map<uint32_t, std::vector<Frame>> *g_stack_cache_full; // every line
std::unordered_map<uint32_t, std::string> *g_reason_cache;
std::map<std::string, std::string> *g_models; // stripped function -> reason
char *g_debuginfo_path = nullptr;

void loadDw() {
  if (g_dw_tried)
    return;
  g_dw_tried = true;
  void *h = dlopen("libdw.so.1", RTLD_NOW | RTLD_LOCAL);
  if (!h)
    return;
  auto *d = new DwApi();
#define SYM(field, name) d->field = reinterpret_cast<decltype(d->field)>(dlsym(h, #name))
  SYM(begin, dwfl_begin);
  SYM(proc_report, dwfl_linux_proc_report);
  SYM(report_begin, dwfl_report_begin);
  SYM(report_end, dwfl_report_end);
  SYM(addrmodule, dwfl_addrmodule);
  SYM(addrinfo, dwfl_module_addrinfo);
  SYM(getsrc, dwfl_module_getsrc);
  SYM(lineinfo, dwfl_lineinfo);
  SYM(module_info, dwfl_module_info);
  SYM(getelf, dwfl_module_getelf);
  SYM(addrdie, dwfl_module_addrdie);
  SYM(getscopes, dwarf_getscopes);
  SYM(getscopes_die, dwarf_getscopes_die);
  SYM(tag, dwarf_tag);
  SYM(attr, dwarf_attr);
  SYM(attr_integrate, dwarf_attr_integrate);
  SYM(formstring, dwarf_formstring);
  SYM(formudata, dwarf_formudata);
  SYM(getsrcfiles, dwarf_getsrcfiles);
  SYM(filesrc, dwarf_filesrc);
#undef SYM
  d->callbacks.find_elf =
      reinterpret_cast<decltype(d->callbacks.find_elf)>(dlsym(h, "dwfl_linux_proc_find_elf"));
  d->callbacks.find_debuginfo = reinterpret_cast<decltype(d->callbacks.find_debuginfo)>(
      dlsym(h, "dwfl_standard_find_debuginfo"));
  d->callbacks.debuginfo_path = &g_debuginfo_path;
  if (!d->begin || !d->proc_report || !d->addrmodule || !d->callbacks.find_elf ||
      !d->callbacks.find_debuginfo) {
    delete d;
    return;
  }
  d->dwfl = d->begin(&d->callbacks);
  if (!d->dwfl) {
    delete d;
    return;
  }
  d->report_begin(d->dwfl);
  d->proc_report(d->dwfl, getpid());
  d->report_end(d->dwfl, nullptr, nullptr);
  d->ok = true;
  g_dw = d;
}

void rereport() {
  g_dw->report_begin(g_dw->dwfl);
  g_dw->proc_report(g_dw->dwfl, getpid());
  g_dw->report_end(g_dw->dwfl, nullptr, nullptr);
}

std::string demangle(const char *name) {
  if (!name)
    return "??";
  int status = 0;
  char *d = abi::__cxa_demangle(name, nullptr, nullptr, &status);
  if (status == 0 && d) {
    std::string s = d;
    free(d);
    return s;
  }
  return name;
}

bool haveInlineApi() {
  return g_dw && g_dw->addrdie && g_dw->getscopes && g_dw->getscopes_die && g_dw->tag && g_dw->attr &&
         g_dw->attr_integrate && g_dw->formstring && g_dw->formudata && g_dw->getsrcfiles &&
         g_dw->filesrc;
}

std::string dieName(Dwarf_Die *die) {
  Dwarf_Attribute a;
  for (int at : {DW_AT_linkage_name, DW_AT_MIPS_linkage_name})
    if (g_dw->attr_integrate(die, at, &a))
      if (const char *s = g_dw->formstring(&a))
        return demangle(s);
  if (g_dw->attr_integrate(die, DW_AT_name, &a))
    if (const char *s = g_dw->formstring(&a))
      return s;
  return "??";
}

// The chain of functions inlined at `lookup` (libdw: dwarf_getscopes), as
// frames innermost first; empty when nothing is inlined there or the module's
// DWARF cannot be searched by address (no .debug_aranges: see addr2line).
std::vector<Frame> inlineChainLocked(Dwfl_Module *m, uintptr_t lookup, const Frame &phys) {
  std::vector<Frame> out;
  if (!haveInlineApi())
    return out;
  Dwarf_Addr bias = 0;
  Dwarf_Die *cu = g_dw->addrdie(m, lookup, &bias);
  if (!cu)
    return out;
  // dwarf_getscopes lists the innermost scope at the address and then the
  // scopes of its *definition*; the callers an inlined instance was inlined
  // into are its parents in the DIE tree: dwarf_getscopes_die (as
  // eu-addr2line -i does).
  Dwarf_Die *at = nullptr;
  int n0 = g_dw->getscopes(cu, lookup - bias, &at);
  if (n0 <= 0)
    return out;
  Dwarf_Die innermost = at[0];
  free(at);
  if (g_dw->tag(&innermost) != DW_TAG_inlined_subroutine)
    return out;
  Dwarf_Die *scopes = nullptr;
  int n = g_dw->getscopes_die(&innermost, &scopes);
  if (n <= 0)
    return out;
  std::vector<Dwarf_Die *> fns;
  for (int i = 0; i < n; ++i) {
    int tag = g_dw->tag(&scopes[i]);
    if (tag == DW_TAG_inlined_subroutine) {
      fns.push_back(&scopes[i]);
    } else if (tag == DW_TAG_subprogram) {
      fns.push_back(&scopes[i]);
      break;
    }
  }
  if (fns.size() >= 2) {
    Dwarf_Files *files = nullptr;
    size_t nfiles = 0;
    if (g_dw->getsrcfiles(cu, &files, &nfiles) != 0)
      files = nullptr;
    std::string file = phys.file;
    int line = phys.line;
    for (size_t k = 0; k < fns.size(); ++k) {
      Frame f = phys;
      bool last = k + 1 == fns.size();
      f.inlined = !last;
      if (!last) {
        f.function = dieName(fns[k]);
        f.offset = 0;
      }
      f.file = file;
      f.line = line;
      out.push_back(f);
      // The next (outer) frame is at this inlined call's site.
      Dwarf_Attribute a;
      Dwarf_Word w = 0;
      file.clear();
      line = 0;
      if (files && g_dw->attr(fns[k], DW_AT_call_file, &a) && g_dw->formudata(&a, &w) == 0)
        if (const char *fs = g_dw->filesrc(files, w, nullptr, nullptr))
          file = fs;
      if (g_dw->attr(fns[k], DW_AT_call_line, &a) && g_dw->formudata(&a, &w) == 0)
        line = int(w);
    }
  }
  free(scopes);
  return out;
}

Frame symbolizeLocked(uintptr_t pc, bool library_lines) {
  Frame f;
  f.pc = pc;
  f.function = "??";
  loadDw();
  if (!g_dw)
    return f;
  uintptr_t lookup = pc > 0 ? pc - 1 : pc; // return address -> call instruction
  Dwfl_Module *m = g_dw->addrmodule(g_dw->dwfl, lookup);
  if (!m) {
    rereport(); // a library dlopen'ed after the last report
    m = g_dw->addrmodule(g_dw->dwfl, lookup);
  }
  if (!m)
    return f;
  Dwarf_Addr start = 0, end = 0;
  const char *modname = g_dw->module_info(m, nullptr, &start, &end, nullptr, nullptr, nullptr,
                                          nullptr);
  f.module_end = end;
  f.module = modname ? modname : "";
  f.module_base = start;
  GElf_Addr bias = 0;
  if (g_dw->getelf && g_dw->getelf(m, &bias))
    f.elf_addr = lookup - bias;
  GElf_Off off = 0;
  GElf_Sym sym;
  const char *name = g_dw->addrinfo(m, lookup, &off, &sym, nullptr, nullptr, nullptr);
  if (name) {
    f.function = demangle(name);
    f.offset = off + (pc - lookup);
  }
  if (!library_lines && !moduleLibrary(f.module).empty()) {
    f.lines_skipped = true;
    return f;
  }
  if (Dwfl_Line *line = g_dw->getsrc(m, lookup)) {
    int ln = 0;
    const char *file = g_dw->lineinfo(line, nullptr, &ln, nullptr, nullptr, nullptr);
    if (file) {
      f.file = file;
      f.line = ln;
    }
  }
  if (!f.file.empty()) {
    std::vector<Frame> chain = inlineChainLocked(m, lookup, f);
    if (!chain.empty())
      (*g_inline_cache)[pc] = std::move(chain);
  }
  return f;
}

void ensureMaps() {
  if (!g_pc_cache) {
    g_pc_cache = new std::unordered_map<uintptr_t, Frame>();
    g_inline_cache = new std::unordered_map<uintptr_t, std::vector<Frame>>();
    g_fallback_tried = new std::set<uintptr_t>();
    g_stack_cache = new std::unordered_map<uint32_t, std::vector<Frame>>();
    g_stack_cache_full = new std::unordered_map<uint32_t, std::vector<Frame>>();
    g_reason_cache = new std::unordered_map<uint32_t, std::string>();
    g_models = new std::map<std::string, std::string>();
  }
}

void loadTableLocked(const char *text) {
  ensureMaps();
  const char *p = text;
  while (p && *p) {
    const char *nl = strchr(p, '\n');
    std::string line = nl ? std::string(p, nl) : std::string(p);
    p = nl ? nl + 1 : nullptr;
    if (!line.empty() && line.back() == '\r')
      line.pop_back();
    if (line.empty() || line[0] == '#')
      continue;
    size_t tab = line.find('\t');
    if (tab == std::string::npos)
      continue;
    (*g_models)[line.substr(0, tab)] = line.substr(tab + 1);
  }
  g_reason_cache->clear();
}

bool isGenericReason(const std::string &r) {
  return r == "cond wait" || r == "mutex lock" || r == "futex wait" || r == "semacquire" ||
         r == "rwlock read" || r == "rwlock write";
}

void replaceAll(std::string &s, const std::string &from, const std::string &to) {
  for (size_t pos = 0; (pos = s.find(from, pos)) != std::string::npos; pos += to.size())
    s.replace(pos, from.size(), to);
}

} // namespace

std::string stripTemplatesAndParams(const std::string &in) {
  std::string s = in;
  replaceAll(s, "(anonymous namespace)", "{anonymous}");
  size_t clone = s.find(" [clone");
  if (clone != std::string::npos)
    s.erase(clone);
  std::string out;
  int angle = 0, paren = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (angle == 0 && paren == 0 && s.compare(i, 8, "operator") == 0 &&
        (i == 0 || s[i - 1] == ':' || s[i - 1] == ' ')) {
      // Copy the operator token verbatim: operator<<, operator(), operator>>=.
      size_t j = i + 8;
      if (s.compare(j, 2, "()") == 0)
        j += 2;
      else
        while (j < s.size() && strchr("<>=!+-*/%^&|~[],", s[j]))
          ++j;
      out.append(s, i, j - i);
      i = j - 1;
      continue;
    }
    if (c == '<')
      ++angle;
    else if (c == '>' && angle > 0)
      --angle;
    else if (c == '(' && angle == 0)
      ++paren;
    else if (c == ')' && angle == 0 && paren > 0)
      --paren;
    else if (angle == 0 && paren == 0)
      out += c;
  }
  // Drop a leading return type ("void ns::f") and trailing qualifiers.
  while (!out.empty() && out.back() == ' ')
    out.pop_back();
  for (const char *q : {" const", " volatile", " &&", " &"})
    if (out.size() > strlen(q) && out.compare(out.size() - strlen(q), strlen(q), q) == 0)
      out.erase(out.size() - strlen(q));
  size_t sp = out.rfind(' ');
  if (sp != std::string::npos && out.compare(sp + 1, 8, "operator") != 0 &&
      out.find("operator") == std::string::npos)
    out.erase(0, sp + 1);
  replaceAll(out, "std::__cxx11::", "std::");
  replaceAll(out, "std::__1::", "std::");
  return out;
}

Frame symbolizePc(uintptr_t pc, bool library_lines) {
  SpinGuard g(g_lock);
  ensureMaps();
  auto it = g_pc_cache->find(pc);
  if (it != g_pc_cache->end() && !(library_lines && it->second.lines_skipped))
    return it->second;
  Frame f = symbolizeLocked(pc, library_lines);
  (*g_pc_cache)[pc] = f;
  return f;
}

namespace {
// libdw (0.188) finds no line (and no inlined scopes) for CUs without
// .debug_aranges, which clang does not emit by default. binutils' addr2line,
// run out of process, does: `-i` lists the inlined calls at an address
// innermost first, `-a` starts each address's group with the address.
void addr2lineFallback(const std::vector<Frame> &frames) {
  SpinGuard serial(g_fallback_lock);
  std::map<std::string, std::vector<const Frame *>> by_module;
  {
    SpinGuard g(g_lock);
    for (const Frame &f : frames)
      if (f.file.empty() && !f.lines_skipped && !f.module.empty() && f.module[0] == '/' &&
          f.function != "??" &&
          !g_inline_cache->count(f.pc) && g_fallback_tried->insert(f.pc).second)
        by_module[f.module].push_back(&f); // asked once, answered or not
  }

  for (auto &[module, fs] : by_module) {
    std::vector<std::string> args{"addr2line", "-a", "-i", "-f", "-C", "-e", module};
    for (const Frame *f : fs) {
      char b[32];
      snprintf(b, sizeof b, "%#lx", (unsigned long)f->elf_addr);
      args.push_back(b);
    }
    std::vector<char *> argv;
    for (auto &a : args)
      argv.push_back(a.data());
    argv.push_back(nullptr);
    int out[2];
    if (pipe2(out, O_CLOEXEC) != 0)
      continue;
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, out[1], 1);
    posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
    // The child needs none of the shim: without LD_PRELOAD it neither loads
    // it nor reports on itself.
    std::vector<char *> envp;
    for (char **e = environ; e && *e; ++e)
      if (strncmp(*e, "LD_PRELOAD=", 11) != 0 && strncmp(*e, "TETHER_OPTIONS=", 15) != 0)
        envp.push_back(*e);
    envp.push_back(nullptr);
    pid_t pid;
    int rc = posix_spawnp(&pid, "addr2line", &fa, nullptr, argv.data(), envp.data());
    posix_spawn_file_actions_destroy(&fa);
    close(out[1]);
    std::string text;
    if (rc == 0) {
      char buf[4096];
      ssize_t n;
      while ((n = real::read(out[0], buf, sizeof buf)) > 0)
        text.append(buf, size_t(n));
      waitpid(pid, nullptr, 0);
    }
    close(out[0]);
    // Groups: "0xADDR", then (function, file:line) pairs.
    std::vector<std::string> lines;
    for (size_t pos = 0; pos < text.size();) {
      size_t nl = text.find('\n', pos);
      lines.push_back(text.substr(pos, nl == std::string::npos ? std::string::npos : nl - pos));
      pos = nl == std::string::npos ? text.size() : nl + 1;
    }
    size_t li = 0;
    for (const Frame *phys : fs) {
      if (li >= lines.size() || lines[li].compare(0, 2, "0x") != 0)
        break;
      ++li;
      std::vector<std::pair<std::string, std::string>> pairs;
      while (li + 1 < lines.size() && lines[li].compare(0, 2, "0x") != 0) {
        pairs.emplace_back(lines[li], lines[li + 1]);
        li += 2;
      }
      std::vector<Frame> chain;
      for (size_t k = 0; k < pairs.size(); ++k) {
        Frame f = *phys;
        bool last = k + 1 == pairs.size();
        f.inlined = !last;
        if (!last) {
          f.function = pairs[k].first;
          f.offset = 0;
        }
        std::string loc = pairs[k].second;
        size_t disc = loc.find(" (discriminator");
        if (disc != std::string::npos)
          loc.erase(disc);
        size_t colon = loc.rfind(':');
        f.file.clear();
        f.line = 0;
        if (colon != std::string::npos && loc.compare(0, 2, "??") != 0) {
          int ln = atoi(loc.c_str() + colon + 1);
          if (ln > 0) {
            f.file = loc.substr(0, colon);
            f.line = ln;
          }
        }
        chain.push_back(f);
      }
      if (chain.empty())
        continue;
      SpinGuard g(g_lock);
      (*g_pc_cache)[phys->pc] = chain.back();
      if (chain.size() > 1)
        (*g_inline_cache)[phys->pc] = std::move(chain);
    }
  }
}
} // namespace

void symbolizeStacks(const std::vector<uint32_t> &ids, bool library_lines) {
  // Every frame of every stack not symbolized yet, so that the out-of-process
  // fallback runs once per module for the whole report instead of once per
  // stack.
  std::vector<Frame> phys;
  std::vector<uint32_t> todo(ids);
  std::sort(todo.begin(), todo.end());
  todo.erase(std::unique(todo.begin(), todo.end()), todo.end());
  {
    SpinGuard g(g_lock);
    ensureMaps();
    auto *cache = library_lines ? g_stack_cache_full : g_stack_cache;
    todo.erase(std::remove_if(todo.begin(), todo.end(),
                              [&](uint32_t id) { return id == 0 || cache->count(id); }),
               todo.end());
  }
  if (todo.empty())
    return;
  std::set<uintptr_t> seen;
  for (uint32_t id : todo) {
    uintptr_t pcs[kMaxFrames];
    int n = depotGet(id, pcs, kMaxFrames);
    for (int i = 0; i < n; ++i)
      if (seen.insert(pcs[i]).second)
        phys.push_back(symbolizePc(pcs[i], library_lines));
  }
  addr2lineFallback(phys);
  for (uint32_t id : todo)
    symbolizeStack(id, library_lines);
}

const std::vector<Frame> &symbolizeStack(uint32_t id, bool library_lines) {
  std::unordered_map<uint32_t, std::vector<Frame>> *cache;
  {
    SpinGuard g(g_lock);
    ensureMaps();
    cache = library_lines ? g_stack_cache_full : g_stack_cache;
    auto it = cache->find(id);
    if (it != cache->end())
      return it->second;
  }
  uintptr_t pcs[kMaxFrames];
  int n = depotGet(id, pcs, kMaxFrames);
  std::vector<Frame> phys;
  for (int i = 0; i < n; ++i)
    phys.push_back(symbolizePc(pcs[i], library_lines));
  addr2lineFallback(phys);
  SpinGuard g(g_lock);
  std::vector<Frame> frames;
  for (int i = 0; i < n; ++i) {
    auto it = g_inline_cache->find(pcs[i]);
    if (it != g_inline_cache->end()) {
      frames.insert(frames.end(), it->second.begin(), it->second.end());
    } else {
      auto pit = g_pc_cache->find(pcs[i]);
      frames.push_back(pit != g_pc_cache->end() ? pit->second : phys[size_t(i)]);
    }
  }
  // Entries are never erased or replaced (callers keep references to them);
  // a stack symbolized twice at once keeps the first result.
  return cache->emplace(id, std::move(frames)).first->second;
}

std::string modelReason(uint32_t id) {
  if (id == 0)
    return {};
  {
    SpinGuard g(g_lock);
    ensureMaps();
    if (g_models->empty())
      return {};
    auto it = g_reason_cache->find(id);
    if (it != g_reason_cache->end())
      return it->second;
  }
  const std::vector<Frame> &frames = symbolizeStack(id);
  std::string first, specific;
  {
    SpinGuard g(g_lock);
    for (const Frame &f : frames) {
      std::string name = stripTemplatesAndParams(f.function);
      auto it = g_models->find(name);
      if (it == g_models->end()) {
        // A type in a namespace the table names without it, or vice versa.
        for (size_t pos = name.find("::"); pos != std::string::npos && it == g_models->end();
             pos = name.find("::", pos + 2))
          if (name.find("::", pos + 2) != std::string::npos)
            it = g_models->find(name.substr(pos + 2));
      }
      if (it == g_models->end()) {
        // Inlined callers survive in lambda names: "std::latch::wait() const::{lambda()#1}".
        for (auto e = g_models->begin(); e != g_models->end() && it == g_models->end(); ++e) {
          if (e->first.find("::") == std::string::npos)
            continue;
          size_t p = f.function.find(e->first + "(");
          if (p != std::string::npos && p > 0 && strchr(" <,(", f.function[p - 1]) &&
              f.function.find("::{lambda", p) != std::string::npos)
            it = e;
        }
      }
      if (it == g_models->end())
        continue;
      if (first.empty())
        first = it->second;
      if (!isGenericReason(it->second)) {
        specific = it->second;
        break;
      }
    }
    std::string r = specific.empty() ? first : specific;
    (*g_reason_cache)[id] = r;
    return r;
  }
}

void loadModelTable(const char *text) {
  SpinGuard g(g_lock);
  loadTableLocked(text);
}

bool loadModelFile(const char *path, std::string &why) {
  constexpr size_t kMaxModelFile = 16u << 20;
  // O_NONBLOCK: opening a FIFO with no writer must not wait for one (it is
  // refused below anyway, like any other file that is not regular).
  int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
  if (fd < 0) {
    why = strerror(errno);
    return false;
  }
  struct stat st;
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    why = "not a regular file";
    close(fd);
    return false;
  }
  if (size_t(st.st_size) > kMaxModelFile) {
    why = "larger than 16 MiB";
    close(fd);
    return false;
  }
  std::string text;
  char buf[4096];
  ssize_t n;
  while ((n = real::read(fd, buf, sizeof buf)) != 0) {
    if (n < 0) {
      if (errno == EINTR)
        continue;
      why = strerror(errno);
      close(fd);
      return false;
    }
    if (text.size() + size_t(n) > kMaxModelFile) { // grew while being read
      why = "larger than 16 MiB";
      close(fd);
      return false;
    }
    text.append(buf, size_t(n));
  }
  close(fd);
  loadModelTable(text.c_str());
  return true;
}

size_t modelTableSize() {
  SpinGuard g(g_lock);
  ensureMaps();
  return g_models->size();
}

void loadBuiltinModels() { loadModelTable(tether_builtin_models_tsv); }

} // namespace tether::rt
