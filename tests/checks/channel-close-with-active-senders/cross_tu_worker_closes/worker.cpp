#include "crawl.h"

void crawl_site(Links &out, std::string site) {
  for (int i = 0; i < 3; ++i)
    out << site + "/page" + std::to_string(i);  // want-note "concurrent send"
  out.close();  // want channel-close-with-active-senders "each of several concurrent senders"
}
