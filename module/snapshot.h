/* The immutable picture of the hypervisor that every table handler reads.
 *
 * The poller thread builds a snapshot with plain C data (no libvirt types);
 * the main thread finalises it (vmIndex, start times, sub-indexes, pointers
 * into HOST-RESOURCES-MIB, carried-over values) and publishes it.  Once
 * published it is never modified, only replaced and freed as a whole on the
 * main thread. */
#ifndef VMMIB_SNAPSHOT_H
#define VMMIB_SNAPSHOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "vmstate.h"

/* VirtualMachineStorageSourceType, VirtualMachineStorageAccess and
 * IANAStorageMediaType (RFC 7666; IANA module with erratum 4710). */
enum vm_source_type {
    VM_SRC_UNKNOWN = 1,
    VM_SRC_OTHER = 2,
    VM_SRC_BLOCK = 3,
    VM_SRC_RAW = 4,
    VM_SRC_SPARSE = 5,
    VM_SRC_NETWORK = 6,
};
enum vm_access { VM_ACCESS_UNKNOWN = 1, VM_ACCESS_READWRITE = 2, VM_ACCESS_READONLY = 3 };
enum vm_media {
    VM_MEDIA_OTHER = 1,
    VM_MEDIA_UNKNOWN = 2,
    VM_MEDIA_HARDDISK = 3,
    VM_MEDIA_OPTICAL = 4,
    VM_MEDIA_FLOPPY = 5,
};

/* A <disk> of the definition. */
struct vm_disk_def {
    char *target;    /* target dev (vda): libvirt's name for the disk in stats calls */
    int source_type; /* enum vm_source_type */
    char *format;    /* vmStorageSourceTypeString: image format, protocol or disk type */
    char *resource;  /* vmStorageResourceID: path, device, or protocol://host/name */
    char *file;      /* the host file holding the image (file disks), else NULL */
    int access;      /* enum vm_access */
    int media;       /* enum vm_media */
    char *bus;       /* vmStorageMediaTypeString: the emulated bus (virtio, sata, ide...) */
};

/* An <interface> of the definition. */
struct vm_nic_def {
    unsigned char mac[6];
    bool has_mac;
    char *model;  /* virtio, e1000 ... ("" when the definition names none) */
    char *target; /* host-side device (vnet0), only in a running VM's live XML */
    char *type;   /* bridge, network, direct, user ... */
    char *source; /* bridge name, network name, or lower device for direct */
};

/* Static facts from the domain definition (XML), cached by the poller. */
struct vm_def {
    char *os_type; /* libosinfo id when the definition has one, else libvirt's OS type */
    struct vm_disk_def *disks;
    size_t n_disks;
    struct vm_nic_def *nics;
    size_t n_nics;
};

/* A vCPU of an active VM. */
struct vm_vcpu {
    int32_t number;   /* libvirt's vCPU number, from 0 */
    uint64_t time_ns; /* CPU time used */
    unsigned char
        *cpumap; /* host CPUs it may run on (snapshot's cpumap_len bytes); NULL = unknown */
};

/* Dynamic facts of a disk; disks[i] goes with def.disks[i]. */
struct vm_disk {
    int32_t index;                 /* vmStorageIndex, assigned on the main thread */
    uint64_t capacity, allocation; /* bytes; UINT64_MAX = unknown */
    uint64_t rd_reqs, wr_reqs, rd_bytes, wr_bytes, rd_time_ns, wr_time_ns;
    char *mount;    /* mount point holding def.file, NULL = none known */
    int32_t parent; /* vmStorageParent (hrStorageIndex), resolved on the main thread */
};

/* Dynamic facts of a NIC; nics[i] goes with def.nics[i]. */
struct vm_nic {
    int32_t index;   /* vmNetworkIndex, assigned on the main thread */
    int32_t ifindex; /* kernel ifindex of the host-side device, 0 = none */
    int32_t parent;  /* ifindex of its bridge or lower device, 0 = none */
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
    uint64_t cpu_time_ns;  /* 0 while inactive */
    int64_t started;       /* wall clock (s) when seen starting, 0 when not running */
    bool stale;            /* libvirt did not answer for this domain this round */
    int64_t read_ms;       /* CLOCK_BOOTTIME when its state was read */
    struct vm_vcpu *vcpus; /* online vCPUs of an active VM, ascending number */
    size_t n_vcpus;
    struct vm_disk *disks; /* def.n_disks entries (NULL when none) */
    struct vm_nic *nics;   /* def.n_nics entries (NULL when none) */
};

/* A state libvirt announced by a lifecycle event, in arrival order. */
struct vm_event {
    unsigned char uuid[16];
    int oper;
    int64_t received_ms; /* CLOCK_BOOTTIME when the event arrived */
};

struct vm_snapshot {
    bool connected; /* the hypervisor answered this round */
    char *error;    /* why not, when !connected (may be NULL) */
    char *uri;      /* the connection's canonical URI, when known */
    bool hv_known;  /* the hypervisor answered at least once: hv_* are real */
    char *hv_software;
    char *hv_version;
    int64_t hv_init_ms;      /* CLOCK_BOOTTIME (ms) when the hypervisor was initialised */
    int64_t taken_ms;        /* CLOCK_BOOTTIME (ms) when this round finished */
    bool local;              /* hypervisor on this host: HOST-RESOURCES-MIB pointers apply */
    int host_cpus;           /* physical CPUs libvirt reports */
    size_t cpumap_len;       /* bytes in a vCPU's cpumap */
    struct vm_event *events; /* states announced since the previous round */
    size_t n_events;
    struct vm_row *rows; /* sorted by index once published */
    size_t count;
};

struct vm_snapshot *vm_snapshot_new(void);
void vm_snapshot_free(struct vm_snapshot *s);
void vm_row_clear(struct vm_row *r);
/* Deep copy of src's contents into dst (dst is overwritten, not freed).
 * cpumap_len: bytes in each vCPU's cpumap (the snapshot's). */
int vm_row_copy(struct vm_row *dst, const struct vm_row *src, size_t cpumap_len);
int vm_def_copy(struct vm_def *dst, const struct vm_def *src);
void vm_def_clear(struct vm_def *d);

/* The row with this vmIndex, by binary search; NULL if none. */
const struct vm_row *vm_snapshot_find_index(const struct vm_snapshot *s, int32_t index);

/* Is host CPU `cpu` set in a cpumap of cpumap_len bytes (libvirt's layout)? */
bool vm_cpumap_has(const unsigned char *cpumap, size_t cpumap_len, int cpu);

int64_t vm_now_boot_ms(void);
/* CLOCK_REALTIME deadline ms from now, for pthread timed waits. */
struct timespec vm_deadline_ms(int64_t ms);
int64_t vm_now_wall_s(void);

#endif
