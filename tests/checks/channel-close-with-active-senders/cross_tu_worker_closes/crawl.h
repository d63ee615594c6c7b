// A crawler: the per-site worker function is defined in worker.cpp, the
// owner that starts one per site in owner.cpp.
#pragma once
#include <msd/channel.hpp>
#include <string>
#include <vector>

using Links = msd::channel<std::string>;

// Sends the site's links and then closes `out` (worker.cpp).
void crawl_site(Links &out, std::string site);
std::vector<std::string> crawl_all(const std::vector<std::string> &sites);
