#include "pipeline.h"

void process(const std::string &input);

void Pipeline::start(const std::string &input) {
  stage_ = std::thread(&Pipeline::run, this, input);
}

void Pipeline::run(std::string input) {
  while (!stop_)
    process(input);
}

void StagePool::add(const std::string &input) {
  workers_.emplace_back([input] { process(input); });
}
