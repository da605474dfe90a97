/* vmmib: VM-MIB (RFC 7666) for snmpd, from libvirt.
 *
 * The entry file: init_vmmib and deinit_vmmib for dlmod, and the round.
 * Data flows one way.  poll/ reads libvirt on its own threads and hands
 * over raw snapshots; the round thread here runs the model on each one
 * (carry-over, change detection, the view to publish) and hands the view
 * to snmpd's main thread, which logs what the round has to say, sends its
 * notifications and pushes the view to every reader in agent/: a pointer
 * swap each, whatever the number of VMs.  The view it replaces goes back
 * to the round thread to be freed there. */
#define _GNU_SOURCE
#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>
#include <net-snmp/agent/net-snmp-agent-includes.h>
#include <net-snmp/agent/agent_sysORTable.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <pwd.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "agent/config.h"
#include "agent/cputables.h"
#include "agent/hostres.h"
#include "agent/nettable.h"
#include "agent/notify.h"
#include "agent/oids.h"
#include "agent/scalars.h"
#include "agent/set.h"
#include "agent/storagetable.h"
#include "agent/vmtable.h"
#include "model/admin.h"
#include "model/carry.h"
#include "model/change.h"
#include "model/indexstore.h"
#include "model/state.h"
#include "model/text.h"
#include "model/view.h"
#include "model/vmtime.h"
#include "poll/control.h"
#include "poll/poller.h"

/* A poll that takes longer than this means the hypervisor is not answering. */
#define STALL_MIN_S 30

/* ---- the round thread ---- */

struct round {
    pthread_t thread;
    pthread_mutex_t lock;
    int wake[2]; /* wakes the round thread: stop, stall, views to release */
    int out[2];  /* wakes the main thread: views to publish */
    struct poller *poller;
    /* under lock */
    bool stop, stalled;
    struct view **ready, **retired;
    size_t n_ready, cap_ready, n_retired, cap_retired;
    /* round thread only */
    struct view *prev;       /* the last view built (one reference of its own) */
    struct indexstore store; /* its file is read and written here only */
    char *index_path;
    long quarantine;  /* vmMibIndexQuarantine */
    char *load_error; /* why the index file could not be read, for the first view */
};

static bool push(struct view ***list, size_t *n, size_t *cap, struct view *v)
{
    if (*n == *cap) {
        size_t ncap = *cap ? *cap * 2 : 8;
        struct view **grown = realloc(*list, ncap * sizeof(*grown));
        if (!grown)
            return false;
        *list = grown;
        *cap = ncap;
    }
    (*list)[(*n)++] = v;
    return true;
}

static void poke(int fd)
{
    char byte = 1;
    if (write(fd, &byte, 1) < 0 && errno != EAGAIN) {
        /* Non-blocking: full means a wake-up is pending anyway. */
    }
}

static void drain(int fd)
{
    char buf[64];
    while (read(fd, buf, sizeof(buf)) > 0)
        ;
}

/* Write the index file when it changed (before the view that shows the
 * change is published, so no index a manager saw is lost to a crash), or
 * hourly; or read it again while it could not be read.  What the store
 * has to say goes with the view, once per problem and once at its end. */
static void sync_index(struct round *r, struct view *v)
{
    char msg[1024];
    switch (indexstore_sync(&r->store, vmtime_wall_s(), msg, sizeof(msg))) {
    case INDEXSTORE_TROUBLE:
        v->store_error = strdup(msg);
        break;
    case INDEXSTORE_RECOVERED:
        v->store_notice = strdup(msg);
        break;
    default:
        break;
    }
}

/* Every VM the round sees keeps its index; then the indexes of VMs gone
 * for longer than the quarantine are freed, before new VMs get theirs. */
static void touch_indexes(struct round *r, const struct snapshot *raw, int64_t now)
{
    for (size_t i = 0; i < raw->count; i++)
        indexstore_touch(&r->store, raw->rows[i].uuid, now);
    indexstore_expire(&r->store, now, r->quarantine);
}

/* The model's part of a round: raw becomes the snapshot to publish. */
static struct snapshot *run_model(struct round *r, struct snapshot *raw, struct carry_report *rep)
{
    const struct snapshot *prev = r->prev->snap;
    if (!raw->connected) {
        struct snapshot *s = carry_unreachable(prev, raw, NULL, vmtime_boot_ms());
        snapshot_free(raw);
        return s;
    }
    struct carry_request *req = NULL;
    size_t n_req = control_take_requests(&req);
    struct carry_clock now = {vmtime_wall_s(), vmtime_boot_ms()};
    touch_indexes(r, raw, now.wall_s);
    if (carry_round(prev, raw, &r->store, req, n_req, now, rep) != 0) {
        /* Out of memory while applying requests: the states libvirt
         * reports are shown; nothing else is lost. */
    }
    free(req);
    return raw;
}

/* Build the view of one round and queue it for the main thread. */
static void build(struct round *r, struct snapshot *raw, bool stalled)
{
    int64_t began = vmtime_boot_ms();
    struct carry_report rep = {0};
    struct snapshot *s =
        stalled ? carry_unreachable(r->prev->snap, NULL,
                                    "libvirt has not answered for over 30 seconds", began)
                : run_model(r, raw, &rep);
    struct change_list changes = {0};
    if (s)
        change_detect(r->prev->snap, s, &changes); /* records what is reported in s */
    struct view *v = s ? view_build(s) : NULL;
    if (!v) {
        carry_report_clear(&rep);
        change_clear(&changes);
        return; /* out of memory: the previous view stays */
    }
    v->changes = changes;
    v->report = rep;
    if (r->load_error) {
        v->store_error = r->load_error;
        r->load_error = NULL;
    } else {
        sync_index(r, v);
    }
    v->model_ms = vmtime_boot_ms() - began;
    view_ref(v); /* the round thread's, as prev */
    pthread_mutex_lock(&r->lock);
    bool queued = push(&r->ready, &r->n_ready, &r->cap_ready, v);
    pthread_mutex_unlock(&r->lock);
    if (!queued)
        view_unref(v);
    view_unref(r->prev);
    r->prev = v;
    poke(r->out[1]);
}

/* One wake-up: release what the main thread retired, then build. */
static bool round_step(struct round *r)
{
    pthread_mutex_lock(&r->lock);
    bool stop = r->stop, stalled = r->stalled;
    struct view **retired = r->retired;
    size_t n_retired = r->n_retired;
    r->retired = NULL;
    r->n_retired = r->cap_retired = 0;
    r->stalled = false;
    pthread_mutex_unlock(&r->lock);
    for (size_t i = 0; i < n_retired; i++)
        view_unref(retired[i]);
    free(retired);
    if (stop)
        return false;
    struct snapshot *raw = poller_take(r->poller);
    if (raw)
        build(r, raw, false);
    else if (stalled && r->prev->snap->connected)
        build(r, NULL, true);
    return true;
}

static void *round_main(void *arg)
{
    struct round *r = arg;
    char msg[1024];
    poller_thread_role("vmmib-round", true);
    if (indexstore_open(&r->store, r->index_path, vmtime_wall_s(), msg, sizeof(msg)) ==
        INDEXSTORE_TROUBLE)
        r->load_error = strdup(msg);
    struct pollfd fds[2] = {{.fd = poller_fd(r->poller), .events = POLLIN},
                            {.fd = r->wake[0], .events = POLLIN}};
    do {
        if (poll(fds, 2, -1) < 0 && errno != EINTR)
            break;
        drain(r->wake[0]);
    } while (round_step(r));
    free(r->load_error);
    r->load_error = NULL;
    return NULL;
}

/* The last view of a load unloaded while libvirt hung or was away (the
 * module is then pinned, so this survives), with the URI and access mode
 * it was read with: the next load with the same ones serves its rows
 * (state unknown) rather than an empty table until libvirt answers, as a
 * loss without a reload does.  Main thread only. */
static struct view *kept;
static char *kept_uri;
static bool kept_rw;
static int64_t kept_change_ms; /* vmTableLastChange goes with the rows */
static int kept_link;          /* and what the log said of the link */

/* The first view: empty, or the rows a previous load had when it was
 * unloaded during a libvirt hang (state unknown), published at once. */
static struct snapshot *first_snapshot(const struct snapshot *carried)
{
    if (!carried)
        return snapshot_new();
    return carry_unreachable(carried, NULL, "libvirt has not answered since before the reload",
                             vmtime_boot_ms());
}

/* The round thread with every signal blocked: it must not take snmpd's. */
static struct round *round_start(struct poller *p, const char *index_path, long quarantine,
                                 const struct snapshot *carried)
{
    struct round *r = calloc(1, sizeof(*r));
    struct snapshot *empty = first_snapshot(carried);
    if (!r || !empty || pipe2(r->wake, O_CLOEXEC | O_NONBLOCK) != 0) {
        free(r);
        snapshot_free(empty);
        return NULL;
    }
    if (pipe2(r->out, O_CLOEXEC | O_NONBLOCK) != 0 || !(r->prev = view_build(empty))) {
        close(r->wake[0]);
        close(r->wake[1]);
        free(r);
        return NULL;
    }
    pthread_mutex_init(&r->lock, NULL);
    r->poller = p;
    indexstore_init(&r->store);
    r->index_path = index_path ? strdup(index_path) : NULL;
    r->quarantine = quarantine;
    if (carried) {
        view_ref(r->prev);
        if (push(&r->ready, &r->n_ready, &r->cap_ready, r->prev))
            poke(r->out[1]);
        else
            view_unref(r->prev);
    }
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    int rc = pthread_create(&r->thread, NULL, round_main, r);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (rc == 0)
        return r;
    view_unref(r->prev);
    for (int i = 0; i < 2; i++) {
        close(r->wake[i]);
        close(r->out[i]);
    }
    free(r->index_path);
    free(r);
    return NULL;
}

/* The round thread never waits for libvirt: joining it is quick.  Its last
 * view goes to *last (a reference) when last is not NULL. */
static void round_stop(struct round *r, struct view **last)
{
    pthread_mutex_lock(&r->lock);
    r->stop = true;
    pthread_mutex_unlock(&r->lock);
    poke(r->wake[1]);
    pthread_join(r->thread, NULL);
    round_step(r); /* release what was retired meanwhile */
    for (size_t i = 0; i < r->n_ready; i++)
        view_unref(r->ready[i]);
    free(r->ready);
    if (last)
        *last = r->prev;
    else
        view_unref(r->prev);
    indexstore_free(&r->store);
    free(r->index_path);
    for (int i = 0; i < 2; i++) {
        close(r->wake[i]);
        close(r->out[i]);
    }
    pthread_mutex_destroy(&r->lock);
    free(r);
}

/* ---- snmpd's main thread ---- */

static const oid vmmib_module_oid[] = {OIDS_VMMIB};

static struct {
    struct round *round;
    struct poller *poller;
    struct view *current; /* what every reader answers from */
    unsigned start_alarm;
    unsigned poll_alarm;
    int64_t last_change_ms;
    enum { LINK_NEVER, LINK_UP, LINK_DOWN } link; /* as last logged */
    bool stall_reported;
    bool writes_refused; /* as last logged */
} g;

static const char *uri_name(void)
{
    return config_get()->uri ? config_get()->uri : "the default libvirt URI";
}

/* What libvirt says (URIs, versions, messages, VM names) is escaped in
 * every log line: it may hold a newline that would forge a line.  Both
 * edges of a loss are warnings: Debian's snmpd logs only those (-LOw), and
 * an operator who saw "lost" must also see the recovery. */
static void link_up(const struct snapshot *s)
{
    if (g.link != LINK_UP) {
        char uri[512], sw[128], ver[128];
        snmp_log(g.link == LINK_DOWN ? LOG_WARNING : LOG_NOTICE,
                 "vmmib: %s hypervisor %s (%s %s)\n",
                 g.link == LINK_DOWN ? "reconnected to" : "connected to",
                 text_escape_str(s->uri ? s->uri : uri_name(), uri, sizeof(uri)),
                 text_escape_str(s->hv_software, sw, sizeof(sw)),
                 text_escape_str(s->hv_version, ver, sizeof(ver)));
    }
    g.link = LINK_UP;
    g.stall_reported = false;
}

static void link_down(const char *why)
{
    if (g.link != LINK_DOWN) {
        char uri[512], reason[1024];
        snmp_log(LOG_WARNING,
                 "vmmib: lost %s: %s; serving the last known VMs with vmOperState "
                 "unknown and retrying\n",
                 text_escape_str(uri_name(), uri, sizeof(uri)),
                 text_escape_str(why ? why : "no answer", reason, sizeof(reason)));
    }
    g.link = LINK_DOWN;
}

/* Write access on, read-write refused by libvirt: said once, and again
 * when it changes. */
static void log_write_access(const struct snapshot *s)
{
    if (!s->connected || (s->writes_refused != NULL) == g.writes_refused)
        return;
    g.writes_refused = s->writes_refused != NULL;
    /* The user to name: snmpd's (Debian-snmp) or vmmib-agentx's (vmmib). */
    const struct passwd *pw = getpwuid(geteuid());
    const char *user = pw && pw->pw_name ? pw->pw_name : "this agent's user";
    char why[1024];
    if (g.writes_refused)
        snmp_log(LOG_WARNING,
                 "vmmib: write access is on, but %s; monitoring goes on read-only and SETs "
                 "answer resourceUnavailable (on Debian, polkit lets the libvirt group write: "
                 "adduser %s libvirt, then restart)\n",
                 text_escape_str(s->writes_refused, why, sizeof(why)), user);
    else
        snmp_log(LOG_WARNING, "vmmib: libvirt now grants read-write access: SETs are accepted\n");
}

/* What the round has to say. */
static void log_report(const struct view *v)
{
    const struct carry_report *rep = &v->report;
    char text[1024];
    for (size_t i = 0; i < rep->n_no_index; i++)
        snmp_log(LOG_ERR, "vmmib: no vmIndex left for VM %s; it is not shown\n", rep->no_index[i]);
    for (size_t i = 0; i < rep->n_given_up; i++)
        snmp_log(LOG_WARNING,
                 "vmmib: vmAdminState.%d (%s): %s was asked for %d minutes ago and never "
                 "reached; showing the state libvirt reports again\n",
                 (int)rep->given_up[i].index,
                 text_escape_str(rep->given_up[i].name, text, sizeof(text)),
                 admin_target_name(rep->given_up[i].target), CARRY_REQUEST_MAX_MS / 60000);
    if (v->store_error)
        snmp_log(LOG_ERR, "vmmib: %s\n", text_escape_str(v->store_error, text, sizeof(text)));
    /* The end of a problem is a warning too: under Debian's -LOw an operator
     * who saw the problem must see it end. */
    if (v->store_notice)
        snmp_log(LOG_WARNING, "vmmib: %s\n", text_escape_str(v->store_notice, text, sizeof(text)));
}

/* One reference to v goes back to the round thread, which frees views. */
static void retire(void *arg)
{
    struct view *v = arg;
    pthread_mutex_lock(&g.round->lock);
    bool queued = push(&g.round->retired, &g.round->n_retired, &g.round->cap_retired, v);
    pthread_mutex_unlock(&g.round->lock);
    if (queued)
        poke(g.round->wake[1]);
    else
        view_unref(v); /* out of memory: freed here, once */
}

/* Make v what every reader answers from; the view it replaces goes back
 * to the round thread. */
static void swap_in(struct view *v)
{
    struct view *old = g.current;
    g.current = v;
    vmtable_publish(v);
    cputables_publish(v);
    storagetable_publish(v);
    nettable_publish(v);
    scalars_publish(v, g.last_change_ms);
    set_publish(v);
    if (old)
        retire(old);
}

static void publish(struct view *v)
{
    int64_t began = vmtime_boot_us(), began_cpu = vmtime_thread_cpu_us();
    const struct snapshot *s = v->snap;
    if (s->connected)
        link_up(s);
    else
        link_down(s->error);
    DEBUGMSGTL(("vmmib/poll",
                "round: %s, %zu VMs (%zu not answering), libvirt %lld ms (connecting %lld ms)\n",
                s->connected ? "connected" : "not connected", s->count, v->n_stale,
                (long long)s->round_ms, (long long)s->connect_ms));
    DEBUGMSGTL(("vmmib/model", "model %lld ms: %zu per-VM changes, table %s\n",
                (long long)v->model_ms, v->changes.n_vm,
                v->changes.table_changed ? "changed" : "unchanged"));
    log_write_access(s);
    log_report(v);
    if (v->changes.table_changed)
        g.last_change_ms = vmtime_boot_ms();
    /* The notifications hold the view until they are all sent. */
    view_ref(v);
    notify_send(&v->changes, retire, v);
    set_report_outcomes();
    swap_in(v);
    /* What every other snmpd request waited for: make bench reads it. */
    DEBUGMSGTL(("vmmib/model", "published in %lld us on the main thread (%lld us CPU)\n",
                (long long)(vmtime_boot_us() - began),
                (long long)(vmtime_thread_cpu_us() - began_cpu)));
}

static void on_views(int fd, void *arg)
{
    (void)arg;
    drain(fd);
    pthread_mutex_lock(&g.round->lock);
    struct view **ready = g.round->ready;
    size_t n = g.round->n_ready;
    g.round->ready = NULL;
    g.round->n_ready = g.round->cap_ready = 0;
    pthread_mutex_unlock(&g.round->lock);
    for (size_t i = 0; i < n; i++)
        publish(ready[i]);
    free(ready);
}

static void on_tick(unsigned reg, void *arg)
{
    (void)reg;
    (void)arg;
    if (!g.poller || poller_request(g.poller))
        return;
    /* Still busy with the previous round: is libvirt hanging? */
    int64_t since = poller_busy_since(g.poller);
    int interval = config_get()->poll_interval;
    int64_t limit = (int64_t)(interval * 3 > STALL_MIN_S ? interval * 3 : STALL_MIN_S) * 1000;
    if (since && vmtime_boot_ms() - since > limit && !g.stall_reported) {
        g.stall_reported = true;
        pthread_mutex_lock(&g.round->lock);
        g.round->stalled = true;
        pthread_mutex_unlock(&g.round->lock);
        poke(g.round->wake[1]);
    }
}

/* <persistent dir>/vmmib-index.conf unless vmMibIndexFile says otherwise. */
static char *index_path(void)
{
    if (config_get()->index_file)
        return strdup(config_get()->index_file);
    const char *dir = get_persistent_directory();
    size_t n = strlen(dir) + sizeof("/vmmib-index.conf");
    char *path = malloc(n);
    if (path)
        snprintf(path, n, "%s/vmmib-index.conf", dir);
    return path;
}

static void start(unsigned reg, void *arg)
{
    (void)reg;
    (void)arg;
    const struct configval *cfg = config_get();
    g.start_alarm = 0;
    /* The switches start from snmpd.conf at every load; SETs never persist. */
    if (notify_register(cfg->per_vm_notifications, cfg->bulk_notifications) != 0)
        snmp_log(LOG_ERR, "vmmib: cannot register the notification switches\n");
    set_enable(cfg->write_access);
    char err[512];
    g.poller = poller_start(cfg->uri, cfg->write_access, err, sizeof(err));
    if (!g.poller) {
        char text[600];
        snmp_log(LOG_ERR, "vmmib: %s; VM-MIB will stay empty\n",
                 text_escape_str(err, text, sizeof(text)));
        return;
    }
    char *path = index_path();
    bool carried =
        kept && kept_rw == cfg->write_access &&
        ((!kept_uri && !cfg->uri) || (kept_uri && cfg->uri && !strcmp(kept_uri, cfg->uri)));
    g.round = round_start(g.poller, path, cfg->index_quarantine, carried ? kept->snap : NULL);
    if (carried) {
        g.last_change_ms = kept_change_ms;
        g.link = kept_link; /* a loss already logged is not logged again */
    }
    free(path);
    view_unref(kept);
    kept = NULL;
    free(kept_uri);
    kept_uri = NULL;
    if (!g.round) {
        snmp_log(LOG_ERR, "vmmib: cannot start the round thread; VM-MIB will stay empty\n");
        return;
    }
    if (cfg->write_access && control_start(g.poller) != 0)
        snmp_log(LOG_ERR, "vmmib: cannot start the control thread; SETs will fail\n");
    if (cfg->write_access)
        snmp_log(LOG_NOTICE, "vmmib: write access is on (vmMibWriteAccess yes): vmAdminState, "
                             "vmCurCpuNumber, vmCurMem and vmCpuAffinity accept SETs\n");
    register_readfd(g.round->out[0], on_views, NULL);
    g.poll_alarm = snmp_alarm_register((unsigned)cfg->poll_interval, SA_REPEAT, on_tick, NULL);
    poller_request(g.poller);
}

/* How many dlmod lines loaded this very file, and whether this copy serves
 * (only the first load does).  Outside `g`, which init and deinit clear. */
static int loads;
static bool serving;

/* Who already serves VM-MIB in this agent: nobody, another copy of this
 * module (a second dlmod line naming another path) or anything else
 * registered in snmpd itself, or an AgentX subagent (vmmib-agentx) whose
 * registrations this snmpd holds as the master (they carry its session). */
enum served_by { SERVED_BY_NOBODY, SERVED_BY_AGENT, SERVED_BY_SUBAGENT };

static enum served_by served_elsewhere(void)
{
    static const oid probe[] = {OIDS_OBJECTS, OIDS_NUMBER, 0}; /* vmNumber.0 */
    static const oid vmmib[] = {OIDS_VMMIB};
    netsnmp_subtree *t = netsnmp_subtree_find(probe, OID_LENGTH(probe), NULL, "");
    if (!t || t->namelen < OIDS_VMMIB_LEN ||
        snmp_oidtree_compare(t->name_a, OIDS_VMMIB_LEN, vmmib, OIDS_VMMIB_LEN) != 0)
        return SERVED_BY_NOBODY;
    return t->session ? SERVED_BY_SUBAGENT : SERVED_BY_AGENT;
}

__attribute__((visibility("default"))) void init_vmmib(void);
__attribute__((visibility("default"))) void deinit_vmmib(void);

void init_vmmib(void)
{
    DEBUGMSGTL(("vmmib/poll", "init_vmmib\n"));
    /* snmpd calls init once per dlmod line, on the same object when the
     * path repeats: a second start would reset the configuration read so
     * far, register everything twice and start a second poller. */
    loads++;
    enum served_by by = serving ? SERVED_BY_AGENT : served_elsewhere();
    if (by == SERVED_BY_SUBAGENT) {
        snmp_log(LOG_WARNING, "vmmib: an AgentX subagent (vmmib-agentx) already serves VM-MIB "
                              "through this snmpd; the module stays inactive. Serve it one "
                              "way only (see vmmib(8))\n");
        return;
    }
    if (by == SERVED_BY_AGENT) {
        snmp_log(LOG_WARNING, "vmmib: already loaded (a second 'dlmod vmmib' line); "
                              "this one is ignored, the first keeps serving VM-MIB\n");
        return;
    }
    serving = true;
    memset(&g, 0, sizeof(g));
    config_register();
    if (scalars_register() != 0 || vmtable_register() != 0 || cputables_register() != 0 ||
        storagetable_register() != 0 || nettable_register() != 0)
        snmp_log(LOG_ERR, "vmmib: some VM-MIB objects could not be registered\n");
    register_sysORTable((oid *)vmmib_module_oid, OID_LENGTH(vmmib_module_oid),
                        "VM-MIB: virtual machines of the libvirt hypervisor (RFC 7666)");
    /* Alarms run only from the main loop: after the configuration has been
     * read, and after snmpd has forked and dropped privileges, which is
     * when the libvirt threads may start. */
    g.start_alarm = snmp_alarm_register(0, 0, start, NULL);
}

/* At unload: keep the rows for the next load if libvirt hangs or is away
 * (pinning the module so that they survive), else let them go. */
static void keep_rows(struct view *last, bool hung)
{
    view_unref(kept);
    free(kept_uri);
    kept = NULL;
    kept_uri = NULL;
    if (!last || (!hung && last->snap->connected)) {
        view_unref(last);
        return;
    }
    poller_pin_module();
    kept = last;
    kept_uri = config_get()->uri ? strdup(config_get()->uri) : NULL;
    kept_rw = config_get()->write_access;
    kept_change_ms = g.last_change_ms;
    kept_link = g.link;
}

/* Stop the threads: nothing calls into agent/ or model/ afterwards. */
static void stop_threads(void)
{
    if (g.start_alarm)
        snmp_alarm_unregister(g.start_alarm);
    if (g.poll_alarm)
        snmp_alarm_unregister(g.poll_alarm);
    if (g.round)
        unregister_readfd(g.round->out[0]);
    control_stop();
    struct view *last = NULL;
    if (g.round)
        round_stop(g.round, &last);
    if (!g.poller) {
        view_unref(last);
        return;
    }
    /* Never waits on libvirt: a reload during a hang costs no time, and
     * the next load takes over the thread that is waiting, with the rows
     * served until now. */
    int64_t busy_ms = 0;
    enum poller_release how = poller_release(g.poller, &busy_ms);
    keep_rows(last, how != POLLER_JOINED);
    switch (how) {
    case POLLER_PARKED:
        snmp_log(LOG_WARNING,
                 "vmmib: libvirt did not return (a call under way for %lld s); its thread is "
                 "kept for the next load to take over, or to end when the call returns\n",
                 (long long)(busy_ms / 1000));
        break;
    case POLLER_LEFT:
        snmp_log(LOG_WARNING, "vmmib: libvirt did not return while closing the connection; "
                              "its thread is left to finish on its own\n");
        break;
    default:
        break;
    }
}

void deinit_vmmib(void)
{
    DEBUGMSGTL(("vmmib/poll", "deinit_vmmib\n"));
    /* One deinit per dlmod line: the refused loads own nothing, and the
     * object stays mapped until the last dlclose, so the last one cleans up. */
    if (loads > 0)
        loads--;
    if (!serving || loads > 0)
        return;
    serving = false;
    if (g.round)
        notify_flush(); /* hands its views back before the round thread stops */
    stop_threads();
    set_report_outcomes();
    unregister_sysORTable((oid *)vmmib_module_oid, OID_LENGTH(vmmib_module_oid));
    notify_unregister();
    nettable_unregister();
    storagetable_unregister();
    cputables_unregister();
    vmtable_unregister();
    scalars_unregister();
    set_publish(NULL);
    hostres_clear();
    config_unregister();
    view_unref(g.current);
    memset(&g, 0, sizeof(g));
}
