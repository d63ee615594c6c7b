// A price feed: the producer function is defined in producer.cpp, the owner
// that starts it and closes the channel too early in owner.cpp.
#pragma once
#include <boost/thread/concurrent_queues/sync_queue.hpp>
#include <string>

using Quotes = boost::concurrent::sync_queue<std::string>;

void produce_quotes(Quotes &out, int n);
int run_feed(int n);
