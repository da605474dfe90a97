/* The libvirt side: one worker thread that owns the libvirt connection and
 * turns each poll request into a vm_snapshot.  The main thread asks for a
 * poll (poller_request), is woken through a pipe (poller_fd) when a
 * snapshot is ready and collects it (poller_take).  No Net-SNMP call is
 * made from the worker: it is single-threaded. */
#ifndef VMMIB_POLL_POLLER_H
#define VMMIB_POLL_POLLER_H

#include <stdbool.h>
#include <stdint.h>

#include "../model/snapshot.h"

struct poller;

/* uri NULL = libvirt's default.  Returns NULL with a message in err. */
struct poller *poller_start(const char *uri, bool read_write, char *err, size_t errlen);

/* Read end of the wake-up pipe. */
int poller_fd(const struct poller *p);

/* Ask for a poll; ignored while one is under way.  Returns false if ignored. */
bool poller_request(struct poller *p);

/* Drain the pipe and return the finished snapshot, or NULL. */
struct snapshot *poller_take(struct poller *p);

/* For an in-process driver (the test driver, where every connection is a
 * private hypervisor): a new reference (virConnectPtr; release with
 * virConnectClose) to the live connection, or NULL while disconnected.
 * For any other driver always NULL: open a connection of your own.  Any
 * thread. */
void *poller_conn_ref(struct poller *p);

/* 1 when the driver runs in this process, 0 when not, -1 before the first
 * connection.  Any thread. */
int poller_in_process(struct poller *p);

/* The configured URI (NULL = libvirt's default); constant. */
const char *poller_uri(const struct poller *p);

/* Ask for a round as soon as the current one (if any) ends.  Any thread. */
void poller_kick(struct poller *p);

/* CLOCK_BOOTTIME (ms) when the poll under way began, or 0 when idle. */
int64_t poller_busy_since(struct poller *p);

/* Stop the worker.  Waits up to timeout_ms for a libvirt call to return; if
 * it does not, the worker is detached and the module pinned in memory so the
 * thread can finish safely after unload.  Returns true if joined. */
bool poller_stop(struct poller *p, int timeout_ms);

/* Keep this module mapped after dlclose (a detached thread still runs). */
void poller_pin_module(void);

#endif
