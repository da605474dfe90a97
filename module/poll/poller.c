/* Worker thread: libvirt connection, reconnect with backoff, one raw
 * snapshot per request; libvirt's event loop thread for lifecycle events,
 * keepalive and close notices.  See poller.h. */
#define _GNU_SOURCE
#include "poller.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

#include "../model/state.h"
#include "../model/vmtime.h"
#include "collect.h"

#define BACKOFF_MAX_S 60
/* Threads that do bulk work (a round over every VM) run this much nicer
 * than snmpd's main thread, up to the nicest there is: on a busy host the
 * kernel lets the main thread answer first. */
#define POLLER_NICE_STEP 10
#define POLLER_NICE_MAX 19
/* The hypervisor is taken as not answering when a round has been under way
 * this many times longer than the slowest recent round, and at least
 * HANG_MIN_MS (a healthy host answers a round in milliseconds to a second
 * or two). */
#define HANG_FACTOR 4
#define HANG_MIN_MS 2000
/* How long an unload waits for an idle worker to end (closing its
 * connection talks to the daemon). */
#define JOIN_WAIT_MS 200
/* Rounds triggered by events come at most this often. */
#define EVENT_ROUND_MIN_MS 1000
/* Events kept between two rounds; beyond that only the next poll counts. */
#define EVENTS_MAX 65536
/* How long a round waits for libvirt's event loop to dispatch what it had
 * received (normally microseconds; the loop thread never blocks long). */
#define BARRIER_WAIT_MS 2000
/* The domain events the poller follows: lifecycle, and devices plugged or
 * unplugged (the tables follow within one round, not at the next refresh
 * of the definition cache). */
enum { EV_LIFECYCLE, EV_DEVICE_ADDED, EV_DEVICE_REMOVED, EV_DEVICE_REMOVAL_FAILED, EV_COUNT };

struct poller {
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    int pipe_rd, pipe_wr;
    int refs; /* main thread + worker; the last one frees */

    /* under lock */
    bool stop;
    bool requested;
    int64_t busy_since;
    bool parked;        /* unloaded during a libvirt call: the next load with the same
                           URI and access takes the worker over, else it ends after it */
    bool orphan;        /* nobody will join the worker: it detaches itself */
    bool exited;        /* the worker is done with libvirt */
    bool answering;     /* the last round was connected */
    int64_t usual_ms;   /* the slowest recent round, decaying */
    int64_t changed_ms; /* when answering last changed */
    struct snapshot *done;
    bool ev_stop;         /* the event loop thread should end */
    virConnectPtr shared; /* in-process driver only: the live connection, for SET actions */
    int in_process;       /* -1 unknown (never connected), 0 no, 1 yes */
    char *writes_refused; /* why libvirt refused read-write access, or NULL */
    struct snapshot_event *events; /* from the event loop thread, for the next round */
    size_t n_events, cap_events;
    uint64_t ev_seq;             /* events dispatched so far: the last one's number */
    bool ev_running;             /* the event loop thread runs libvirt's loop */
    bool barrier_hit;            /* the event loop reached the worker's barrier */
    pthread_cond_t barrier_cond; /* signals barrier_hit */

    /* worker only */
    char *uri;
    bool read_write;
    virConnectPtr conn;
    unsigned failures;
    int64_t retry_at_ms;
    int64_t hv_init_ms;
    bool local;
    char *hv_software, *hv_version, *conn_uri;
    struct defcache *defs;
    int callback_ids[EV_COUNT]; /* event registrations, -1 = none */
    bool close_cb;              /* close callback registered */
    int64_t last_round_ms;

    /* main thread only */
    pthread_t evthread;
    bool ev_started;
};

static void silent_error(void *opaque, virErrorPtr err)
{
    (void)opaque;
    (void)err; /* errors are read with virGetLastError where they matter */
}

static char *last_error(const char *what)
{
    const char *msg = virGetLastErrorMessage();
    char *out = NULL;
    if (asprintf(&out, "%s: %s", what, msg ? msg : "unknown libvirt error") < 0)
        return NULL;
    return out;
}

void poller_unref(struct poller *p)
{
    pthread_mutex_lock(&p->lock);
    int left = --p->refs;
    pthread_mutex_unlock(&p->lock);
    if (left > 0)
        return;
    if (p->conn)
        virConnectClose(p->conn);
    defcache_free(p->defs);
    snapshot_free(p->done);
    if (p->shared)
        virConnectClose(p->shared);
    free(p->events);
    if (p->pipe_rd >= 0)
        close(p->pipe_rd);
    if (p->pipe_wr >= 0)
        close(p->pipe_wr);
    free(p->uri);
    free(p->hv_software);
    free(p->hv_version);
    free(p->conn_uri);
    free(p->writes_refused);
    pthread_cond_destroy(&p->cond);
    pthread_cond_destroy(&p->barrier_cond);
    pthread_mutex_destroy(&p->lock);
    free(p);
}

/* Is this URI served on this host (no host part)?  Then the hypervisor was
 * initialised when the host booted. */
static bool uri_is_local(const char *uri)
{
    if (!uri)
        return true;
    const char *sep = strstr(uri, "://");
    if (!sep)
        return true;
    return sep[3] == '/' || sep[3] == '\0';
}

static void on_close(virConnectPtr conn, int reason, void *opaque);

static void disconnect(struct poller *p)
{
    if (p->conn) {
        /* Our callbacks must not outlive the connection (nor the module). */
        for (int k = 0; k < EV_COUNT; k++) {
            if (p->callback_ids[k] >= 0)
                virConnectDomainEventDeregisterAny(p->conn, p->callback_ids[k]);
            p->callback_ids[k] = -1;
        }
        if (p->close_cb)
            virConnectUnregisterCloseCallback(p->conn, on_close);
        p->close_cb = false;
        pthread_mutex_lock(&p->lock);
        virConnectPtr shared = p->shared;
        p->shared = NULL;
        pthread_mutex_unlock(&p->lock);
        if (shared)
            virConnectClose(shared);
        virConnectClose(p->conn);
        p->conn = NULL;
    }
}

/* Ask for a round from a libvirt callback (event loop thread). */
static void wake_worker(struct poller *p)
{
    p->requested = true;
    pthread_cond_signal(&p->cond);
}

/* Note an event about a domain (oper: the state it announces, 0 = none;
 * the definition may have changed either way) and ask for a round now, so
 * changes arrive without waiting for the poll interval and short-lived
 * states are seen.  Events are numbered in the order libvirt dispatches
 * them, which is the order the daemon sent them.  Event loop thread; makes
 * no libvirt call that talks to the daemon. */
static void note_event(struct poller *p, virDomainPtr dom, int oper)
{
    unsigned char uuid[VIR_UUID_BUFLEN];
    if (virDomainGetUUID(dom, uuid) < 0)
        return;
    pthread_mutex_lock(&p->lock);
    p->ev_seq++;
    if (p->n_events == p->cap_events && p->cap_events < EVENTS_MAX) {
        size_t ncap = p->cap_events ? p->cap_events * 2 : 64;
        struct snapshot_event *n = realloc(p->events, ncap * sizeof(*n));
        if (n) {
            p->events = n;
            p->cap_events = ncap;
        }
    }
    if (p->n_events < p->cap_events) {
        memcpy(p->events[p->n_events].uuid, uuid, 16);
        p->events[p->n_events].oper = oper;
        p->events[p->n_events].seq = p->ev_seq;
        p->n_events++;
    }
    wake_worker(p);
    pthread_mutex_unlock(&p->lock);
}

static int on_lifecycle(virConnectPtr conn, virDomainPtr dom, int event, int detail, void *opaque)
{
    (void)conn;
    note_event(opaque, dom, state_oper_from_event(event, detail));
    return 0;
}

/* A device was plugged, unplugged, or its unplug failed: the definition
 * (disks, NICs) is read again by the round this asks for. */
static void on_device(virConnectPtr conn, virDomainPtr dom, const char *alias, void *opaque)
{
    (void)conn;
    (void)alias;
    note_event(opaque, dom, 0);
}

/* The daemon closed the connection: find out now, not at the next poll. */
static void on_close(virConnectPtr conn, int reason, void *opaque)
{
    (void)conn;
    (void)reason;
    struct poller *p = opaque;
    pthread_mutex_lock(&p->lock);
    wake_worker(p);
    pthread_mutex_unlock(&p->lock);
}

static void schedule_retry(struct poller *p)
{
    unsigned shift = p->failures < 7 ? p->failures : 7;
    int64_t delay = (int64_t)1 << shift; /* 1, 2, 4 ... seconds */
    if (delay > BACKOFF_MAX_S)
        delay = BACKOFF_MAX_S;
    p->failures++;
    p->retry_at_ms = vmtime_boot_ms() + delay * 1000;
}

/* Write access asks for a read-write connection.  When libvirt refuses it
 * (snmpd's user lacks write rights: on Debian, polkit grants them to the
 * libvirt group) monitoring goes on over a read-only one, and why writes
 * are refused is kept for the round to say. */
static virConnectPtr open_connection(struct poller *p)
{
    if (!p->read_write)
        return virConnectOpenReadOnly(p->uri);
    virConnectPtr c = virConnectOpen(p->uri);
    if (c) {
        pthread_mutex_lock(&p->lock);
        free(p->writes_refused);
        p->writes_refused = NULL;
        pthread_mutex_unlock(&p->lock);
        return c;
    }
    char *why = last_error("read-write connection refused");
    c = virConnectOpenReadOnly(p->uri);
    pthread_mutex_lock(&p->lock);
    free(p->writes_refused);
    p->writes_refused = c ? why : NULL;
    pthread_mutex_unlock(&p->lock);
    if (!c)
        free(why);
    return c;
}

/* Lifecycle and device events.  A driver without device events (they
 * are optional) still gets its tables refreshed by the definition cache. */
static void register_events(struct poller *p, virConnectPtr c)
{
    static const int ids[EV_COUNT] = {
        [EV_LIFECYCLE] = VIR_DOMAIN_EVENT_ID_LIFECYCLE,
        [EV_DEVICE_ADDED] = VIR_DOMAIN_EVENT_ID_DEVICE_ADDED,
        [EV_DEVICE_REMOVED] = VIR_DOMAIN_EVENT_ID_DEVICE_REMOVED,
        [EV_DEVICE_REMOVAL_FAILED] = VIR_DOMAIN_EVENT_ID_DEVICE_REMOVAL_FAILED,
    };
    for (int k = 0; k < EV_COUNT; k++) {
        virConnectDomainEventGenericCallback cb = k == EV_LIFECYCLE
                                                      ? VIR_DOMAIN_EVENT_CALLBACK(on_lifecycle)
                                                      : VIR_DOMAIN_EVENT_CALLBACK(on_device);
        p->callback_ids[k] = virConnectDomainEventRegisterAny(c, NULL, ids[k], cb, p, NULL);
    }
}

static int try_connect(struct poller *p, char **error)
{
    if (p->retry_at_ms && vmtime_boot_ms() < p->retry_at_ms) {
        *error = strdup("waiting to reconnect");
        return -1;
    }
    virConnectPtr c = open_connection(p);
    if (!c) {
        *error = last_error("cannot connect to hypervisor");
        schedule_retry(p);
        return -1;
    }
    p->conn = c;
    p->failures = 0;
    p->retry_at_ms = 0;
    /* Remote connections: notice a dead or hung daemon within ~20 s. */
    virConnectSetKeepAlive(c, 5, 3);
    register_events(p, c);
    p->close_cb = virConnectRegisterCloseCallback(c, on_close, p, NULL) == 0;
    /* The test driver lives in this process and each of its connections is
     * a private hypervisor: SET actions must use this very connection.  A
     * remote connection is never shared: libvirt's client crashes when two
     * threads use one that keepalive closes (the control thread opens its
     * own instead). */
    char *canonical = virConnectGetURI(c);
    bool in_process = canonical && strncmp(canonical, "test://", 7) == 0;
    free(canonical);
    pthread_mutex_lock(&p->lock);
    p->in_process = in_process;
    if (in_process && virConnectRef(c) == 0)
        p->shared = c;
    pthread_mutex_unlock(&p->lock);

    free(p->hv_software);
    free(p->hv_version);
    free(p->conn_uri);
    p->hv_software = p->hv_version = p->conn_uri = NULL;

    const char *type = virConnectGetType(c);
    p->hv_software = strdup(type ? type : "");
    unsigned long ver = 0;
    if (virConnectGetVersion(c, &ver) == 0 && ver > 0) {
        if (asprintf(&p->hv_version, "%lu.%lu.%lu", ver / 1000000, (ver / 1000) % 1000,
                     ver % 1000) < 0)
            p->hv_version = NULL;
    }
    if (!p->hv_version)
        p->hv_version = strdup("");
    p->conn_uri = virConnectGetURI(c);
    /* A local hypervisor (KVM, Xen, LXC) came up with the host; a remote one
     * or the in-process test driver was (as far as we can know) initialised
     * when we connected. */
    bool local = uri_is_local(p->conn_uri) && strncmp(p->conn_uri ? p->conn_uri : "", "test:", 5);
    p->hv_init_ms = local ? 0 : vmtime_boot_ms();
    /* The test driver runs in this process: its pointers resolve here too. */
    p->local = uri_is_local(p->conn_uri);
    return 0;
}

/* The barrier's mark: runs on the event loop thread after every event
 * dispatch that was due when the barrier was queued. */
static void barrier_reached(int timer, void *opaque)
{
    (void)timer;
    struct poller *p = opaque;
    pthread_mutex_lock(&p->lock);
    p->barrier_hit = true;
    pthread_cond_broadcast(&p->barrier_cond);
    pthread_mutex_unlock(&p->lock);
}

/* The number of the last event libvirt had received when this is called.
 * libvirt's client receives an event on whichever thread reads the socket
 * (during a call, the caller's) and dispatches it later from its event
 * loop, by a zero timeout armed on receipt: a zero timeout queued now runs
 * after those.  Worker thread. */
static uint64_t event_barrier(struct poller *p)
{
    pthread_mutex_lock(&p->lock);
    bool running = p->ev_running && !p->ev_stop;
    p->barrier_hit = false;
    uint64_t seq = p->ev_seq;
    pthread_mutex_unlock(&p->lock);
    int timer = running ? virEventAddTimeout(0, barrier_reached, p, NULL) : -1;
    if (timer < 0)
        return seq; /* no event loop: no event either */
    struct timespec until = vmtime_deadline(BARRIER_WAIT_MS);
    pthread_mutex_lock(&p->lock);
    while (!p->barrier_hit && !p->stop && !p->ev_stop &&
           pthread_cond_timedwait(&p->barrier_cond, &p->lock, &until) == 0)
        ;
    seq = p->ev_seq;
    pthread_mutex_unlock(&p->lock);
    virEventRemoveTimeout(timer);
    return seq;
}

static uint64_t event_seq(struct poller *p)
{
    pthread_mutex_lock(&p->lock);
    uint64_t seq = p->ev_seq;
    pthread_mutex_unlock(&p->lock);
    return seq;
}

/* Definitions of the domains events named since the last round may have
 * changed (started, defined, a device plugged...): read them anew.  The
 * events stay queued: the round takes them once it has read. */
static void invalidate_named(struct poller *p)
{
    pthread_mutex_lock(&p->lock);
    for (size_t i = 0; i < p->n_events; i++)
        defcache_invalidate(p->defs, p->events[i].uuid);
    pthread_mutex_unlock(&p->lock);
}

/* The events numbered up to hi go with s (those that announce a state);
 * later ones wait for the next round.  Those that came during the round
 * (after lo) make the next round read their definitions anew too. */
static void take_events(struct poller *p, struct snapshot *s, uint64_t lo, uint64_t hi)
{
    pthread_mutex_lock(&p->lock);
    size_t n = 0;
    while (n < p->n_events && p->events[n].seq <= hi)
        n++;
    struct snapshot_event *mine = n ? malloc(n * sizeof(*mine)) : NULL;
    size_t kept = 0;
    for (size_t i = 0; i < n; i++) {
        if (p->events[i].seq > lo)
            defcache_invalidate(p->defs, p->events[i].uuid);
        if (mine && p->events[i].oper)
            mine[kept++] = p->events[i];
    }
    if (n) {
        memmove(p->events, p->events + n, (p->n_events - n) * sizeof(*p->events));
        p->n_events -= n;
    }
    pthread_mutex_unlock(&p->lock);
    s->events = mine;
    s->n_events = kept;
    s->seq_lo = lo;
    s->seq_hi = hi;
}

static struct snapshot *poll_once(struct poller *p)
{
    struct snapshot *s = snapshot_new();
    if (!s)
        return NULL;
    invalidate_named(p);
    /* Every event numbered up to lo was sent before anything is read. */
    uint64_t lo = event_seq(p);

    if (!p->conn) {
        /* Timed apart: the test driver parses its whole node file here. */
        int64_t began = vmtime_boot_ms();
        int rc = try_connect(p, &s->error);
        s->connect_ms = vmtime_boot_ms() - began;
        if (rc < 0)
            goto disconnected;
    }

    if (collect_round(p->conn, p->defs, s) != 0) {
        /* A dead connection is reopened; a live one that failed once is kept. */
        if (virConnectIsAlive(p->conn) != 1)
            disconnect(p);
        goto disconnected;
    }
    if (virConnectIsAlive(p->conn) != 1) {
        /* The daemon went away during the round: what we read is partial. */
        s->error = strdup("connection to the hypervisor was lost");
        disconnect(p);
        for (size_t i = 0; i < s->count; i++)
            snapshot_row_clear(&s->rows[i]);
        s->count = 0;
        goto disconnected;
    }
    s->connected = true;
    goto out;

disconnected:
    s->connected = false;
out:
    /* Every event libvirt sent before the last answer of the round is
     * numbered up to hi now. */
    take_events(p, s, lo, event_barrier(p));
    s->uri = p->conn_uri ? strdup(p->conn_uri) : (p->uri ? strdup(p->uri) : NULL);
    pthread_mutex_lock(&p->lock);
    s->writes_refused = p->writes_refused ? strdup(p->writes_refused) : NULL;
    pthread_mutex_unlock(&p->lock);
    s->hv_software = p->hv_software ? strdup(p->hv_software) : NULL;
    s->hv_version = p->hv_version ? strdup(p->hv_version) : NULL;
    s->hv_known = p->hv_software != NULL;
    s->hv_init_ms = p->hv_init_ms;
    s->local = p->local;
    s->taken_ms = vmtime_boot_ms();
    return s;
}

/* An uncollected older round is superseded by s, but its events still
 * happened: they go in front of s's.  Under lock. */
static void supersede(struct poller *p, struct snapshot *s)
{
    struct snapshot *old = p->done;
    if (old && s && old->n_events) {
        struct snapshot_event *all = malloc((old->n_events + s->n_events) * sizeof(*all));
        if (all) {
            memcpy(all, old->events, old->n_events * sizeof(*all));
            if (s->n_events)
                memcpy(all + old->n_events, s->events, s->n_events * sizeof(*all));
            free(s->events);
            s->events = all;
            s->n_events += old->n_events;
        }
    }
    snapshot_free(old);
    p->done = s;
}

/* Under lock, after each round: is the hypervisor answering, and how long
 * does a round usually take? */
static void note_round(struct poller *p, const struct snapshot *s)
{
    bool answering = s && s->connected;
    int64_t now = vmtime_boot_ms();
    if (answering != p->answering)
        p->changed_ms = now;
    p->answering = answering;
    if (answering) {
        int64_t decayed = p->usual_ms - p->usual_ms / 8;
        p->usual_ms = s->round_ms > decayed ? s->round_ms : decayed;
    }
}

void poller_thread_role(const char *name, bool background)
{
    pthread_setname_np(pthread_self(), name);
    if (!background)
        return;
    /* Linux schedules each thread on its own: this one's nice value leaves
     * the main thread's alone.  Raising it needs no privilege. */
    id_t tid = (id_t)syscall(SYS_gettid);
    errno = 0;
    int now = getpriority(PRIO_PROCESS, tid);
    if (errno == 0 && now < POLLER_NICE_MAX)
        setpriority(PRIO_PROCESS, tid,
                    now + POLLER_NICE_STEP < POLLER_NICE_MAX ? now + POLLER_NICE_STEP
                                                             : POLLER_NICE_MAX);
}

static void *worker(void *arg)
{
    struct poller *p = arg;
    poller_thread_role("vmmib-poll", true);
    pthread_mutex_lock(&p->lock);
    for (;;) {
        while (!p->stop && !p->requested)
            pthread_cond_wait(&p->cond, &p->lock);
        if (p->stop)
            break;
        /* Event bursts cost one round a second, not one round an event. */
        int64_t wait_ms = p->last_round_ms + EVENT_ROUND_MIN_MS - vmtime_boot_ms();
        if (p->last_round_ms && wait_ms > 0) {
            struct timespec until = vmtime_deadline(wait_ms);
            while (!p->stop && pthread_cond_timedwait(&p->cond, &p->lock, &until) == 0)
                ;
            if (p->stop)
                break;
        }
        p->requested = false;
        p->busy_since = vmtime_boot_ms();
        pthread_mutex_unlock(&p->lock);

        int64_t began = vmtime_boot_ms();
        struct snapshot *s = poll_once(p);
        if (s)
            s->round_ms = vmtime_boot_ms() - began;

        pthread_mutex_lock(&p->lock);
        p->busy_since = 0;
        p->last_round_ms = vmtime_boot_ms();
        note_round(p, s);
        if (p->parked)
            p->stop = true; /* unloaded meanwhile, and no load took it over */
        if (p->stop) {
            snapshot_free(s);
            break;
        }
        supersede(p, s);
        char byte = 1;
        if (write(p->pipe_wr, &byte, 1) < 0 && errno != EAGAIN) {
            /* The pipe is non-blocking: full means a wake-up is pending anyway. */
        }
    }
    pthread_mutex_unlock(&p->lock);
    disconnect(p);
    pthread_mutex_lock(&p->lock);
    p->exited = true;
    bool orphan = p->orphan;
    pthread_mutex_unlock(&p->lock);
    if (orphan)
        pthread_detach(pthread_self());
    poller_unref(p);
    return NULL;
}

/* The event loop thread: runs libvirt's loop until told to stop. */
static void *event_loop(void *arg)
{
    struct poller *p = arg;
    poller_thread_role("vmmib-events", false);
    for (;;) {
        pthread_mutex_lock(&p->lock);
        bool stop = p->ev_stop;
        pthread_mutex_unlock(&p->lock);
        if (stop)
            break;
        if (virEventRunDefaultImpl() < 0)
            usleep(100 * 1000); /* never spin on a broken loop */
    }
    poller_unref(p);
    return NULL;
}

static void wake_loop(int timer, void *opaque)
{
    (void)timer;
    (void)opaque; /* only here to make one loop iteration return */
}

/* Stop and join the event loop thread.  A zero timeout makes the blocked
 * iteration return; it is removed again before this code can go away. */
static void stop_event_loop(struct poller *p)
{
    if (!p->ev_started)
        return;
    pthread_mutex_lock(&p->lock);
    p->ev_stop = true;
    pthread_cond_broadcast(&p->barrier_cond);
    pthread_mutex_unlock(&p->lock);
    int timer = virEventAddTimeout(0, wake_loop, NULL, NULL);
    pthread_join(p->evthread, NULL);
    if (timer >= 0)
        virEventRemoveTimeout(timer);
    p->ev_started = false;
}

/* The poller without its threads; NULL with err set. */
static struct poller *poller_new(const char *uri, bool read_write, char *err, size_t errlen)
{
    struct poller *p = calloc(1, sizeof(*p));
    int fds[2] = {-1, -1};
    if (!p || pipe2(fds, O_CLOEXEC | O_NONBLOCK) < 0) {
        snprintf(err, errlen, p ? "pipe: %s" : "%s", p ? strerror(errno) : "out of memory");
        free(p);
        return NULL;
    }
    pthread_mutex_init(&p->lock, NULL);
    pthread_cond_init(&p->cond, NULL);
    pthread_cond_init(&p->barrier_cond, NULL);
    p->pipe_rd = fds[0];
    p->pipe_wr = fds[1];
    p->refs = 1;
    for (int k = 0; k < EV_COUNT; k++)
        p->callback_ids[k] = -1;
    p->changed_ms = vmtime_boot_ms();
    p->in_process = -1;
    p->read_write = read_write;
    p->uri = uri ? strdup(uri) : NULL;
    p->defs = defcache_new();
    if (!p->defs || (uri && !p->uri)) {
        snprintf(err, errlen, "out of memory");
        poller_unref(p);
        return NULL;
    }
    return p;
}

/* libvirt's own event loop (glib), run by a thread of ours: lifecycle
 * events, keepalive and close notices of remote connections.  It must be
 * registered before any connection is opened; registering it again after
 * a reload only re-installs the same libvirt functions.  Every signal is
 * blocked in the threads: they must not take snmpd's (SIGHUP, SIGTERM). */
static void start_event_loop(struct poller *p)
{
    if (virEventRegisterDefaultImpl() != 0)
        return;
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    pthread_mutex_lock(&p->lock);
    p->refs++;
    p->ev_stop = false;
    pthread_mutex_unlock(&p->lock);
    if (pthread_create(&p->evthread, NULL, event_loop, p) == 0) {
        p->ev_started = true;
        pthread_mutex_lock(&p->lock);
        p->ev_running = true;
        pthread_mutex_unlock(&p->lock);
    } else {
        poller_unref(p);
    }
    pthread_sigmask(SIG_SETMASK, &old, NULL);
}

/* The event loop thread and the worker.  0 or errno. */
static int start_threads(struct poller *p)
{
    start_event_loop(p);
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    p->refs++; /* the worker's */
    int rc = pthread_create(&p->thread, NULL, worker, p);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (rc != 0) {
        p->refs--;
        stop_event_loop(p);
    }
    return rc;
}

/* ---- unloading during a libvirt call: park, then adopt or discard ---- */

/* At most one poller outlives an unload: one whose worker was in a libvirt
 * call (a hung daemon may keep it there for days).  The module is pinned
 * then (RTLD_NODELETE), so this survives the reload, and the next load with
 * the same URI and access mode takes the worker over instead of starting
 * another one that would hang too: reloads during a hang cost no thread
 * and no descriptor.  Main thread only. */
static struct poller *parked;

static bool same_uri(const char *a, const char *b)
{
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

/* Nobody will take p over: its worker ends when its call returns (or has
 * ended), and the last reference frees it. */
static void discard(struct poller *p)
{
    pthread_mutex_lock(&p->lock);
    p->stop = true;
    p->parked = false;
    bool exited = p->exited;
    if (!exited)
        p->orphan = true;
    pthread_cond_signal(&p->cond);
    pthread_mutex_unlock(&p->lock);
    if (exited)
        pthread_join(p->thread, NULL); /* done with libvirt: only returning */
    poller_unref(p);
}

static bool adopt(struct poller *p, const char *uri, bool read_write)
{
    if (!same_uri(p->uri, uri) || p->read_write != read_write)
        return false;
    pthread_mutex_lock(&p->lock);
    bool ok = p->parked && !p->stop;
    if (ok)
        p->parked = false;
    pthread_mutex_unlock(&p->lock);
    if (ok)
        start_event_loop(p);
    return ok;
}

struct poller *poller_start(const char *uri, bool read_write, char *err, size_t errlen)
{
    if (parked) {
        struct poller *old = parked;
        parked = NULL;
        if (adopt(old, uri, read_write))
            return old;
        discard(old);
    }
    struct poller *p = poller_new(uri, read_write, err, errlen);
    if (!p)
        return NULL;
    if (virInitialize() < 0) {
        snprintf(err, errlen, "libvirt failed to initialise");
        poller_unref(p);
        return NULL;
    }
    /* libvirt prints every error to stderr by default; we log what matters. */
    virSetErrorFunc(NULL, silent_error);
    int rc = start_threads(p);
    if (rc != 0) {
        snprintf(err, errlen, "cannot start the libvirt thread: %s", strerror(rc));
        virSetErrorFunc(NULL, NULL);
        poller_unref(p);
        return NULL;
    }
    return p;
}

int poller_fd(const struct poller *p)
{
    return p->pipe_rd;
}

void *poller_conn_ref(struct poller *p)
{
    pthread_mutex_lock(&p->lock);
    virConnectPtr c = p->shared;
    if (c && virConnectRef(c) != 0)
        c = NULL;
    pthread_mutex_unlock(&p->lock);
    return c;
}

int poller_in_process(struct poller *p)
{
    pthread_mutex_lock(&p->lock);
    int v = p->in_process;
    pthread_mutex_unlock(&p->lock);
    return v;
}

const char *poller_uri(const struct poller *p)
{
    return p->uri;
}

void poller_kick(struct poller *p)
{
    pthread_mutex_lock(&p->lock);
    wake_worker(p);
    pthread_mutex_unlock(&p->lock);
}

bool poller_request(struct poller *p)
{
    pthread_mutex_lock(&p->lock);
    bool accepted = !p->requested && p->busy_since == 0;
    if (accepted) {
        p->requested = true;
        pthread_cond_signal(&p->cond);
    }
    pthread_mutex_unlock(&p->lock);
    return accepted;
}

struct snapshot *poller_take(struct poller *p)
{
    char buf[64];
    while (read(p->pipe_rd, buf, sizeof(buf)) > 0)
        ;
    pthread_mutex_lock(&p->lock);
    struct snapshot *s = p->done;
    p->done = NULL;
    pthread_mutex_unlock(&p->lock);
    return s;
}

int64_t poller_busy_since(struct poller *p)
{
    pthread_mutex_lock(&p->lock);
    int64_t t = p->busy_since;
    pthread_mutex_unlock(&p->lock);
    return t;
}

/* Keep this object mapped after dlclose: a detached worker still runs its code. */
void poller_pin_module(void)
{
    Dl_info info;
    if (dladdr((void *)poller_pin_module, &info) && info.dli_fname)
        dlopen(info.dli_fname, RTLD_NOW | RTLD_NOLOAD | RTLD_NODELETE);
}

enum poller_release poller_release(struct poller *p, int64_t *busy_ms)
{
    pthread_mutex_lock(&p->lock);
    bool busy = p->busy_since != 0;
    *busy_ms = busy ? vmtime_boot_ms() - p->busy_since : 0;
    if (busy)
        p->parked = true;
    else
        p->stop = true;
    pthread_cond_signal(&p->cond);
    pthread_mutex_unlock(&p->lock);
    /* The worker has deregistered its callbacks if it ended; a busy one
     * does its RPC I/O itself and needs no loop to finish. */
    stop_event_loop(p);
    if (busy) {
        poller_pin_module();
        if (parked)
            discard(parked);
        parked = p; /* with the main thread's reference */
        return POLLER_PARKED;
    }
    struct timespec deadline = vmtime_deadline(JOIN_WAIT_MS);
    if (pthread_timedjoin_np(p->thread, NULL, &deadline) == 0) {
        if (!parked)
            virSetErrorFunc(NULL, NULL); /* nothing of ours calls libvirt any more */
        poller_unref(p);
        return POLLER_JOINED;
    }
    /* Idle, but closing its connection to a daemon that does not answer
     * (keepalive ends that within about 20 s): it finishes on its own. */
    poller_pin_module();
    pthread_mutex_lock(&p->lock);
    bool exited = p->exited;
    if (!exited)
        p->orphan = true;
    pthread_mutex_unlock(&p->lock);
    if (exited)
        pthread_join(p->thread, NULL);
    poller_unref(p);
    return exited ? POLLER_JOINED : POLLER_LEFT;
}

bool poller_not_answering(struct poller *p, int64_t *for_ms)
{
    pthread_mutex_lock(&p->lock);
    int64_t now = vmtime_boot_ms();
    int64_t busy = p->busy_since ? now - p->busy_since : 0;
    int64_t limit = HANG_FACTOR * p->usual_ms;
    if (limit < HANG_MIN_MS)
        limit = HANG_MIN_MS;
    bool stuck = busy > limit, down = !p->answering;
    *for_ms = stuck ? busy : now - p->changed_ms;
    pthread_mutex_unlock(&p->lock);
    return stuck || down;
}

void poller_ref(struct poller *p)
{
    pthread_mutex_lock(&p->lock);
    p->refs++;
    pthread_mutex_unlock(&p->lock);
}
