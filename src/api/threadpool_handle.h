// The opaque small_threadpool of the C API: one small::ThreadPool.
#ifndef SMALL_API_THREADPOOL_HANDLE_H
#define SMALL_API_THREADPOOL_HANDLE_H

#include "small/small.h"
#include "threads/thread_pool.h"

struct small_threadpool {
  small::ThreadPool pool;
};

#endif
