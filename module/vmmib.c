/* vmmib: VM-MIB (RFC 7666) for snmpd, from libvirt.
 *
 * Entry points for dlmod (init_vmmib, deinit_vmmib) and the main-thread
 * glue: the poll alarm, the wake-up from the poller thread, finalising and
 * publishing snapshots (vmIndex, start times, carried-over values, change
 * detection) and connection-state logging.  Everything here runs on snmpd's
 * main thread. */
#include "vmmib.h"

#include <net-snmp/agent/agent_sysORTable.h>

#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "control.h"
#include "hostres.h"
#include "notify.h"
#include "indexstore.h"
#include "poller.h"
#include "vmstate.h"

/* Forget VMs not seen for this long; their indexes are never reused anyway
 * until the counter wraps. */
#define INDEX_RETENTION_S (90 * 24 * 3600)
/* Rewrite the index file at least this often so last-seen stays current. */
#define INDEX_SAVE_EVERY_S 3600
/* A poll that takes longer than this means the hypervisor is not answering. */
#define STALL_MIN_S 30
/* How long deinit waits for the libvirt thread. */
#define STOP_TIMEOUT_MS 3000

static const oid vmmib_module_oid[] = {VMMIB_OID};

static struct {
    struct vm_snapshot *current;
    struct vm_poller *poller;
    unsigned start_alarm;
    unsigned poll_alarm;
    int readfd;
    struct vm_index_store store;
    char *index_path;
    int64_t last_change_ms;
    /* connection state as last logged */
    enum { LINK_NEVER, LINK_UP, LINK_DOWN } link;
    bool stall_reported;
} g;

const struct vm_snapshot *vmmib_snapshot(void)
{
    return g.current;
}

uint32_t vmmib_hv_uptime_cs(void)
{
    if (!g.current || !g.current->hv_known)
        return 0;
    int64_t d = vm_now_boot_ms() - g.current->hv_init_ms;
    return d <= 0 ? 0 : (uint32_t)((uint64_t)d / 10);
}

uint32_t vmmib_last_change_cs(void)
{
    if (!g.current || g.last_change_ms <= g.current->hv_init_ms)
        return 0;
    return (uint32_t)((uint64_t)(g.last_change_ms - g.current->hv_init_ms) / 10);
}

static const char *uri_name(void)
{
    return vmmib_cfg.uri ? vmmib_cfg.uri : "the default libvirt URI";
}

static int by_index(const void *a, const void *b)
{
    const struct vm_row *x = a, *y = b;
    return (x->index > y->index) - (x->index < y->index);
}

static bool same_rows(const struct vm_snapshot *a, const struct vm_snapshot *b)
{
    if (a->count != b->count)
        return false;
    for (size_t i = 0; i < a->count; i++)
        if (a->rows[i].index != b->rows[i].index)
            return false;
    return true;
}

static void publish(struct vm_snapshot *s)
{
    struct vm_snapshot *old = g.current;
    if (old && !same_rows(old, s))
        g.last_change_ms = vm_now_boot_ms();
    vmmib_notify_diff(old, s);
    vm_hr_refresh();
    vmmib_vmtable_load(s);
    vmmib_cputables_load(s);
    vmmib_storagetable_load(s);
    vmmib_nettable_load(s);
    g.current = s;
    vm_snapshot_free(old);
}

/* The previous rows, kept, with oper unknown: the hypervisor is not
 * answering, which says nothing about whether the VMs exist. */
static struct vm_snapshot *unknown_copy(const struct vm_snapshot *prev, const char *error)
{
    struct vm_snapshot *s = vm_snapshot_new();
    if (!s)
        return NULL;
    s->rows = calloc(prev->count + 1, sizeof(*s->rows));
    if (!s->rows) {
        free(s);
        return NULL;
    }
    for (size_t i = 0; i < prev->count; i++) {
        if (vm_row_copy(&s->rows[s->count], &prev->rows[i], prev->cpumap_len) != 0)
            continue;
        s->rows[s->count].oper = VM_OPER_UNKNOWN;
        s->count++;
    }
    s->connected = false;
    s->error = error ? strdup(error) : NULL;
    s->uri = prev->uri ? strdup(prev->uri) : NULL;
    s->hv_software = strdup(prev->hv_software ? prev->hv_software : "");
    s->hv_version = strdup(prev->hv_version ? prev->hv_version : "");
    s->hv_known = prev->hv_known;
    s->local = prev->local;
    s->host_cpus = prev->host_cpus;
    s->cpumap_len = prev->cpumap_len;
    s->hv_init_ms = prev->hv_init_ms;
    s->taken_ms = vm_now_boot_ms();
    return s;
}

static void save_index(bool force)
{
    int64_t now = vm_now_wall_s();
    if (!g.index_path || (!g.store.dirty && !force))
        return;
    if (!g.store.dirty && now - g.store.saved_at < INDEX_SAVE_EVERY_S)
        return;
    char err[512];
    if (vm_index_save(&g.store, g.index_path, now, err, sizeof(err)) != 0) {
        /* Logged each time it fails: a lost index file loses stability. */
        snmp_log(LOG_ERR, "vmmib: %s\n", err);
    }
}

/* The MAC of a NIC as a key ("" when the definition has none). */
static void mac_key(const struct vm_nic_def *d, char out[18])
{
    out[0] = '\0';
    if (d->has_mac)
        snprintf(out, 18, "%02x:%02x:%02x:%02x:%02x:%02x", d->mac[0], d->mac[1], d->mac[2],
                 d->mac[3], d->mac[4], d->mac[5]);
}

/* vmStorageIndex by disk target and vmNetworkIndex by MAC, kept from the
 * previous round so that hot-plugging one device does not renumber others. */
static void assign_device_indexes(struct vm_row *row, const struct vm_row *old)
{
    size_t nd = row->disks ? row->def.n_disks : 0, nn = row->nics ? row->def.n_nics : 0;
    size_t od = old && old->disks ? old->def.n_disks : 0;
    size_t on = old && old->nics ? old->def.n_nics : 0;
    size_t most = nd + nn + od + on + 1;
    const char **keys = calloc(most, sizeof(*keys));
    const char **okeys = calloc(most, sizeof(*okeys));
    int32_t *oidx = calloc(most, sizeof(*oidx));
    int32_t *out = calloc(most, sizeof(*out));
    char(*macs)[18] = calloc(nn + on + 1, sizeof(*macs));
    if (!keys || !okeys || !oidx || !out || !macs) {
        /* Out of memory: positions, which are at least unique. */
        for (size_t i = 0; i < nd; i++)
            row->disks[i].index = (int32_t)i + 1;
        for (size_t i = 0; i < nn; i++)
            row->nics[i].index = (int32_t)i + 1;
        goto out;
    }

    for (size_t i = 0; i < nd; i++)
        keys[i] = row->def.disks[i].target;
    for (size_t i = 0; i < od; i++) {
        okeys[i] = old->def.disks[i].target;
        oidx[i] = old->disks[i].index;
    }
    vm_assign_subindexes(okeys, oidx, od, keys, nd, out);
    for (size_t i = 0; i < nd; i++)
        row->disks[i].index = out[i];

    for (size_t i = 0; i < nn; i++) {
        mac_key(&row->def.nics[i], macs[i]);
        keys[i] = macs[i][0] ? macs[i] : NULL;
    }
    for (size_t i = 0; i < on; i++) {
        mac_key(&old->def.nics[i], macs[nn + i]);
        okeys[i] = macs[nn + i][0] ? macs[nn + i] : NULL;
        oidx[i] = old->nics[i].index;
    }
    vm_assign_subindexes(okeys, oidx, on, keys, nn, out);
    for (size_t i = 0; i < nn; i++)
        row->nics[i].index = out[i];
out:
    free(keys);
    free(okeys);
    free(oidx);
    free(out);
    free(macs);
}

/* vmStorageParent of every disk: the hrStorageIndex of the filesystem its
 * image lives on, looked up once per mount point per round. */
static void resolve_storage_parents(struct vm_snapshot *s)
{
    struct {
        const char *mount;
        int32_t index;
    } seen[32];
    size_t n_seen = 0;
    for (size_t i = 0; i < s->count; i++) {
        struct vm_row *row = &s->rows[i];
        for (size_t j = 0; row->disks && j < row->def.n_disks; j++) {
            struct vm_disk *d = &row->disks[j];
            if (!s->local || !d->mount) {
                d->parent = 0;
                continue;
            }
            size_t k = 0;
            while (k < n_seen && strcmp(seen[k].mount, d->mount) != 0)
                k++;
            if (k == n_seen) {
                int32_t idx = vm_hr_storage_index(d->mount);
                if (n_seen < sizeof(seen) / sizeof(seen[0])) {
                    seen[n_seen].mount = d->mount;
                    seen[n_seen].index = idx;
                    n_seen++;
                }
                d->parent = idx;
            } else {
                d->parent = seen[k].index;
            }
        }
    }
}

/* Main-thread half of a poll round: indexes, start times, carry-overs. */
static struct vm_snapshot *finalise(struct vm_snapshot *s)
{
    const struct vm_snapshot *prev = g.current;
    int64_t now = vm_now_wall_s();
    size_t w = 0;
    for (size_t i = 0; i < s->count; i++) {
        struct vm_row *row = &s->rows[i];
        struct vm_index_entry *e = vm_index_get(&g.store, row->uuid, now);
        if (!e) {
            char u[37];
            vm_uuid_format(row->uuid, u);
            snmp_log(LOG_ERR, "vmmib: no vmIndex left for VM %s; it is not shown\n", u);
            vm_row_clear(row);
            continue;
        }
        const struct vm_row *old = vm_snapshot_find_index(prev, e->index);
        if (row->stale) {
            /* libvirt failed for this VM alone: keep what we knew. */
            struct vm_row keep;
            if (old && vm_row_copy(&keep, old, prev->cpumap_len) == 0) {
                vm_row_clear(row);
                *row = keep;
            }
            if (prev && prev->cpumap_len != s->cpumap_len) {
                /* The host's CPU count changed: old pinning no longer lines up. */
                for (size_t k = 0; k < row->n_vcpus; k++) {
                    free(row->vcpus[k].cpumap);
                    row->vcpus[k].cpumap = NULL;
                }
            }
            row->stale = true;
            row->oper = VM_OPER_UNKNOWN;
            row->admin = old ? old->admin : VM_ADMIN_SHUTDOWN;
            if (!row->name)
                row->name = strdup("");
            if (!row->def.os_type)
                row->def.os_type = strdup("");
        } else {
            /* A VM that starts gets a fresh start time; one that stopped loses it. */
            bool active = vm_oper_is_active(row->oper);
            if (active && e->started == 0) {
                e->started = now;
                g.store.dirty = true;
            } else if (!active && e->started != 0) {
                e->started = 0;
                g.store.dirty = true;
            }
        }
        row->index = e->index;
        row->started = e->started;
        if (!row->stale)
            assign_device_indexes(row, old);
        if (w != i)
            s->rows[w] = *row;
        w++;
    }
    s->count = w;
    qsort(s->rows, s->count, sizeof(*s->rows), by_index);
    resolve_storage_parents(s);
    vm_index_expire(&g.store, now, INDEX_RETENTION_S);
    save_index(false);
    return s;
}

static void link_up(const struct vm_snapshot *s)
{
    if (g.link != LINK_UP)
        snmp_log(LOG_NOTICE, "vmmib: %s hypervisor %s (%s %s)\n",
                 g.link == LINK_DOWN ? "reconnected to" : "connected to",
                 s->uri ? s->uri : uri_name(), s->hv_software ? s->hv_software : "",
                 s->hv_version ? s->hv_version : "");
    g.link = LINK_UP;
    g.stall_reported = false;
}

static void link_down(const char *why)
{
    if (g.link != LINK_DOWN)
        snmp_log(LOG_WARNING,
                 "vmmib: lost %s: %s; serving the last known VMs with vmOperState "
                 "unknown and retrying\n",
                 uri_name(), why ? why : "no answer");
    g.link = LINK_DOWN;
}

static void on_snapshot(int fd, void *arg)
{
    (void)fd;
    (void)arg;
    struct vm_snapshot *s = vm_poller_take(g.poller);
    if (!s)
        return;
    if (s->connected) {
        link_up(s);
        publish(finalise(s));
        vmmib_control_observe(g.current);
        return;
    }
    link_down(s->error);
    struct vm_snapshot *u = unknown_copy(g.current, s->error);
    if (u) {
        /* Hypervisor facts survive from the last time it answered. */
        if ((!u->hv_software || !*u->hv_software) && s->hv_software) {
            free(u->hv_software);
            u->hv_software = strdup(s->hv_software);
        }
        publish(u);
    }
    vm_snapshot_free(s);
}

static void on_tick(unsigned reg, void *arg)
{
    (void)reg;
    (void)arg;
    if (!g.poller)
        return;
    if (vm_poller_request(g.poller))
        return;
    /* Still busy with the previous round: is libvirt hanging? */
    int64_t since = vm_poller_busy_since(g.poller);
    int64_t limit =
        (int64_t)(vmmib_cfg.poll_interval * 3 > STALL_MIN_S ? vmmib_cfg.poll_interval * 3
                                                            : STALL_MIN_S) *
        1000;
    if (since && vm_now_boot_ms() - since > limit && !g.stall_reported) {
        g.stall_reported = true;
        link_down("libvirt has not answered for over 30 seconds");
        struct vm_snapshot *u = unknown_copy(g.current, "not answering");
        if (u)
            publish(u);
    }
}

static void start(unsigned reg, void *arg)
{
    (void)reg;
    (void)arg;
    g.start_alarm = 0;

    if (vmmib_cfg.index_file) {
        g.index_path = strdup(vmmib_cfg.index_file);
    } else {
        const char *dir = get_persistent_directory();
        size_t n = strlen(dir) + sizeof("/vmmib-index.conf");
        g.index_path = malloc(n);
        if (g.index_path)
            snprintf(g.index_path, n, "%s/vmmib-index.conf", dir);
    }
    /* The switches start from snmpd.conf at every load; SETs never persist. */
    if (vmmib_notify_register(vmmib_cfg.per_vm_notifications, vmmib_cfg.bulk_notifications) != 0)
        snmp_log(LOG_ERR, "vmmib: cannot register the notification switches\n");

    char err[512];
    if (g.index_path && vm_index_load(&g.store, g.index_path, err, sizeof(err)) != 0)
        snmp_log(LOG_WARNING, "vmmib: %s\n", err);

    g.poller = vm_poller_start(vmmib_cfg.uri, vmmib_cfg.write_access, err, sizeof(err));
    if (!g.poller) {
        snmp_log(LOG_ERR, "vmmib: %s; VM-MIB will stay empty\n", err);
        return;
    }
    if (vmmib_cfg.write_access && vmmib_control_start(g.poller) != 0)
        snmp_log(LOG_ERR, "vmmib: cannot start the control thread; SETs will fail\n");
    if (vmmib_cfg.write_access)
        snmp_log(LOG_NOTICE, "vmmib: write access is on (vmMibWriteAccess yes): vmAdminState, "
                             "vmCurCpuNumber, vmCurMem and vmCpuAffinity accept SETs\n");
    g.readfd = vm_poller_fd(g.poller);
    register_readfd(g.readfd, on_snapshot, NULL);
    g.poll_alarm = snmp_alarm_register((unsigned)vmmib_cfg.poll_interval, SA_REPEAT, on_tick, NULL);
    vm_poller_request(g.poller);
}

__attribute__((visibility("default"))) void init_vmmib(void);
__attribute__((visibility("default"))) void deinit_vmmib(void);

/* How many dlmod lines loaded this very file, and whether this copy serves
 * (only the first load does).  Outside `g`, which init and deinit clear. */
static int loads;
static bool serving;

/* Is VM-MIB already served in this agent, by another copy of this module
 * (a second dlmod line naming another path) or anything else? */
static bool vmmib_served_elsewhere(void)
{
    static const oid probe[] = {VMMIB_OID, 1, 2, 0}; /* vmNumber.0 */
    netsnmp_subtree *t = netsnmp_subtree_find(probe, OID_LENGTH(probe), NULL, "");
    return t && t->namelen >= VMMIB_OID_LEN &&
           snmp_oidtree_compare(t->name_a, VMMIB_OID_LEN, probe, VMMIB_OID_LEN) == 0;
}

void init_vmmib(void)
{
    /* snmpd calls init once per dlmod line, on the same object when the
     * path repeats: a second start would reset the configuration read so
     * far, register everything twice and start a second poller. */
    loads++;
    if (serving || vmmib_served_elsewhere()) {
        snmp_log(LOG_WARNING, "vmmib: already loaded (a second 'dlmod vmmib' line); "
                              "this one is ignored, the first keeps serving VM-MIB\n");
        return;
    }
    serving = true;
    memset(&g, 0, sizeof(g));
    g.readfd = -1;
    vm_index_init(&g.store);
    g.current = vm_snapshot_new();
    if (!g.current) {
        snmp_log(LOG_ERR, "vmmib: out of memory\n");
        return;
    }
    g.current->hv_software = strdup("");
    g.current->hv_version = strdup("");

    vmmib_config_register();
    if (vmmib_scalars_register() != 0 || vmmib_vmtable_register() != 0 ||
        vmmib_cputables_register() != 0 || vmmib_storagetable_register() != 0 ||
        vmmib_nettable_register() != 0)
        snmp_log(LOG_ERR, "vmmib: some VM-MIB objects could not be registered\n");
    register_sysORTable((oid *)vmmib_module_oid, OID_LENGTH(vmmib_module_oid),
                        "VM-MIB: virtual machines of the libvirt hypervisor (RFC 7666)");
    /* Alarms run only from the main loop: after the configuration has been
     * read, and after snmpd has forked and dropped privileges, which is
     * when the libvirt thread may start. */
    g.start_alarm = snmp_alarm_register(0, 0, start, NULL);
}

void deinit_vmmib(void)
{
    /* One deinit per dlmod line: the refused loads own nothing, and the
     * object stays mapped until the last dlclose, so the last one cleans up. */
    if (loads > 0)
        loads--;
    if (!serving || loads > 0)
        return;
    serving = false;
    if (g.start_alarm)
        snmp_alarm_unregister(g.start_alarm);
    if (g.poll_alarm)
        snmp_alarm_unregister(g.poll_alarm);
    if (g.readfd >= 0)
        unregister_readfd(g.readfd);
    vmmib_control_stop();
    if (g.poller && !vm_poller_stop(g.poller, STOP_TIMEOUT_MS))
        snmp_log(LOG_WARNING,
                 "vmmib: libvirt did not return within %d ms; its thread "
                 "is left to finish on its own\n",
                 STOP_TIMEOUT_MS);
    save_index(false);
    unregister_sysORTable((oid *)vmmib_module_oid, OID_LENGTH(vmmib_module_oid));
    vmmib_notify_unregister();
    vmmib_nettable_unregister();
    vmmib_storagetable_unregister();
    vmmib_cputables_unregister();
    vmmib_vmtable_unregister();
    vm_hr_clear();
    vmmib_scalars_unregister();
    vmmib_config_unregister();
    vm_snapshot_free(g.current);
    vm_index_free(&g.store);
    free(g.index_path);
    memset(&g, 0, sizeof(g));
    g.readfd = -1;
}
