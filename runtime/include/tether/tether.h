/* tether runtime shim — C API.
 *
 * Link libtether_rt into a debug build or LD_PRELOAD it; everything below is
 * optional. Use these calls only for what interception cannot see: a wait the
 * shim does not intercept, a name, or pprof-style labels. */
#ifndef TETHER_TETHER_H
#define TETHER_TETHER_H

#define TETHER_API __attribute__((visibility("default")))

#ifdef __cplusplus
extern "C" {
#endif

/* Dump formats, numbered like Go's goroutine profile `debug=` levels. */
enum tether_format {
  TETHER_FORMAT_PPROF = 0,  /* debug=0: gzip-compressed pprof protobuf */
  TETHER_FORMAT_DEBUG1 = 1, /* debug=1: grouped by identical stack */
  TETHER_FORMAT_DEBUG2 = 2, /* debug=2: one block per thread */
  TETHER_FORMAT_JSON = 3    /* JSON, schema in docs/runtime/json-schema.md */
};

/* Writes a dump of every tracked thread to fd. Returns 0, or -1 on error. */
TETHER_API int tether_dump(int fd, int format);

/* Marks the calling thread blocked for `reason` (e.g. "chan receive") on
 * `object` until the matching tether_block_end(). Calls nest; the outermost
 * reason wins, so an annotated queue's cond wait still reads "chan receive". */
TETHER_API void tether_block_begin(const char *reason, const void *object);
TETHER_API void tether_block_end(void);

/* Names the calling thread in dumps (longer than pthread's 15 characters). */
TETHER_API void tether_set_thread_name(const char *name);

/* pprof-style labels on the calling thread; threads it spawns inherit them.
 * A NULL or empty value removes the key. */
TETHER_API void tether_set_label(const char *key, const char *value);
TETHER_API void tether_clear_labels(void);

/* The calling thread's tether id (1 is the main thread), or 0. */
TETHER_API unsigned long long tether_thread_id(void);

#ifdef __cplusplus
}
#endif
#endif
