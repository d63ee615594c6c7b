#pragma once
#include <boost/fiber/buffered_channel.hpp>
#include <memory>

using Numbers = boost::fibers::buffered_channel<long>;

// Generators: each starts a producer thread and returns its channel.
std::shared_ptr<Numbers> count_to(long n);
std::shared_ptr<Numbers> squares_to(long n);
// A pipeline stage: reads `in` until it is closed, writes to the result.
std::shared_ptr<Numbers> doubled(std::shared_ptr<Numbers> in);
