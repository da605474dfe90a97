/* The immutable picture of the hypervisor that every table handler reads.
 *
 * The poller thread builds a snapshot with plain C data (no libvirt types);
 * the main thread finalises it (vmIndex, start times, carried-over values)
 * and publishes it.  Once published it is never modified, only replaced and
 * freed as a whole on the main thread. */
#ifndef VMMIB_SNAPSHOT_H
#define VMMIB_SNAPSHOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vmstate.h"

/* Static facts from the domain definition (XML), cached by the poller. */
struct vm_def {
    char *os_type; /* libosinfo id when the definition has one, else libvirt's OS type */
};

struct vm_row {
    int32_t index; /* vmIndex; 0 until the main thread assigns it */
    unsigned char uuid[16];
    char *name;
    struct vm_def def;
    int lv_state, lv_reason; /* as libvirt reported, for logs and tests */
    bool has_managed_save;
    int oper;       /* VirtualMachineOperState */
    int admin;      /* VirtualMachineAdminState */
    int autostart;  /* VirtualMachineAutoStart */
    int persistent; /* VirtualMachinePersistent */
    int32_t cur_cpu, max_cpu;
    uint64_t cur_mem_kib, max_mem_kib;
    uint64_t cpu_time_ns; /* 0 while inactive */
    int64_t started;      /* wall clock (s) when seen starting, 0 when not running */
    bool stale;           /* libvirt did not answer for this domain this round */
};

struct vm_snapshot {
    bool connected; /* the hypervisor answered this round */
    char *error;    /* why not, when !connected (may be NULL) */
    char *uri;      /* the connection's canonical URI, when known */
    bool hv_known;  /* the hypervisor answered at least once: hv_* are real */
    char *hv_software;
    char *hv_version;
    int64_t hv_init_ms;  /* CLOCK_BOOTTIME (ms) when the hypervisor was initialised */
    int64_t taken_ms;    /* CLOCK_BOOTTIME (ms) when this round finished */
    struct vm_row *rows; /* sorted by index once published */
    size_t count;
};

struct vm_snapshot *vm_snapshot_new(void);
void vm_snapshot_free(struct vm_snapshot *s);
void vm_row_clear(struct vm_row *r);
/* Deep copy of src's contents into dst (dst is overwritten, not freed). */
int vm_row_copy(struct vm_row *dst, const struct vm_row *src);
int vm_def_copy(struct vm_def *dst, const struct vm_def *src);
void vm_def_clear(struct vm_def *d);

/* The row with this vmIndex, by binary search; NULL if none. */
const struct vm_row *vm_snapshot_find_index(const struct vm_snapshot *s, int32_t index);

int64_t vm_now_boot_ms(void);
int64_t vm_now_wall_s(void);

#endif
