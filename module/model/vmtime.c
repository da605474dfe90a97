#include "vmtime.h"

int64_t vmtime_boot_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_BOOTTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t vmtime_boot_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_BOOTTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

int64_t vmtime_thread_cpu_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

int64_t vmtime_wall_s(void)
{
    return (int64_t)time(NULL);
}

struct timespec vmtime_deadline(int64_t ms)
{
    struct timespec t;
    clock_gettime(CLOCK_REALTIME, &t);
    t.tv_sec += (time_t)(ms / 1000);
    t.tv_nsec += (long)(ms % 1000) * 1000000L;
    if (t.tv_nsec >= 1000000000L) {
        t.tv_sec++;
        t.tv_nsec -= 1000000000L;
    }
    return t;
}

uint32_t vmtime_ticks(int64_t centiseconds)
{
    if (centiseconds <= 0)
        return 0;
    return (uint32_t)((uint64_t)centiseconds & UINT32_MAX);
}

uint32_t vmtime_uptime_ticks(int64_t started_s, int64_t now_s)
{
    if (started_s <= 0 || now_s <= started_s)
        return 0;
    return vmtime_ticks((now_s - started_s) * 100);
}
