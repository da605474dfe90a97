#include "units.h"

uint64_t units_pick(const uint64_t *values, size_t n, uint64_t base)
{
    uint64_t max = 0;
    for (size_t i = 0; i < n; i++)
        if (values[i] != UINT64_MAX && values[i] > max)
            max = values[i];
    uint64_t unit = base ? base : 1;
    /* Stop before the unit itself overflows an Integer32 (vmMemUnit is one). */
    while (max / unit > INT32_MAX && unit <= (uint64_t)INT32_MAX / 1024)
        unit *= 1024;
    return unit;
}

int32_t units_in(uint64_t value, uint64_t unit)
{
    uint64_t v = value / (unit ? unit : 1);
    return v > INT32_MAX ? INT32_MAX : (int32_t)v;
}
