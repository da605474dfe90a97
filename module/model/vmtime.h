/* Clocks: CLOCK_BOOTTIME for intervals (it keeps counting through suspend
 * and never jumps), the wall clock for what is persisted, and deadlines for
 * pthread timed waits (which take CLOCK_REALTIME). */
#ifndef VMMIB_MODEL_VMTIME_H
#define VMMIB_MODEL_VMTIME_H

#include <stdint.h>
#include <time.h>

int64_t vmtime_boot_ms(void);
/* The same clock in microseconds, for timing the main thread's work. */
int64_t vmtime_boot_us(void);
/* CPU time of the calling thread, in microseconds: its own work, without
 * the time other processes had the CPU. */
int64_t vmtime_thread_cpu_us(void);
int64_t vmtime_wall_s(void);
/* CLOCK_REALTIME, ms from now. */
struct timespec vmtime_deadline(int64_t ms);

#endif
