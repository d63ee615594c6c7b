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
  TETHER_FORMAT_JSON = 3,   /* JSON, schema in docs/runtime/json-schema.md */
  TETHER_FORMAT_TRACE = 4   /* the flight recorder's events as Chrome trace-event JSON */
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

/* ---- Tasks: fibers, coroutines, pool jobs ---------------------------------
 *
 * A task is a unit of work that runs on some thread between
 * tether_task_resume() and tether_task_suspend() (or tether_task_end()), and
 * is listed in every dump after the threads: its state (running on thread N,
 * suspended at an await point, runnable, done), its wait reason and since
 * when, its creation site and the task that created it.
 *
 * The strings passed as `function`, `file` and `reason` are kept by pointer,
 * not copied (begin and end cost tens of nanoseconds): they must outlive the
 * task, as string literals and __builtin_FUNCTION()/__builtin_FILE() do. The
 * name is copied (up to 31 bytes). The calls on one task must not run
 * concurrently (a task runs on one thread at a time). */
typedef struct tether_task tether_task;

/* Begins a task, runnable (created, not running yet). `parent` NULL: the task
 * running on the calling thread, if any. Labels are inherited from the parent
 * task, else from the calling thread; leak checks attribute the task to the
 * creating thread's leak scope (tether::leak_mark). `function`/`file`/`line`:
 * the creation site. Returns NULL only if the task table is full. */
TETHER_API tether_task *tether_task_begin(const char *name, tether_task *parent,
                                          const char *function, const char *file, int line);
/* The task runs on the calling thread from now on. */
TETHER_API void tether_task_resume(tether_task *task);
/* The task stops running at the await point `function`/`file`/`line`:
 * suspended waiting for `reason` (e.g. "chan receive") on `object`, with a
 * timeout if `timed`; reason NULL: runnable (it yielded, or is queued). */
TETHER_API void tether_task_suspend(tether_task *task, const char *reason, const void *object,
                                    int timed, const char *function, const char *file, int line);
/* Like tether_task_suspend, with the caller's stack as the await point (a
 * scheduler that switches away from the task on the task's own stack, e.g.
 * a Boost.Fiber algorithm). When the model table names a wait for one of
 * its frames (a channel's pop: "chan receive"), that is the reason; else
 * `reason`. skip_frames: innermost frames of the caller's stack to leave out
 * (0: the stack starts at the caller; a scheduler skips its own frames).
 * Costs a stack unwind (microseconds). */
TETHER_API void tether_task_suspend_stack(tether_task *task, const char *reason,
                                          const void *object, int timed, int skip_frames);
/* The task is done; its record is released (the handle is invalid after). */
TETHER_API void tether_task_end(tether_task *task);
/* The task running on the calling thread, or NULL. */
TETHER_API tether_task *tether_task_current(void);
/* Names the task (copied, up to 31 bytes). */
TETHER_API void tether_task_set_name(tether_task *task, const char *name);
/* The task's tether id (task ids are their own sequence, 1 the first task). */
TETHER_API unsigned long long tether_task_id(const tether_task *task);
/* A pprof-style label on the task (tasks it begins inherit it); a NULL or
 * empty value removes the key. */
TETHER_API void tether_task_set_label(tether_task *task, const char *key, const char *value);

#ifdef __cplusplus
}
#endif
#endif
