/* Per-row units (vmMemUnit, vmStorageSizeUnit): RFC 7666 sizes are
 * Integer32 counts of a unit the row chooses, so that any size fits. */
#ifndef VMMIB_MODEL_UNITS_H
#define VMMIB_MODEL_UNITS_H

#include <stddef.h>
#include <stdint.h>

/* The smallest unit, base * 1024^k, in which every value (in bytes) fits
 * an Integer32.  Values equal to UINT64_MAX are "unknown" and ignored. */
uint64_t units_pick(const uint64_t *values, size_t n, uint64_t base);

/* value (bytes) in unit, rounded down, as an Integer32. */
int32_t units_in(uint64_t value, uint64_t unit);

#endif
