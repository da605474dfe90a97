/* Worker thread: libvirt connection, reconnect with backoff, one snapshot
 * per request.  See poller.h. */
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
#include <time.h>
#include <unistd.h>

#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

#include "collect.h"

#define BACKOFF_MAX_S 60
struct vm_poller {
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    int pipe_rd, pipe_wr;
    int refs; /* main thread + worker; the last one frees */

    /* under lock */
    bool stop;
    bool requested;
    int64_t busy_since;
    struct vm_snapshot *done;

    /* worker only */
    char *uri;
    bool read_write;
    int poll_interval;
    virConnectPtr conn;
    unsigned failures;
    int64_t retry_at_ms;
    int64_t hv_init_ms;
    bool local;
    char *hv_software, *hv_version, *conn_uri;
    struct vm_def_cache *defs;
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

static void poller_unref(struct vm_poller *p)
{
    pthread_mutex_lock(&p->lock);
    int left = --p->refs;
    pthread_mutex_unlock(&p->lock);
    if (left > 0)
        return;
    if (p->conn)
        virConnectClose(p->conn);
    vm_def_cache_free(p->defs);
    vm_snapshot_free(p->done);
    close(p->pipe_rd);
    close(p->pipe_wr);
    free(p->uri);
    free(p->hv_software);
    free(p->hv_version);
    free(p->conn_uri);
    pthread_cond_destroy(&p->cond);
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

static void disconnect(struct vm_poller *p)
{
    if (p->conn) {
        virConnectClose(p->conn);
        p->conn = NULL;
    }
}

static void schedule_retry(struct vm_poller *p)
{
    unsigned shift = p->failures < 7 ? p->failures : 7;
    int64_t delay = (int64_t)1 << shift; /* 1, 2, 4 ... seconds */
    if (delay > BACKOFF_MAX_S)
        delay = BACKOFF_MAX_S;
    p->failures++;
    p->retry_at_ms = vm_now_boot_ms() + delay * 1000;
}

static int try_connect(struct vm_poller *p, char **error)
{
    if (p->retry_at_ms && vm_now_boot_ms() < p->retry_at_ms) {
        *error = strdup("waiting to reconnect");
        return -1;
    }
    virConnectPtr c = p->read_write ? virConnectOpen(p->uri) : virConnectOpenReadOnly(p->uri);
    if (!c) {
        *error = last_error("cannot connect to hypervisor");
        schedule_retry(p);
        return -1;
    }
    p->conn = c;
    p->failures = 0;
    p->retry_at_ms = 0;

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
    p->hv_init_ms = local ? 0 : vm_now_boot_ms();
    /* The test driver runs in this process: its pointers resolve here too. */
    p->local = uri_is_local(p->conn_uri);
    return 0;
}

static struct vm_snapshot *poll_once(struct vm_poller *p)
{
    struct vm_snapshot *s = vm_snapshot_new();
    if (!s)
        return NULL;
    if (!p->conn && try_connect(p, &s->error) < 0)
        goto disconnected;

    if (vm_collect(p->conn, p->defs, s) != 0) {
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
            vm_row_clear(&s->rows[i]);
        s->count = 0;
        goto disconnected;
    }
    s->connected = true;
    goto out;

disconnected:
    s->connected = false;
out:
    s->uri = p->conn_uri ? strdup(p->conn_uri) : (p->uri ? strdup(p->uri) : NULL);
    s->hv_software = p->hv_software ? strdup(p->hv_software) : NULL;
    s->hv_version = p->hv_version ? strdup(p->hv_version) : NULL;
    s->hv_known = p->hv_software != NULL;
    s->hv_init_ms = p->hv_init_ms;
    s->local = p->local;
    s->taken_ms = vm_now_boot_ms();
    return s;
}

static void *worker(void *arg)
{
    struct vm_poller *p = arg;
    pthread_mutex_lock(&p->lock);
    for (;;) {
        while (!p->stop && !p->requested)
            pthread_cond_wait(&p->cond, &p->lock);
        if (p->stop)
            break;
        p->requested = false;
        p->busy_since = vm_now_boot_ms();
        pthread_mutex_unlock(&p->lock);

        struct vm_snapshot *s = poll_once(p);

        pthread_mutex_lock(&p->lock);
        p->busy_since = 0;
        if (p->stop) {
            vm_snapshot_free(s);
            break;
        }
        vm_snapshot_free(p->done); /* an uncollected older round is superseded */
        p->done = s;
        char byte = 1;
        if (write(p->pipe_wr, &byte, 1) < 0 && errno != EAGAIN) {
            /* The pipe is non-blocking: full means a wake-up is pending anyway. */
        }
    }
    pthread_mutex_unlock(&p->lock);
    disconnect(p);
    poller_unref(p);
    return NULL;
}

struct vm_poller *vm_poller_start(const char *uri, bool read_write, int poll_interval, char *err,
                                  size_t errlen)
{
    struct vm_poller *p = calloc(1, sizeof(*p));
    if (!p) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    int fds[2];
    if (pipe2(fds, O_CLOEXEC | O_NONBLOCK) < 0) {
        snprintf(err, errlen, "pipe: %s", strerror(errno));
        free(p);
        return NULL;
    }
    p->pipe_rd = fds[0];
    p->pipe_wr = fds[1];
    p->refs = 2;
    p->read_write = read_write;
    p->poll_interval = poll_interval;
    p->uri = uri ? strdup(uri) : NULL;
    p->defs = vm_def_cache_new();
    if (!p->defs) {
        snprintf(err, errlen, "out of memory");
        p->refs = 1;
        poller_unref(p);
        return NULL;
    }
    pthread_mutex_init(&p->lock, NULL);
    pthread_cond_init(&p->cond, NULL);

    if (virInitialize() < 0) {
        snprintf(err, errlen, "libvirt failed to initialise");
        goto fail;
    }
    /* libvirt prints every error to stderr by default; we log what matters. */
    virSetErrorFunc(NULL, silent_error);

    /* The worker must not take signals meant for snmpd (SIGHUP, SIGTERM). */
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    int rc = pthread_create(&p->thread, NULL, worker, p);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (rc != 0) {
        snprintf(err, errlen, "cannot start the libvirt thread: %s", strerror(rc));
        goto fail;
    }
    return p;
fail:
    virSetErrorFunc(NULL, NULL);
    p->refs = 1;
    poller_unref(p);
    return NULL;
}

int vm_poller_fd(const struct vm_poller *p)
{
    return p->pipe_rd;
}

bool vm_poller_request(struct vm_poller *p)
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

struct vm_snapshot *vm_poller_take(struct vm_poller *p)
{
    char buf[64];
    while (read(p->pipe_rd, buf, sizeof(buf)) > 0)
        ;
    pthread_mutex_lock(&p->lock);
    struct vm_snapshot *s = p->done;
    p->done = NULL;
    pthread_mutex_unlock(&p->lock);
    return s;
}

int64_t vm_poller_busy_since(struct vm_poller *p)
{
    pthread_mutex_lock(&p->lock);
    int64_t t = p->busy_since;
    pthread_mutex_unlock(&p->lock);
    return t;
}

/* Keep this object mapped after dlclose: a detached worker still runs its code. */
static void pin_module(void)
{
    Dl_info info;
    if (dladdr((void *)pin_module, &info) && info.dli_fname)
        dlopen(info.dli_fname, RTLD_NOW | RTLD_NOLOAD | RTLD_NODELETE);
}

bool vm_poller_stop(struct vm_poller *p, int timeout_ms)
{
    pthread_mutex_lock(&p->lock);
    p->stop = true;
    pthread_cond_signal(&p->cond);
    pthread_mutex_unlock(&p->lock);

    struct timespec deadline;
    clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_sec += timeout_ms / 1000;
    deadline.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
    if (deadline.tv_nsec >= 1000000000L) {
        deadline.tv_sec++;
        deadline.tv_nsec -= 1000000000L;
    }
    bool joined = pthread_timedjoin_np(p->thread, NULL, &deadline) == 0;
    if (!joined) {
        /* Stuck in a libvirt call (hung daemon).  It exits and frees the poller
         * when the call returns; until then this code must stay mapped, and
         * libvirt must not call back into it. */
        pin_module();
        pthread_detach(p->thread);
    } else {
        virSetErrorFunc(NULL, NULL);
    }
    poller_unref(p);
    return joined;
}
