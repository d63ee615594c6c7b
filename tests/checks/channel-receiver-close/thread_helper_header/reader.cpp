// The consumer runs in a thread and closes through a helper of another
// file: the finding is on that close (the line to fix), with the thread's
// call of the helper and its start as notes.
#include "drain.h"

#include <thread>

std::vector<std::string> split_lines(const std::string &text);

std::vector<std::string> first_paragraph(const std::string &text) {
  Lines lines{32};
  std::vector<std::string> para;
  std::thread consumer([&lines, &para] { // want-note "receiving thread that closes is started here"
    para = collect_until_blank(lines); // want-note "in the call to 'collect_until_blank' here"
  });
  for (const std::string &l : split_lines(text))
    lines.push(l); // want-note "the producer sends"
  lines.close(); // want channel-double-close "may be closed twice"
  consumer.join();
  return para;
}

// The helper that never closes: the producer closes after its last push.
std::vector<std::string> first_lines(const std::string &text, int n) {
  Lines lines{32};
  std::vector<std::string> got;
  std::thread consumer([&lines, &got, n] { got = collect_n(lines, n); });
  for (const std::string &l : split_lines(text))
    lines.push(l);
  lines.close();
  consumer.join();
  return got;
}
