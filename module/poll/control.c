/* See control.h.  The control thread has a read-write connection of its
 * own: libvirt's client is not safe when two threads use one remote
 * connection that keepalive closes.  Only with the in-process test driver,
 * where a second connection would be a second, private hypervisor, does it
 * use the poller's.  Every change is live only: no call here touches a
 * domain's persistent definition. */
#define _GNU_SOURCE
#include "control.h"

#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

#include "../model/vmtime.h"

/* An order that could not start this long after its SET (the hypervisor is
 * hung, an earlier action blocks) is dropped rather than run much later. */
#define JOB_START_MAX_MS 10000
/* Keepalive of the control connection: a hung daemon fails its calls after
 * about 5 s x 3. */
#define KEEPALIVE_INTERVAL_S 5
#define KEEPALIVE_COUNT 3
/* How long control_stop waits for an idle thread to end (closing its
 * connection talks to the daemon). */
#define JOIN_WAIT_MS 200

struct job {
    struct control_order o; /* map and what are owned copies */
    int64_t queued_ms;
    /* result, under lock */
    bool done;
    bool failed;
    char *error;
    bool orphan; /* the SET stopped waiting: report the outcome later */
    struct job *next;
};

/* The state survives a reload while the module is pinned (a thread was
 * left running): a thread parked in a hung action is taken over by the
 * next load with the same URI instead of a second one hanging too. */
static struct {
    pthread_t thread;
    bool running; /* a thread of ctl.generation exists (joinable) */
    pthread_mutex_t lock;
    pthread_cond_t cond;      /* new job, or stop */
    pthread_cond_t done_cond; /* a job finished */
    bool stop;
    struct job *queue, *queue_tail;
    struct job *finished, *finished_tail; /* orphans done */
    struct carry_request *requests;
    size_t n_requests, cap_requests;
    struct poller *poller;
    char *uri;           /* the URI the thread's connection goes to */
    bool busy;           /* the thread is performing a job */
    bool parked;         /* unloaded while busy: ends after its job unless adopted */
    bool exited;         /* the thread of ctl.generation has ended */
    unsigned generation; /* a thread of an older generation (left running by a
                            stop that could not wait) ends after its job */
} ctl = {.lock = PTHREAD_MUTEX_INITIALIZER,
         .cond = PTHREAD_COND_INITIALIZER,
         .done_cond = PTHREAD_COND_INITIALIZER};

static void job_free(struct job *j)
{
    if (!j)
        return;
    free((void *)j->o.map);
    free((void *)j->o.what);
    free(j->error);
    free(j);
}

/* Under lock. */
static void add_request(const unsigned char uuid[16], int target)
{
    if (ctl.n_requests == ctl.cap_requests) {
        size_t ncap = ctl.cap_requests ? ctl.cap_requests * 2 : 16;
        struct carry_request *n = realloc(ctl.requests, ncap * sizeof(*n));
        if (!n)
            return; /* the round then shows the state libvirt reports */
        ctl.requests = n;
        ctl.cap_requests = ncap;
    }
    struct carry_request *r = &ctl.requests[ctl.n_requests++];
    memcpy(r->uuid, uuid, 16);
    r->target = target;
    r->at_ms = vmtime_boot_ms();
}

/* ---- libvirt calls (control thread) ---- */

/* A live-only change.  Some drivers (the test driver) refuse the explicit
 * LIVE flag; for a running domain CURRENT means the same thing, and it is
 * used only after checking the domain is running, so that the persistent
 * definition is never what changes. */
static int live_change(virDomainPtr dom, const struct control_order *o, unsigned flags)
{
    int rc;
    if (o->action == ADMIN_VCPUS)
        rc = virDomainSetVcpusFlags(dom, (unsigned)o->arg, flags);
    else if (o->action == ADMIN_MEMORY)
        rc = virDomainSetMemoryFlags(dom, (unsigned long)o->arg, flags);
    else
        rc = virDomainPinVcpuFlags(dom, (unsigned)o->arg, (unsigned char *)o->map, (int)o->maplen,
                                   flags);
    if (rc == 0 || flags != VIR_DOMAIN_AFFECT_LIVE)
        return rc;
    virErrorPtr err = virGetLastError();
    if (!err || err->code != VIR_ERR_INVALID_ARG || !err->message ||
        !strstr(err->message, "unsupported flags") || virDomainIsActive(dom) != 1)
        return rc;
    return live_change(dom, o, VIR_DOMAIN_AFFECT_CURRENT);
}

static int run_action(virDomainPtr dom, const struct control_order *o)
{
    switch (o->action) {
    case ADMIN_CREATE:
        return virDomainCreate(dom);
    case ADMIN_RESUME:
        return virDomainResume(dom);
    case ADMIN_SUSPEND:
        return virDomainSuspend(dom);
    case ADMIN_MANAGEDSAVE:
        return virDomainManagedSave(dom, 0);
    case ADMIN_SHUTDOWN:
        return virDomainShutdown(dom);
    case ADMIN_DESTROY:
        return virDomainDestroy(dom);
    case ADMIN_MSAVE_REMOVE:
        return virDomainManagedSaveRemove(dom, 0);
    case ADMIN_PMWAKEUP:
        return virDomainPMWakeup(dom, 0);
    case ADMIN_VCPUS:
    case ADMIN_MEMORY:
    case ADMIN_PIN:
        return live_change(dom, o, VIR_DOMAIN_AFFECT_LIVE);
    default:
        return 0;
    }
}

/* The connection for one action (release with virConnectClose), or NULL
 * with *error set. */
static virConnectPtr control_conn(struct poller *p, virConnectPtr *own, char **error)
{
    if (poller_in_process(p) != 0) {
        virConnectPtr c = poller_conn_ref(p);
        if (!c)
            *error = strdup("the hypervisor is not connected");
        return c;
    }
    if (*own && virConnectIsAlive(*own) != 1) {
        virConnectClose(*own);
        *own = NULL;
    }
    if (!*own) {
        *own = virConnectOpen(poller_uri(p));
        if (!*own) {
            const char *m = virGetLastErrorMessage();
            if (asprintf(error, "cannot connect to the hypervisor: %s", m ? m : "?") < 0)
                *error = NULL;
            return NULL;
        }
        virConnectSetKeepAlive(*own, KEEPALIVE_INTERVAL_S, KEEPALIVE_COUNT);
    }
    if (virConnectRef(*own) != 0) {
        *error = strdup("out of memory");
        return NULL;
    }
    return *own;
}

static bool too_late(const struct job *j, char **error)
{
    if (vmtime_boot_ms() - j->queued_ms <= JOB_START_MAX_MS)
        return false;
    *error = strdup("not started: the hypervisor did not take it in time");
    return true;
}

/* Perform one job; false with *error when it failed. */
static bool perform(struct poller *p, virConnectPtr *own, struct job *j, char **error)
{
    if (!p) {
        *error = strdup("the agent is stopping");
        return false;
    }
    if (too_late(j, error))
        return false;
    virConnectPtr conn = control_conn(p, own, error);
    if (!conn)
        return false;
    /* Opening may itself have waited for a hung daemon. */
    bool ok = !too_late(j, error);
    if (ok) {
        virDomainPtr dom = virDomainLookupByUUID(conn, j->o.uuid);
        if (!dom || run_action(dom, &j->o) < 0) {
            const char *m = virGetLastErrorMessage();
            *error = strdup(m ? m : "libvirt error");
            ok = false;
        }
        if (dom)
            virDomainFree(dom);
    }
    virConnectClose(conn);
    return ok;
}

/* ---- the thread ---- */

/* Under lock: a job is done; its waiter or the outcome list takes it. */
static void finish(struct job *j, bool ok, char *error)
{
    j->failed = !ok;
    j->error = error;
    j->done = true;
    if (!ok && j->o.shows)
        add_request(j->o.uuid, 0); /* the state asked for is not coming */
    if (j->orphan) {
        if (ctl.finished_tail)
            ctl.finished_tail->next = j;
        else
            ctl.finished = j;
        ctl.finished_tail = j;
    }
    pthread_cond_broadcast(&ctl.done_cond);
}

static void *control_thread(void *arg)
{
    unsigned generation = (unsigned)(uintptr_t)arg;
    virConnectPtr own = NULL;                   /* this thread's own connection */
    poller_thread_role("vmmib-control", false); /* a SET waits for it */
    pthread_mutex_lock(&ctl.lock);
    for (;;) {
        while (!ctl.stop && !ctl.queue && ctl.generation == generation)
            pthread_cond_wait(&ctl.cond, &ctl.lock);
        if (ctl.stop || ctl.generation != generation)
            break; /* stopping (queued jobs are dropped), or replaced */
        struct job *j = ctl.queue;
        ctl.queue = j->next;
        if (!ctl.queue)
            ctl.queue_tail = NULL;
        j->next = NULL;
        /* The poller may be released while the job runs: hold it. */
        struct poller *poller = ctl.poller;
        if (poller)
            poller_ref(poller);
        ctl.busy = true;
        pthread_mutex_unlock(&ctl.lock);

        char *error = NULL;
        bool ok = perform(poller, &own, j, &error);
        if (poller)
            poller_unref(poller);

        pthread_mutex_lock(&ctl.lock);
        ctl.busy = false;
        if (ctl.generation == generation) {
            finish(j, ok, error);
            /* Let the next round show the result now. */
            if (!ctl.stop && ctl.poller)
                poller_kick(ctl.poller);
        } else {
            job_free(j); /* its agent was unloaded meanwhile */
            free(error);
        }
    }
    if (ctl.generation == generation)
        ctl.exited = true;
    pthread_mutex_unlock(&ctl.lock);
    if (own)
        virConnectClose(own);
    return NULL;
}

/* The thread of an unloaded agent is not taken over: it ends after its job
 * (touching nothing of ours), on its own.  Under lock. */
static void let_go(void)
{
    pthread_detach(ctl.thread);
    ctl.generation++;
    ctl.running = false;
    ctl.parked = false;
}

int control_start(struct poller *p)
{
    pthread_mutex_lock(&ctl.lock);
    if (ctl.running && ctl.parked && !ctl.exited && ctl.uri && poller_uri(p) &&
        strcmp(ctl.uri, poller_uri(p)) == 0) {
        /* Still in an action against the same hypervisor: take it over. */
        ctl.parked = false;
        ctl.stop = false;
        ctl.poller = p;
        pthread_mutex_unlock(&ctl.lock);
        return 0;
    }
    if (ctl.running)
        let_go();
    free(ctl.uri);
    ctl.uri = poller_uri(p) ? strdup(poller_uri(p)) : NULL;
    ctl.stop = ctl.parked = ctl.exited = false;
    ctl.poller = p;
    unsigned generation = ++ctl.generation;
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    int rc = pthread_create(&ctl.thread, NULL, control_thread, (void *)(uintptr_t)generation);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    ctl.running = rc == 0;
    pthread_mutex_unlock(&ctl.lock);
    return rc == 0 ? 0 : -1;
}

static void free_list(struct job *j)
{
    for (struct job *n; j; j = n) {
        n = j->next;
        job_free(j);
    }
}

/* Stop the thread without waiting on libvirt: a busy one is parked, an
 * idle one joined within JOIN_WAIT_MS (else let go).  Under lock. */
static void stop_thread(void)
{
    ctl.stop = true;
    ctl.poller = NULL;
    pthread_cond_broadcast(&ctl.cond);
    if (ctl.busy) {
        /* A long action, or one the hypervisor does not answer: it finishes
         * on its own, and the next load may take the thread over. */
        ctl.parked = true;
        poller_pin_module();
        return;
    }
    pthread_mutex_unlock(&ctl.lock);
    struct timespec deadline = vmtime_deadline(JOIN_WAIT_MS);
    bool joined = pthread_timedjoin_np(ctl.thread, NULL, &deadline) == 0;
    pthread_mutex_lock(&ctl.lock);
    if (joined) {
        ctl.running = false;
    } else {
        /* Closing its connection to a daemon that does not answer. */
        poller_pin_module();
        let_go();
    }
}

void control_stop(void)
{
    pthread_mutex_lock(&ctl.lock);
    if (ctl.running && !ctl.parked)
        stop_thread();
    if (!ctl.running) {
        /* Nothing for a next load to take over: the module may go. */
        free(ctl.uri);
        ctl.uri = NULL;
    }
    free_list(ctl.queue);
    free_list(ctl.finished);
    ctl.queue = ctl.queue_tail = ctl.finished = ctl.finished_tail = NULL;
    free(ctl.requests);
    ctl.requests = NULL;
    ctl.n_requests = ctl.cap_requests = 0;
    pthread_mutex_unlock(&ctl.lock);
}

bool control_not_answering(char *why, size_t len)
{
    pthread_mutex_lock(&ctl.lock);
    struct poller *p = ctl.poller;
    if (p)
        poller_ref(p);
    pthread_mutex_unlock(&ctl.lock);
    if (!p)
        return false;
    int64_t ms = 0;
    bool down = poller_not_answering(p, &ms);
    poller_unref(p);
    if (down)
        snprintf(why, len, "the hypervisor has not answered for %lld s", (long long)(ms / 1000));
    return down;
}

static struct job *job_new(const struct control_order *o)
{
    struct job *j = calloc(1, sizeof(*j));
    if (!j)
        return NULL;
    j->o = *o;
    j->o.what = strdup(o->what ? o->what : "");
    j->o.map = NULL;
    if (o->map && (j->o.map = malloc(o->maplen)))
        memcpy((void *)j->o.map, o->map, o->maplen);
    if (!j->o.what || (o->map && !j->o.map)) {
        job_free(j);
        return NULL;
    }
    return j;
}

enum control_result control_run(const struct control_order *o, int wait_ms, char **error)
{
    struct job *j = job_new(o);
    if (!j)
        return CONTROL_NOMEM;
    pthread_mutex_lock(&ctl.lock);
    j->queued_ms = vmtime_boot_ms();
    if (o->shows)
        add_request(o->uuid, o->shows);
    if (ctl.queue_tail)
        ctl.queue_tail->next = j;
    else
        ctl.queue = j;
    ctl.queue_tail = j;
    pthread_cond_signal(&ctl.cond);
    struct timespec until = vmtime_deadline(wait_ms);
    while (!j->done && wait_ms > 0 &&
           pthread_cond_timedwait(&ctl.done_cond, &ctl.lock, &until) == 0)
        ;
    bool done = j->done;
    if (!done)
        j->orphan = true; /* the thread owns it now */
    pthread_mutex_unlock(&ctl.lock);
    if (!done)
        return CONTROL_PENDING;
    enum control_result r = j->failed ? CONTROL_FAILED : CONTROL_DONE;
    if (j->failed) {
        *error = j->error;
        j->error = NULL;
    }
    job_free(j);
    return r;
}

void control_cancel(const unsigned char uuid[16])
{
    pthread_mutex_lock(&ctl.lock);
    add_request(uuid, 0);
    pthread_mutex_unlock(&ctl.lock);
}

size_t control_take_requests(struct carry_request **out)
{
    pthread_mutex_lock(&ctl.lock);
    *out = ctl.requests;
    size_t n = ctl.n_requests;
    ctl.requests = NULL;
    ctl.n_requests = ctl.cap_requests = 0;
    pthread_mutex_unlock(&ctl.lock);
    return n;
}

size_t control_take_outcomes(struct control_outcome **out)
{
    pthread_mutex_lock(&ctl.lock);
    struct job *list = ctl.finished;
    ctl.finished = ctl.finished_tail = NULL;
    pthread_mutex_unlock(&ctl.lock);
    size_t n = 0;
    for (struct job *j = list; j; j = j->next)
        n++;
    *out = n ? calloc(n, sizeof(**out)) : NULL;
    size_t k = 0;
    for (struct job *j = list; j && *out; j = j->next, k++) {
        (*out)[k] = (struct control_outcome){
            .what = (char *)j->o.what, .failed = j->failed, .error = j->error};
        j->o.what = NULL;
        j->error = NULL;
    }
    free_list(list);
    return *out ? n : 0;
}

void control_outcomes_free(struct control_outcome *o, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(o[i].what);
        free(o[i].error);
    }
    free(o);
}
