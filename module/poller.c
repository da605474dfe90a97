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

#include "domxml.h"
#include "indexstore.h"

#define BACKOFF_MAX_S 60
/* Definitions are re-read at least this often even without a visible change. */
#define DEF_REFRESH_S 60

struct def_cache_entry {
    unsigned char uuid[16];
    struct vm_def def;
    bool active;     /* activity when the definition was read */
    int64_t read_ms; /* when it was read */
    bool seen;       /* present in the current round */
};

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
    char *hv_software, *hv_version, *conn_uri;
    struct def_cache_entry *defs;
    size_t ndefs;
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
    for (size_t i = 0; i < p->ndefs; i++)
        vm_def_clear(&p->defs[i].def);
    free(p->defs);
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
    return 0;
}

static struct def_cache_entry *def_lookup(struct vm_poller *p, const unsigned char uuid[16])
{
    for (size_t i = 0; i < p->ndefs; i++)
        if (memcmp(p->defs[i].uuid, uuid, 16) == 0)
            return &p->defs[i];
    return NULL;
}

/* The cached definition of dom, re-read when new, when the domain started or
 * stopped (the live XML differs from the inactive one), or when old. */
static const struct vm_def *domain_def(struct vm_poller *p, virDomainPtr dom,
                                       const unsigned char uuid[16], bool active)
{
    struct def_cache_entry *e = def_lookup(p, uuid);
    int64_t now = vm_now_boot_ms();
    if (e && e->active == active && now - e->read_ms < DEF_REFRESH_S * 1000) {
        e->seen = true;
        return &e->def;
    }
    char *xml = virDomainGetXMLDesc(dom, 0);
    struct vm_def fresh;
    memset(&fresh, 0, sizeof(fresh));
    if (!xml || vm_domxml_parse(xml, strlen(xml), &fresh) != 0) {
        free(xml);
        vm_def_clear(&fresh);
        if (e) {
            e->seen = true;
            return &e->def; /* keep what we knew */
        }
        return NULL;
    }
    free(xml);
    if (!fresh.os_type) {
        char *t = virDomainGetOSType(dom);
        fresh.os_type = t ? t : strdup("");
    }
    if (!e) {
        struct def_cache_entry *n = realloc(p->defs, (p->ndefs + 1) * sizeof(*n));
        if (!n) {
            vm_def_clear(&fresh);
            return NULL;
        }
        p->defs = n;
        e = &p->defs[p->ndefs++];
        memset(e, 0, sizeof(*e));
        memcpy(e->uuid, uuid, 16);
    } else {
        vm_def_clear(&e->def);
    }
    e->def = fresh;
    e->active = active;
    e->read_ms = now;
    e->seen = true;
    return &e->def;
}

static void def_cache_sweep(struct vm_poller *p)
{
    size_t w = 0;
    for (size_t r = 0; r < p->ndefs; r++) {
        if (!p->defs[r].seen) {
            vm_def_clear(&p->defs[r].def);
            continue;
        }
        p->defs[r].seen = false;
        p->defs[w++] = p->defs[r];
    }
    p->ndefs = w;
}

/* Fill one row.  Returns 0, 1 when the domain vanished meanwhile (skip it),
 * or -1 when libvirt failed for this domain only (row marked stale). */
static int read_domain(struct vm_poller *p, virDomainPtr dom, struct vm_row *row)
{
    if (virDomainGetUUID(dom, row->uuid) < 0)
        return 1;
    const char *name = virDomainGetName(dom);
    row->name = strdup(name ? name : "");

    virDomainInfo info;
    int state = 0, reason = 0;
    if (virDomainGetState(dom, &state, &reason, 0) < 0 || virDomainGetInfo(dom, &info) < 0) {
        virErrorPtr err = virGetLastError();
        if (err && err->code == VIR_ERR_NO_DOMAIN)
            return 1;
        row->stale = true;
        return -1;
    }
    row->lv_state = state;
    row->lv_reason = reason;
    bool active = virDomainIsActive(dom) == 1;
    int ms = active ? 0 : virDomainHasManagedSaveImage(dom, 0);
    row->has_managed_save = ms == 1;
    row->oper = vm_oper_from_libvirt(state, reason, row->has_managed_save);
    row->admin = vm_admin_from_oper(row->oper, 0);

    int autostart = 0;
    if (virDomainGetAutostart(dom, &autostart) < 0)
        row->autostart = VM_AUTOSTART_UNKNOWN;
    else
        row->autostart = autostart ? VM_AUTOSTART_ENABLED : VM_AUTOSTART_DISABLED;
    int persistent = virDomainIsPersistent(dom);
    row->persistent = persistent == 1   ? VM_PERSIST_PERSISTENT
                      : persistent == 0 ? VM_PERSIST_TRANSIENT
                                        : VM_PERSIST_UNKNOWN;

    row->cur_cpu = info.nrVirtCpu;
    unsigned flags =
        VIR_DOMAIN_VCPU_MAXIMUM | (active ? VIR_DOMAIN_AFFECT_LIVE : VIR_DOMAIN_AFFECT_CONFIG);
    int maxv = virDomainGetVcpusFlags(dom, flags);
    row->max_cpu = maxv > 0 ? maxv : -1;
    row->cur_mem_kib = info.memory;
    row->max_mem_kib = info.maxMem;
    row->cpu_time_ns = active ? info.cpuTime : 0;

    const struct vm_def *def = domain_def(p, dom, row->uuid, active);
    if (def && vm_def_copy(&row->def, def) != 0)
        return -1;
    if (!row->def.os_type)
        row->def.os_type = strdup("");
    return 0;
}

static struct vm_snapshot *poll_once(struct vm_poller *p)
{
    struct vm_snapshot *s = vm_snapshot_new();
    if (!s)
        return NULL;
    if (!p->conn && try_connect(p, &s->error) < 0)
        goto disconnected;

    virDomainPtr *doms = NULL;
    int n = virConnectListAllDomains(p->conn, &doms, 0);
    if (n < 0) {
        s->error = last_error("cannot list domains");
        /* A dead connection is reopened; a live one that failed once is kept. */
        if (virConnectIsAlive(p->conn) != 1)
            disconnect(p);
        goto disconnected;
    }
    s->rows = calloc((size_t)n + 1, sizeof(*s->rows));
    if (!s->rows) {
        for (int i = 0; i < n; i++)
            virDomainFree(doms[i]);
        free(doms);
        s->error = strdup("out of memory");
        goto disconnected;
    }
    for (int i = 0; i < n; i++) {
        struct vm_row *row = &s->rows[s->count];
        int rc = read_domain(p, doms[i], row);
        if (rc == 1)
            vm_row_clear(row);
        else
            s->count++;
        virDomainFree(doms[i]);
    }
    free(doms);
    def_cache_sweep(p);
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
