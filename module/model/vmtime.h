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

/* TimeTicks (RFC 2578): hundredths of a second, modulo 2^32 (they wrap
 * after about 497 days, like sysUpTime); 0 for a negative interval. */
uint32_t vmtime_ticks(int64_t centiseconds);

/* vmUpTime of a VM started at started_s (wall clock, s; 0 = not running)
 * when the wall clock reads now_s. */
uint32_t vmtime_uptime_ticks(int64_t started_s, int64_t now_s);

#endif
