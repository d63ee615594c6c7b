#pragma once
#include <boost/fiber/buffered_channel.hpp>

using Feed = boost::fibers::buffered_channel<int>;

// Reads until a negative value, then closes the feed "to stop the
// producer" (the bug: the producer's pushes then fail silently).
int read_until_negative(Feed &feed);
// Reads n values; never closes.
int read_n(Feed &feed, int n);
