#include "watchdog.h"

void Pipeline::stop() {
  stop_ = true;
  if (stage_.joinable())
    stage_.join();
}

Pipeline::~Pipeline() { stop(); }
