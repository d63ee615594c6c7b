// Declarations the sample's files share: the I/O they call lives elsewhere.
#pragma once

#include "acme_cancel.h"

#include <cstddef>
#include <stop_token>
#include <string>
#include <vector>

struct Record {
  std::string key;
  std::string payload;
};

struct Batch {
  std::vector<Record> records;
  std::size_t attempt = 0;
};

bool upload(const Batch &b, std::stop_token st);
bool upload_with(const Batch &b, acme::CancelToken tok);
bool store(const Record &r, std::stop_token st = {});
Record parse(const std::string &line);
bool healthy();
void log_line(const std::string &text);
