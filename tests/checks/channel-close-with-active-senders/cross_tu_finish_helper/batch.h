// Batch workers: each one sends its results and then calls finish_batch()
// (defined in finish.cpp), which sends an end marker and closes the shared
// channel: the first worker to finish closes it under the others.
#pragma once
#include <boost/fiber/buffered_channel.hpp>
#include <vector>

using Results = boost::fibers::buffered_channel<int>;

void finish_batch(Results &out, int worker);
void run_batches(Results &out, const std::vector<std::vector<int>> &batches);
