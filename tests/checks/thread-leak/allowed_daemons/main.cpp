#include <string>

void start_metrics();
void start_metrics_lambda();
void start_ping_forever(std::string host);

int main() {
  start_metrics();
  start_metrics_lambda();
  start_ping_forever("db");
  for (;;) {
  }
}
