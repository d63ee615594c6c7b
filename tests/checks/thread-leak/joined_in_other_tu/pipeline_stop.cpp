#include "pipeline.h"

void Pipeline::stop() {
  stop_ = true;
  if (stage_.joinable())
    stage_.join();
}

Pipeline::~Pipeline() { stop(); }

void StagePool::drain() {
  for (auto &w : workers_)
    if (w.joinable())
      w.join();
}
