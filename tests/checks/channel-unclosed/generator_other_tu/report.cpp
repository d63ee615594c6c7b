// The consumers live in another TU than the generators: only the link
// phase sees that squares_to() never closes its channel.
#include "numbers.h"

#include <cstdio>

long total(long n) {
  long sum = 0;
  for (long v : *doubled(count_to(n))) // a closed pipeline: fine
    sum += v;
  return sum;
}

long sum_of_squares(long n) {
  auto sq = squares_to(n); // want-note "started by the call to 'squares_to'"
  long sum = 0;
  for (long v : *sq)
    sum += v;
  return sum;
}

int main() {
  std::printf("%ld %ld\n", total(10), sum_of_squares(10));
}
