/* A picture of the hypervisor at one round, in plain C (no libvirt or
 * Net-SNMP types).  The poll thread fills a raw snapshot from libvirt; the
 * model's round (carry.c) finalises it (vmIndex, start times, sub-indexes,
 * carried-over values); once published it is never modified, only freed
 * as a whole. */
#ifndef VMMIB_MODEL_SNAPSHOT_H
#define VMMIB_MODEL_SNAPSHOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "domxml.h"

/* A vCPU of an active VM. */
struct snapshot_vcpu {
    int32_t number;        /* libvirt's vCPU number, from 0 */
    uint64_t time_ns;      /* CPU time used */
    unsigned char *cpumap; /* host CPUs it may run on (the snapshot's cpumap_len
                              bytes, libvirt's layout); NULL = unknown */
};

/* Dynamic facts of a disk; disks[i] goes with def.disks[i]. */
struct snapshot_disk {
    int32_t index;                 /* vmStorageIndex, assigned by the round */
    uint64_t capacity, allocation; /* bytes; UINT64_MAX = unknown */
    uint64_t rd_reqs, wr_reqs, rd_bytes, wr_bytes, rd_time_ns, wr_time_ns;
    char *mount;  /* mount point holding def.file, NULL = none known */
    int mount_id; /* position of mount in the view's mount list, -1 = none */
};

/* Dynamic facts of a NIC; nics[i] goes with def.nics[i]. */
struct snapshot_nic {
    int32_t index;   /* vmNetworkIndex, assigned by the round */
    int32_t ifindex; /* kernel ifindex of the host-side device, 0 = none */
    int32_t parent;  /* ifindex of its bridge or lower device, 0 = none */
};

struct snapshot_row {
    int32_t index; /* vmIndex; 0 until the round assigns it */
    unsigned char uuid[16];
    char *name;
    struct domxml_def def;
    int lv_state, lv_reason; /* as libvirt reported, for the admin plan and logs */
    bool has_managed_save;
    int oper;       /* VirtualMachineOperState */
    int admin;      /* VirtualMachineAdminState as served: a request, else admin_oper */
    int admin_oper; /* VirtualMachineAdminState implied by the operational state */
    int autostart;  /* VirtualMachineAutoStart */
    int persistent; /* VirtualMachinePersistent */
    int32_t cur_cpu, max_cpu;
    uint64_t cur_mem_kib, max_mem_kib;
    uint64_t cpu_time_ns; /* 0 while inactive */
    int64_t started;      /* wall clock (s) when seen starting, 0 when not running */
    bool stale;           /* libvirt did not answer for this domain this round */
    int64_t read_ms;      /* CLOCK_BOOTTIME when its state was read */
    /* The last state libvirt reported (kept through rounds in which it is
     * unknown), and when it was read: what change detection compares. */
    int reported_oper;
    int64_t reported_ms;
    /* vmAdminState a SET asked for, shown until reached, failed or given
     * up (0 = none), and since when (CLOCK_BOOTTIME). */
    int admin_request;
    int64_t admin_request_ms;
    struct snapshot_vcpu *vcpus; /* online vCPUs of an active VM, ascending number */
    size_t n_vcpus;
    struct snapshot_disk *disks; /* def.n_disks entries (NULL when none) */
    struct snapshot_nic *nics;   /* def.n_nics entries (NULL when none) */
};

/* A state libvirt announced by a lifecycle event, in arrival order. */
struct snapshot_event {
    unsigned char uuid[16];
    int oper;
    int64_t received_ms; /* CLOCK_BOOTTIME when the event arrived */
};

struct snapshot {
    bool connected; /* the hypervisor answered this round */
    char *error;    /* why not, when !connected (may be NULL) */
    char *uri;      /* the connection's canonical URI, when known */
    bool hv_known;  /* the hypervisor answered at least once: hv_* are real */
    char *hv_software;
    char *hv_version;
    int64_t hv_init_ms;            /* CLOCK_BOOTTIME (ms) when the hypervisor was initialised */
    int64_t taken_ms;              /* CLOCK_BOOTTIME (ms) when this round finished */
    int64_t round_ms;              /* how long reading libvirt took */
    bool local;                    /* hypervisor on this host: HOST-RESOURCES-MIB pointers apply */
    int host_cpus;                 /* physical CPUs libvirt reports */
    size_t cpumap_len;             /* bytes in a vCPU's cpumap */
    bool reported_valid;           /* some round was connected: reported_oper values are real */
    char *writes_refused;          /* write access is on, but libvirt refused read-write: why */
    struct snapshot_event *events; /* states announced since the previous round */
    size_t n_events;
    struct snapshot_row *rows; /* ascending vmIndex once finalised */
    size_t count;
};

struct snapshot *snapshot_new(void);
void snapshot_free(struct snapshot *s);
void snapshot_row_clear(struct snapshot_row *r);
/* Deep copy of src into dst (overwritten, not freed); cpumap_len: bytes in
 * each vCPU's cpumap.  0, or -1 with dst left empty. */
int snapshot_row_copy(struct snapshot_row *dst, const struct snapshot_row *src, size_t cpumap_len);

/* The row with this vmIndex (binary search over a finalised snapshot). */
const struct snapshot_row *snapshot_find(const struct snapshot *s, int32_t index);

/* Is host CPU `cpu` set in a cpumap of cpumap_len bytes? */
bool snapshot_cpumap_has(const unsigned char *cpumap, size_t cpumap_len, int cpu);

#endif
