// A file-sync service. The transfer functions are declared here and defined
// in transfer.cpp; service.cpp calls them from a worker that has a token.
#pragma once
#include <stop_token>
#include <string>
#include <vector>

struct Blob {
  std::string name;
  std::vector<char> bytes;
};

// Uploads a blob; stops early when st is requested.
bool upload(const Blob &b, std::stop_token st = {});
// Downloads a blob by name.
Blob download(const std::string &name, std::stop_token st);

class SyncService {
public:
  void sync_up(const std::vector<Blob> &blobs, std::stop_token st);
  void sync_down(const std::vector<std::string> &names, std::stop_token st);
};
