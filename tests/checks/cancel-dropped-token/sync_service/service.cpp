#include "sync.h"

// The upload gets the header's default token, not the worker's.
void SyncService::sync_up(const std::vector<Blob> &blobs, std::stop_token st) { // want-note "the token this function received"
  for (const Blob &b : blobs) {
    if (st.stop_requested())
      return;
    upload(b); // want cancel-dropped-token "'upload' is called without a stop token: its default argument is a default-constructed stop token, not 'st'"
  }
}
