// A download pipe whose shutdown helper lives in another translation unit.
#pragma once
#include <msd/channel.hpp>
#include <string>
#include <vector>

struct DownloadPipe {
  msd::channel<std::string> chunks{32};
  bool failed = false;
};

// Closes the pipe's channel (defined in shutdown.cpp).
void shutdown_pipe(DownloadPipe &p);
void download(DownloadPipe &p, const std::vector<std::string> &urls);
