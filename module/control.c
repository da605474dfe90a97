/* The draft's control objects (draft-asai-vmm-mib-05), behind
 * `vmMibWriteAccess yes`: vmAdminState, vmCurCpuNumber, vmCurMem and
 * vmCpuAffinity become writable and SETs become libvirt domain calls.
 *
 * Net-SNMP's SET phases are followed: RESERVE1 checks type, range, row and
 * transition against the current snapshot (nothing is done before every
 * varbind of the PDU has passed), ACTION hands the libvirt calls to the
 * control thread and waits for them at most CONTROL_WAIT_MS in all, UNDO
 * queues the inverse of what was done.  Every change is live only: no call
 * here touches a domain's persistent definition.  Every attempt is logged
 * with who asked, what, and the result.
 *
 * The control thread has a read-write connection of its own: libvirt's
 * client is not safe when two threads use one remote connection that
 * keepalive closes.  Only with the in-process test driver, where a second
 * connection would be a second, private hypervisor, does it use the
 * poller's. */
#define _GNU_SOURCE
#include "control.h"

#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

#include "config.h"
#include "vmmib.h"

/* A SET answers within a second: actions still running after this long
 * go on in the background and show in vmOperState. */
#define CONTROL_WAIT_MS 700
/* A job that could not start this long after its SET (the hypervisor is
 * hung, an earlier action blocks) is dropped rather than run much later. */
#define JOB_START_MAX_MS 10000
/* Keepalive of the control connection: a hung daemon fails its calls
 * after about 5 s x 3. */
#define KEEPALIVE_INTERVAL_S 5
#define KEEPALIVE_COUNT 3
/* An admin-state override older than this is dropped (the hypervisor
 * evidently went elsewhere). */
#define OVERRIDE_MAX_MS (10 * 60 * 1000)

enum action {
    A_NONE,
    A_CREATE,       /* start, restoring a managed save if there is one */
    A_RESUME,       /* paused -> running */
    A_SUSPEND,      /* running -> paused */
    A_MANAGEDSAVE,  /* memory to disk: suspended */
    A_SHUTDOWN,     /* ask the guest */
    A_DESTROY,      /* force off */
    A_MSAVE_REMOVE, /* suspended -> shutdown: drop the saved memory image */
    A_PMWAKEUP,     /* pmsuspended -> running */
    A_VCPUS,        /* live vCPU count */
    A_MEMORY,       /* live memory (balloon) */
    A_PIN,          /* live vCPU pinning */
};

static const char *const action_names[] = {
    [A_NONE] = "nothing",
    [A_CREATE] = "start",
    [A_RESUME] = "resume",
    [A_SUSPEND] = "pause",
    [A_MANAGEDSAVE] = "managed save",
    [A_SHUTDOWN] = "shutdown",
    [A_DESTROY] = "destroy",
    [A_MSAVE_REMOVE] = "remove the managed save",
    [A_PMWAKEUP] = "wake up",
    [A_VCPUS] = "set live vCPUs",
    [A_MEMORY] = "set live memory",
    [A_PIN] = "pin vCPU",
};

struct job {
    unsigned char uuid[16];
    enum action action;
    unsigned long long arg; /* vCPUs, KiB, or vCPU number for A_PIN */
    unsigned char *map;     /* A_PIN */
    size_t maplen;
    char *what; /* for the log */
    int32_t index;
    int admin_target;  /* vmAdminState to show while it runs, 0 = none */
    int64_t queued_ms; /* CLOCK_BOOTTIME when submitted */
    /* result, under lock */
    bool done;
    int failed;
    char *error;
    bool orphan; /* the SET stopped waiting: log the outcome later */
    struct job *next;
};

static struct {
    pthread_t thread;
    bool running;
    pthread_mutex_t lock;
    pthread_cond_t cond;      /* new job, or stop */
    pthread_cond_t done_cond; /* a job finished */
    bool stop;
    struct job *queue, *queue_tail;
    struct job *finished; /* orphans done, to be logged by the main thread */
    struct vm_poller *poller;
    virConnectPtr own; /* control thread only: its own connection */
} ctl = {.lock = PTHREAD_MUTEX_INITIALIZER,
         .cond = PTHREAD_COND_INITIALIZER,
         .done_cond = PTHREAD_COND_INITIALIZER};

struct override {
    int32_t index;
    int admin;
    int64_t since_ms;
};
static struct override *overrides;
static size_t n_overrides;

static void job_free(struct job *j)
{
    if (!j)
        return;
    free(j->map);
    free(j->what);
    free(j->error);
    free(j);
}

/* ---- the control thread ---- */

/* A live-only change.  Some drivers (the test driver) refuse the explicit
 * LIVE flag; for a running domain CURRENT means the same thing, and it is
 * used only after checking the domain is running, so that the persistent
 * definition is never what changes. */
static int live_change(virDomainPtr dom, struct job *j, unsigned flags)
{
    int rc;
    switch (j->action) {
    case A_VCPUS:
        rc = virDomainSetVcpusFlags(dom, (unsigned)j->arg, flags);
        break;
    case A_MEMORY:
        rc = virDomainSetMemoryFlags(dom, (unsigned long)j->arg, flags);
        break;
    default:
        rc = virDomainPinVcpuFlags(dom, (unsigned)j->arg, j->map, (int)j->maplen, flags);
        break;
    }
    if (rc == 0 || flags != VIR_DOMAIN_AFFECT_LIVE)
        return rc;
    virErrorPtr err = virGetLastError();
    if (!err || err->code != VIR_ERR_INVALID_ARG || !err->message ||
        !strstr(err->message, "unsupported flags"))
        return rc;
    if (virDomainIsActive(dom) != 1)
        return rc;
    return live_change(dom, j, VIR_DOMAIN_AFFECT_CURRENT);
}

static int run_action(virDomainPtr dom, struct job *j)
{
    switch (j->action) {
    case A_CREATE:
        return virDomainCreate(dom);
    case A_RESUME:
        return virDomainResume(dom);
    case A_SUSPEND:
        return virDomainSuspend(dom);
    case A_MANAGEDSAVE:
        return virDomainManagedSave(dom, 0);
    case A_SHUTDOWN:
        return virDomainShutdown(dom);
    case A_DESTROY:
        return virDomainDestroy(dom);
    case A_MSAVE_REMOVE:
        return virDomainManagedSaveRemove(dom, 0);
    case A_PMWAKEUP:
        return virDomainPMWakeup(dom, 0);
    case A_VCPUS:
    case A_MEMORY:
    case A_PIN:
        return live_change(dom, j, VIR_DOMAIN_AFFECT_LIVE);
    default:
        return 0;
    }
}

/* The connection for one action (release with virConnectClose), or NULL
 * with *error set.  Control thread only. */
static virConnectPtr control_conn(struct vm_poller *p, char **error)
{
    int in_process = vm_poller_in_process(p);
    if (in_process != 0) {
        virConnectPtr c = vm_poller_conn_ref(p);
        if (!c)
            *error = strdup("the hypervisor is not connected");
        return c;
    }
    if (ctl.own && virConnectIsAlive(ctl.own) != 1) {
        virConnectClose(ctl.own);
        ctl.own = NULL;
    }
    if (!ctl.own) {
        ctl.own = virConnectOpen(vm_poller_uri(p));
        if (!ctl.own) {
            const char *m = virGetLastErrorMessage();
            if (asprintf(error, "cannot connect to the hypervisor: %s", m ? m : "?") < 0)
                *error = NULL;
            return NULL;
        }
        virConnectSetKeepAlive(ctl.own, KEEPALIVE_INTERVAL_S, KEEPALIVE_COUNT);
    }
    if (virConnectRef(ctl.own) != 0) {
        *error = strdup("out of memory");
        return NULL;
    }
    return ctl.own;
}

static void *control_thread(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&ctl.lock);
    for (;;) {
        while (!ctl.stop && !ctl.queue)
            pthread_cond_wait(&ctl.cond, &ctl.lock);
        if (!ctl.queue)
            break; /* stopping with nothing left */
        struct job *j = ctl.queue;
        ctl.queue = j->next;
        if (!ctl.queue)
            ctl.queue_tail = NULL;
        j->next = NULL;
        struct vm_poller *poller = ctl.stop ? NULL : ctl.poller;
        pthread_mutex_unlock(&ctl.lock);

        int failed = 0;
        char *error = NULL;
        virConnectPtr conn = NULL;
        if (!poller) {
            error = strdup("the agent is stopping");
        } else if (vm_now_boot_ms() - j->queued_ms > JOB_START_MAX_MS) {
            error = strdup("not started: the hypervisor did not take it in time");
        } else {
            conn = control_conn(poller, &error);
            /* Opening may itself have waited for a hung daemon. */
            if (conn && vm_now_boot_ms() - j->queued_ms > JOB_START_MAX_MS) {
                virConnectClose(conn);
                conn = NULL;
                error = strdup("not started: the hypervisor did not take it in time");
            }
        }
        if (!conn) {
            failed = 1;
        } else {
            virDomainPtr dom = virDomainLookupByUUID(conn, j->uuid);
            if (!dom || run_action(dom, j) < 0) {
                const char *m = virGetLastErrorMessage();
                failed = 1;
                error = strdup(m ? m : "libvirt error");
            }
            if (dom)
                virDomainFree(dom);
            virConnectClose(conn);
        }

        pthread_mutex_lock(&ctl.lock);
        j->failed = failed;
        j->error = error;
        j->done = true;
        if (j->orphan) {
            /* In completion order, for the log. */
            struct job **tail = &ctl.finished;
            while (*tail)
                tail = &(*tail)->next;
            *tail = j;
        }
        pthread_cond_broadcast(&ctl.done_cond);
        /* Let the next round show the result now. */
        if (!ctl.stop && ctl.poller)
            vm_poller_kick(ctl.poller);
    }
    pthread_mutex_unlock(&ctl.lock);
    if (ctl.own)
        virConnectClose(ctl.own);
    ctl.own = NULL;
    return NULL;
}

int vmmib_control_start(struct vm_poller *p)
{
    pthread_mutex_lock(&ctl.lock);
    ctl.stop = false;
    ctl.poller = p;
    pthread_mutex_unlock(&ctl.lock);
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    int rc = pthread_create(&ctl.thread, NULL, control_thread, NULL);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    ctl.running = rc == 0;
    return rc == 0 ? 0 : -1;
}

static void log_finished(void);

void vmmib_control_stop(void)
{
    if (ctl.running) {
        pthread_mutex_lock(&ctl.lock);
        ctl.stop = true;
        ctl.poller = NULL;
        pthread_cond_broadcast(&ctl.cond);
        pthread_mutex_unlock(&ctl.lock);
        struct timespec deadline = vm_deadline_ms(3000);
        if (pthread_timedjoin_np(ctl.thread, NULL, &deadline) != 0) {
            /* A long action (a managed save) is still running: it finishes
             * on its own; poller.c keeps this code mapped. */
            snmp_log(LOG_WARNING, "vmmib: a control action is still running; it will complete "
                                  "without being logged\n");
            vm_poller_pin_module();
            pthread_detach(ctl.thread);
            pthread_mutex_lock(&ctl.lock);
            ctl.queue = ctl.queue_tail = NULL; /* the thread frees what it holds */
            pthread_mutex_unlock(&ctl.lock);
        }
        ctl.running = false;
    }
    log_finished();
    pthread_mutex_lock(&ctl.lock);
    for (struct job *j = ctl.queue, *n; j; j = n) {
        n = j->next;
        job_free(j);
    }
    ctl.queue = ctl.queue_tail = NULL;
    pthread_mutex_unlock(&ctl.lock);
    free(overrides);
    overrides = NULL;
    n_overrides = 0;
}

/* Queue a job; with wait_ms > 0 wait that long for it.  Returns 1 when it
 * finished (then the caller owns it), 0 when it is still running (the
 * thread owns it and its outcome is logged later). */
static int submit(struct job *j, int wait_ms)
{
    pthread_mutex_lock(&ctl.lock);
    j->queued_ms = vm_now_boot_ms();
    if (ctl.queue_tail)
        ctl.queue_tail->next = j;
    else
        ctl.queue = j;
    ctl.queue_tail = j;
    pthread_cond_signal(&ctl.cond);
    struct timespec until = vm_deadline_ms(wait_ms);
    while (!j->done && wait_ms > 0 &&
           pthread_cond_timedwait(&ctl.done_cond, &ctl.lock, &until) == 0)
        ;
    int finished = j->done;
    if (!finished)
        j->orphan = true;
    pthread_mutex_unlock(&ctl.lock);
    return finished;
}

static void log_finished(void)
{
    pthread_mutex_lock(&ctl.lock);
    struct job *list = ctl.finished;
    ctl.finished = NULL;
    pthread_mutex_unlock(&ctl.lock);
    for (struct job *j = list, *n; j; j = n) {
        n = j->next;
        if (j->failed) {
            snmp_log(LOG_WARNING, "vmmib: control: %s: failed: %s\n", j->what,
                     j->error ? j->error : "");
            /* The target is not coming: show the real state again. */
            for (size_t i = 0; i < n_overrides; i++)
                if (overrides[i].index == j->index)
                    overrides[i].admin = 0;
        } else {
            snmp_log(LOG_NOTICE, "vmmib: control: %s: completed\n", j->what);
        }
        job_free(j);
    }
}

/* ---- vmAdminState shown while a SET's action runs ---- */

static void set_override(int32_t index, int admin)
{
    for (size_t i = 0; i < n_overrides; i++) {
        if (overrides[i].index == index) {
            overrides[i].admin = admin;
            overrides[i].since_ms = vm_now_boot_ms();
            return;
        }
    }
    struct override *n = realloc(overrides, (n_overrides + 1) * sizeof(*n));
    if (!n)
        return;
    overrides = n;
    overrides[n_overrides++] = (struct override){index, admin, vm_now_boot_ms()};
}

int vmmib_control_admin(int32_t index, int admin)
{
    for (size_t i = 0; i < n_overrides; i++)
        if (overrides[i].index == index && overrides[i].admin)
            return overrides[i].admin;
    return admin;
}

void vmmib_control_observe(const struct vm_snapshot *s)
{
    log_finished();
    size_t w = 0;
    int64_t now = vm_now_boot_ms();
    for (size_t i = 0; i < n_overrides; i++) {
        const struct vm_row *row = vm_snapshot_find_index(s, overrides[i].index);
        /* Reached, gone, failed, or too old: the snapshot speaks again. */
        if (!overrides[i].admin || !row || row->admin == overrides[i].admin ||
            now - overrides[i].since_ms > OVERRIDE_MAX_MS)
            continue;
        overrides[w++] = overrides[i];
    }
    n_overrides = w;
}

/* ---- SET handling ---- */

/* The plan for one varbind, attached to its request. */
struct plan {
    enum action action, undo;
    unsigned long long arg, undo_arg;
    int admin_target;
    int32_t index;
    unsigned char uuid[16];
    char what[700]; /* "SET ... by who": for the log */
    bool acted;
    /* A_PIN: this request leads its vCPU's group */
    bool leader;
    int vcpu, cpu, value;
};

#define PLAN_KEY "vmmib:plan"

static void describe_requester(netsnmp_agent_request_info *reqinfo, char *buf, size_t len)
{
    netsnmp_pdu *pdu = reqinfo && reqinfo->asp ? reqinfo->asp->pdu : NULL;
    const char *who = "?";
    char name[128];
    if (pdu && pdu->securityName && pdu->securityNameLen) {
        size_t n =
            pdu->securityNameLen < sizeof(name) - 1 ? pdu->securityNameLen : sizeof(name) - 1;
        memcpy(name, pdu->securityName, n);
        name[n] = '\0';
        who = name;
    } else if (pdu && pdu->community && pdu->community_len) {
        size_t n = pdu->community_len < sizeof(name) - 1 ? pdu->community_len : sizeof(name) - 1;
        memcpy(name, pdu->community, n);
        name[n] = '\0';
        who = name;
    }
    char *from = NULL;
    netsnmp_transport *t = NULL;
    if (reqinfo && reqinfo->asp && reqinfo->asp->session)
        t = snmp_sess_transport(snmp_sess_pointer(reqinfo->asp->session));
    if (pdu && t && t->f_fmtaddr)
        from = t->f_fmtaddr(t, pdu->transport_data, pdu->transport_data_length);
    snprintf(buf, len, "'%s' (SNMPv%s) from %s", who,
             !pdu                              ? "?"
             : pdu->version == SNMP_VERSION_3  ? "3"
             : pdu->version == SNMP_VERSION_2c ? "2c"
                                               : "1",
             from ? from : "?");
    free(from);
}

/* The value of a SET varbind, for the log. */
static void value_text(const netsnmp_variable_list *vb, char *buf, size_t len)
{
    if (vb->type == ASN_INTEGER && vb->val.integer)
        snprintf(buf, len, "%ld", *vb->val.integer);
    else
        snprintf(buf, len, "(not an INTEGER)");
}

static const char *admin_name(long v)
{
    static const char *const names[] = {"?",      "running",  "suspended",
                                        "paused", "shutdown", "destroy"};
    return v >= 1 && v <= 5 ? names[v] : "?";
}

/* What SET vmAdminState = target does from this state; A_NONE with
 * *noop for "already there", A_NONE alone for "makes no sense". */
static enum action admin_action(const struct vm_row *row, long target, bool *noop,
                                enum action *undo)
{
    int oper = row->oper;
    bool active = vm_oper_is_active(oper);
    *noop = false;
    *undo = A_NONE;
    switch (target) {
    case VM_ADMIN_RUNNING:
        if (oper == VM_OPER_RUNNING)
            break;
        if (oper == VM_OPER_PAUSED) {
            *undo = A_SUSPEND;
            return A_RESUME;
        }
        if (oper == VM_OPER_SHUTDOWN || oper == VM_OPER_CRASHED ||
            (oper == VM_OPER_SUSPENDED && row->lv_state == LV_SHUTOFF)) {
            *undo = A_DESTROY;
            return A_CREATE; /* restores the managed save when there is one */
        }
        if (oper == VM_OPER_SUSPENDED && row->lv_state == LV_PMSUSPENDED)
            return A_PMWAKEUP;
        return A_NONE;
    case VM_ADMIN_PAUSED:
        if (oper == VM_OPER_PAUSED)
            break;
        if (oper == VM_OPER_RUNNING) {
            *undo = A_RESUME;
            return A_SUSPEND;
        }
        return A_NONE;
    case VM_ADMIN_SUSPENDED:
        if (oper == VM_OPER_SUSPENDED || oper == VM_OPER_SUSPENDING)
            break;
        if (oper == VM_OPER_RUNNING || oper == VM_OPER_PAUSED)
            return A_MANAGEDSAVE;
        return A_NONE;
    case VM_ADMIN_SHUTDOWN:
        if (oper == VM_OPER_SHUTDOWN || oper == VM_OPER_SHUTTINGDOWN || oper == VM_OPER_CRASHED)
            break;
        if (oper == VM_OPER_RUNNING || oper == VM_OPER_PAUSED)
            return A_SHUTDOWN;
        if (oper == VM_OPER_SUSPENDED && row->lv_state == LV_SHUTOFF && row->has_managed_save)
            return A_MSAVE_REMOVE;
        return A_NONE;
    case 5: /* the draft's destroy */
        if (!active && oper != VM_OPER_UNKNOWN)
            break;
        if (active)
            return A_DESTROY;
        return A_NONE;
    }
    *noop = true;
    return A_NONE;
}

static void refuse(netsnmp_agent_request_info *reqinfo, netsnmp_request_info *r, int err,
                   const char *who, const char *what, const char *why)
{
    snmp_log(LOG_WARNING, "vmmib: control: %s by %s refused (%s): %s\n", what, who,
             snmp_errstring(err), why);
    netsnmp_set_request_error(reqinfo, r, err);
}

/* The whole PDU shares one wait budget. */
static int64_t pdu_deadline_ms;
static long pdu_reqid = -1;

static int wait_budget(netsnmp_agent_request_info *reqinfo)
{
    long reqid = reqinfo && reqinfo->asp && reqinfo->asp->pdu ? reqinfo->asp->pdu->reqid : -2;
    int64_t now = vm_now_boot_ms();
    if (reqid != pdu_reqid) {
        pdu_reqid = reqid;
        pdu_deadline_ms = now + CONTROL_WAIT_MS;
    }
    int64_t left = pdu_deadline_ms - now;
    return left > 0 ? (int)left : 0;
}

/* A job for pl's VM; map (maplen bytes, A_PIN) is copied.  NULL when out of
 * memory. */
static struct job *make_job(const struct plan *pl, enum action a, unsigned long long arg,
                            const unsigned char *map, size_t maplen)
{
    struct job *j = calloc(1, sizeof(*j));
    if (!j)
        return NULL;
    memcpy(j->uuid, pl->uuid, 16);
    j->action = a;
    j->arg = arg;
    j->index = pl->index;
    j->what = strdup(pl->what);
    if (map) {
        j->map = malloc(maplen);
        if (j->map)
            memcpy(j->map, map, maplen);
        j->maplen = maplen;
    }
    if (!j->what || (map && !j->map)) {
        job_free(j);
        return NULL;
    }
    return j;
}

/* ACTION for one planned varbind: run it, wait within the PDU's budget. */
static void act(netsnmp_agent_request_info *reqinfo, netsnmp_request_info *r, struct plan *pl,
                const unsigned char *map, size_t maplen)
{
    if (pl->action == A_NONE)
        return;
    struct job *j = make_job(pl, pl->action, pl->arg, map, maplen);
    if (!j) {
        netsnmp_set_request_error(reqinfo, r, SNMP_ERR_RESOURCEUNAVAILABLE);
        return;
    }
    pl->acted = true;
    if (pl->admin_target)
        set_override(pl->index, pl->admin_target);
    if (!submit(j, wait_budget(reqinfo))) {
        snmp_log(LOG_NOTICE, "vmmib: control: %s: %s in progress\n", pl->what,
                 action_names[pl->action]);
        return;
    }
    if (j->failed) {
        snmp_log(LOG_WARNING, "vmmib: control: %s: failed: %s\n", pl->what,
                 j->error ? j->error : "");
        pl->acted = false;
        if (pl->admin_target)
            set_override(pl->index, 0);
        /* The hypervisor refused: the value does not fit the VM's state. */
        netsnmp_set_request_error(reqinfo, r, SNMP_ERR_INCONSISTENTVALUE);
    } else {
        snmp_log(LOG_NOTICE, "vmmib: control: %s: done\n", pl->what);
    }
    job_free(j);
}

static void undo(struct plan *pl, const unsigned char *map, size_t maplen)
{
    if (!pl->acted)
        return;
    pl->acted = false;
    if (pl->admin_target)
        set_override(pl->index, 0);
    if (pl->undo == A_NONE) {
        snmp_log(LOG_WARNING,
                 "vmmib: control: %s: a later varbind failed, and %s cannot be "
                 "undone\n",
                 pl->what, action_names[pl->action]);
        return;
    }
    struct job *j = make_job(pl, pl->undo, pl->undo_arg, map, maplen);
    if (!j) {
        snmp_log(LOG_WARNING, "vmmib: control: %s: out of memory, not undone\n", pl->what);
        return;
    }
    snmp_log(LOG_NOTICE, "vmmib: control: %s: undone (%s) because a later varbind failed\n",
             pl->what, action_names[pl->undo]);
    if (submit(j, 0))
        job_free(j);
}

void vmmib_control_vm_set(const void *p, unsigned column, netsnmp_request_info *r,
                          netsnmp_agent_request_info *reqinfo, netsnmp_request_info *all)
{
    (void)all;
    const struct vm_row *row = p;
    struct plan *pl = netsnmp_request_get_list_data(r, PLAN_KEY);
    switch (reqinfo->mode) {
    case MODE_SET_RESERVE1: {
        char who[256], what[384];
        describe_requester(reqinfo, who, sizeof(who));
        const char *colname = column == 5    ? "vmAdminState"
                              : column == 9  ? "vmCurCpuNumber"
                              : column == 13 ? "vmCurMem"
                                             : "column";
        char value[32];
        value_text(r->requestvb, value, sizeof(value));
        oid idx = r->requestvb->name_length ? r->requestvb->name[r->requestvb->name_length - 1] : 0;
        snprintf(what, sizeof(what), "SET %s.%lu (%s) = %s", colname, (unsigned long)idx,
                 row && row->name ? row->name : "no such VM", value);
        if (!vmmib_cfg.write_access) {
            netsnmp_set_request_error(reqinfo, r, SNMP_ERR_NOTWRITABLE);
            return;
        }
        if (column != 5 && column != 9 && column != 13) {
            /* vmMin/MaxCpuNumber, vmMin/MaxMem: libvirt cannot change them
             * live without touching the persistent definition. */
            refuse(reqinfo, r, SNMP_ERR_NOTWRITABLE, who, what,
                   "not writable: libvirt cannot change it live only");
            return;
        }
        if (!row) {
            refuse(reqinfo, r, SNMP_ERR_NOCREATION, who, what,
                   "no such VM; rows are not created by SET");
            return;
        }
        if (r->requestvb->type != ASN_INTEGER) {
            refuse(reqinfo, r, SNMP_ERR_WRONGTYPE, who, what, "an INTEGER is required");
            return;
        }
        long v = *r->requestvb->val.integer;
        pl = calloc(1, sizeof(*pl));
        if (!pl) {
            netsnmp_set_request_error(reqinfo, r, SNMP_ERR_RESOURCEUNAVAILABLE);
            return;
        }
        pl->index = row->index;
        memcpy(pl->uuid, row->uuid, 16);
        snprintf(pl->what, sizeof(pl->what), "%s by %s", what, who);
        netsnmp_request_add_list_data(r, netsnmp_create_data_list(PLAN_KEY, pl, free));
        if (row->oper == VM_OPER_UNKNOWN || !vmmib_snapshot()->connected) {
            refuse(reqinfo, r, SNMP_ERR_RESOURCEUNAVAILABLE, who, what,
                   "the hypervisor is not answering");
            return;
        }
        if (column == 5) {
            if (v < 1 || v > 5) {
                refuse(reqinfo, r, SNMP_ERR_WRONGVALUE, who, what,
                       "running(1), suspended(2), paused(3), shutdown(4) or destroy(5)");
                return;
            }
            bool noop;
            pl->action = admin_action(row, v, &noop, &pl->undo);
            if (pl->action == A_NONE && !noop) {
                char why[128];
                snprintf(why, sizeof(why), "%s makes no sense while the VM is %s", admin_name(v),
                         vm_oper_name(row->oper));
                refuse(reqinfo, r, SNMP_ERR_INCONSISTENTVALUE, who, what, why);
                return;
            }
            pl->admin_target = v == 5 ? VM_ADMIN_SHUTDOWN : (int)v;
            if (noop)
                pl->admin_target = 0;
        } else if (column == 9) {
            if (v < 0) {
                refuse(reqinfo, r, SNMP_ERR_WRONGVALUE, who, what, "a count of vCPUs");
                return;
            }
            if (!vm_oper_is_active(row->oper)) {
                refuse(reqinfo, r, SNMP_ERR_INCONSISTENTVALUE, who, what,
                       "the VM is not running: a live change is impossible");
                return;
            }
            if (v < 1 || (row->max_cpu > 0 && v > row->max_cpu)) {
                refuse(reqinfo, r, SNMP_ERR_INCONSISTENTVALUE, who, what,
                       "outside 1..vmMaxCpuNumber");
                return;
            }
            if (v != row->cur_cpu) {
                pl->action = pl->undo = A_VCPUS;
                pl->arg = (unsigned long long)v;
                pl->undo_arg = (unsigned long long)row->cur_cpu;
            }
        } else {
            uint64_t mem[2] = {row->cur_mem_kib * 1024, row->max_mem_kib * 1024};
            uint64_t unit = vm_pick_unit(mem, 2, 1024);
            if (v < 0) {
                refuse(reqinfo, r, SNMP_ERR_WRONGVALUE, who, what, "a size in vmMemUnit");
                return;
            }
            if (!vm_oper_is_active(row->oper)) {
                refuse(reqinfo, r, SNMP_ERR_INCONSISTENTVALUE, who, what,
                       "the VM is not running: a live change is impossible");
                return;
            }
            uint64_t kib = (uint64_t)v * unit / 1024;
            if (kib == 0 || kib > row->max_mem_kib) {
                refuse(reqinfo, r, SNMP_ERR_INCONSISTENTVALUE, who, what,
                       "outside 1 KiB..vmMaxMem (in vmMemUnit units)");
                return;
            }
            if (kib != row->cur_mem_kib) {
                pl->action = pl->undo = A_MEMORY;
                pl->arg = kib;
                pl->undo_arg = row->cur_mem_kib;
            }
        }
        return;
    }
    case MODE_SET_ACTION:
        if (pl)
            act(reqinfo, r, pl, NULL, 0);
        return;
    case MODE_SET_UNDO:
        if (pl)
            undo(pl, NULL, 0);
        return;
    default: /* RESERVE2, COMMIT, FREE: the plan goes with the request */
        return;
    }
}

/* ---- vmCpuAffinity ---- */

/* The new pinning of the vCPU that request r's row belongs to: its
 * current map with every SET of this PDU for the same vCPU applied. */
static unsigned char *group_map(const struct vmmib_affinity_ref *ref, netsnmp_request_info *all,
                                size_t maplen, bool *leader, netsnmp_request_info *self)
{
    unsigned char *map = calloc(1, maplen);
    if (!map)
        return NULL;
    if (ref->vcpu->cpumap)
        memcpy(map, ref->vcpu->cpumap, maplen);
    *leader = true;
    bool seen_self = false;
    for (netsnmp_request_info *q = all; q; q = q->next) {
        struct plan *pl = netsnmp_request_get_list_data(q, PLAN_KEY);
        if (!pl || pl->index != ref->vm_index || pl->vcpu != ref->vcpu->number)
            continue;
        if (q == self)
            seen_self = true;
        else if (!seen_self)
            *leader = false; /* an earlier varbind of the group acts for it */
        if (pl->cpu / 8 < (int)maplen) {
            if (pl->value == 1)
                map[pl->cpu / 8] |= (unsigned char)(1 << (pl->cpu % 8));
            else
                map[pl->cpu / 8] &= (unsigned char)~(1 << (pl->cpu % 8));
        }
    }
    return map;
}

void vmmib_control_affinity_set(const void *p, unsigned column, netsnmp_request_info *r,
                                netsnmp_agent_request_info *reqinfo, netsnmp_request_info *all)
{
    const struct vmmib_affinity_ref *ref = p;
    const struct vm_snapshot *s = vmmib_snapshot();
    struct plan *pl = netsnmp_request_get_list_data(r, PLAN_KEY);
    switch (reqinfo->mode) {
    case MODE_SET_RESERVE1: {
        char who[256], what[384];
        describe_requester(reqinfo, who, sizeof(who));
        char value[32];
        value_text(r->requestvb, value, sizeof(value));
        snprintf(what, sizeof(what), "SET vmCpuAffinity (%s vCPU %d host CPU %d) = %s",
                 ref && ref->vm_name ? ref->vm_name : "no such row", ref ? ref->vcpu->number : -1,
                 ref ? ref->cpu : -1, value);
        if (!vmmib_cfg.write_access) {
            netsnmp_set_request_error(reqinfo, r, SNMP_ERR_NOTWRITABLE);
            return;
        }
        if (column != 3) {
            refuse(reqinfo, r, SNMP_ERR_NOTWRITABLE, who, what, "not writable");
            return;
        }
        if (!ref) {
            refuse(reqinfo, r, SNMP_ERR_NOCREATION, who, what,
                   "no such vCPU or host CPU; rows are not created by SET");
            return;
        }
        if (r->requestvb->type != ASN_INTEGER) {
            refuse(reqinfo, r, SNMP_ERR_WRONGTYPE, who, what, "an INTEGER is required");
            return;
        }
        long v = *r->requestvb->val.integer;
        if (v != 1 && v != 2) {
            refuse(reqinfo, r, SNMP_ERR_WRONGVALUE, who, what, "enable(1) or disable(2)");
            return;
        }
        pl = calloc(1, sizeof(*pl));
        if (!pl) {
            netsnmp_set_request_error(reqinfo, r, SNMP_ERR_RESOURCEUNAVAILABLE);
            return;
        }
        pl->index = ref->vm_index;
        memcpy(pl->uuid, ref->uuid, 16);
        pl->vcpu = ref->vcpu->number;
        pl->cpu = ref->cpu;
        pl->value = (int)v;
        snprintf(pl->what, sizeof(pl->what), "%s by %s", what, who);
        netsnmp_request_add_list_data(r, netsnmp_create_data_list(PLAN_KEY, pl, free));
        if (!s->connected || !ref->vcpu->cpumap) {
            refuse(reqinfo, r, SNMP_ERR_RESOURCEUNAVAILABLE, who, what,
                   "the current pinning is not known");
            return;
        }
        return;
    }
    case MODE_SET_RESERVE2: {
        if (!pl || !ref)
            return;
        /* Every request's plan exists now: check the combined pinning. */
        bool leader;
        unsigned char *map = group_map(ref, all, s->cpumap_len, &leader, r);
        if (!map) {
            netsnmp_set_request_error(reqinfo, r, SNMP_ERR_RESOURCEUNAVAILABLE);
            return;
        }
        bool any = false;
        for (int c = 0; c < s->host_cpus; c++)
            any |= vm_cpumap_has(map, s->cpumap_len, c);
        bool same = ref->vcpu->cpumap && memcmp(map, ref->vcpu->cpumap, s->cpumap_len) == 0;
        free(map);
        if (!any) {
            char who[256];
            describe_requester(reqinfo, who, sizeof(who));
            refuse(reqinfo, r, SNMP_ERR_INCONSISTENTVALUE, who, pl->what,
                   "every vCPU must keep at least one enabled host CPU");
            return;
        }
        pl->leader = leader;
        pl->action = leader && !same ? A_PIN : A_NONE;
        pl->undo = pl->action;
        pl->arg = pl->undo_arg = (unsigned long long)pl->vcpu;
        return;
    }
    case MODE_SET_ACTION:
        if (pl && ref && pl->action == A_PIN) {
            bool leader;
            unsigned char *map = group_map(ref, all, s->cpumap_len, &leader, r);
            if (!map) {
                netsnmp_set_request_error(reqinfo, r, SNMP_ERR_RESOURCEUNAVAILABLE);
                return;
            }
            act(reqinfo, r, pl, map, s->cpumap_len);
            free(map);
        }
        return;
    case MODE_SET_UNDO:
        if (pl && ref && ref->vcpu->cpumap)
            undo(pl, ref->vcpu->cpumap, s->cpumap_len);
        return;
    default:
        return;
    }
}
