/* The libvirt side: one worker thread that owns the libvirt connection and
 * turns each poll request into a vm_snapshot.  The main thread asks for a
 * poll (vm_poller_request), is woken through a pipe (vm_poller_fd) when a
 * snapshot is ready and collects it (vm_poller_take).  No Net-SNMP call is
 * made from the worker: it is single-threaded. */
#ifndef VMMIB_POLLER_H
#define VMMIB_POLLER_H

#include <stdbool.h>
#include <stdint.h>

#include "snapshot.h"

struct vm_poller;

/* uri NULL = libvirt's default.  Returns NULL with a message in err. */
struct vm_poller *vm_poller_start(const char *uri, bool read_write, char *err, size_t errlen);

/* Read end of the wake-up pipe, for register_readfd. */
int vm_poller_fd(const struct vm_poller *p);

/* Ask for a poll; ignored while one is under way.  Returns false if ignored. */
bool vm_poller_request(struct vm_poller *p);

/* Drain the pipe and return the finished snapshot, or NULL. */
struct vm_snapshot *vm_poller_take(struct vm_poller *p);

/* For an in-process driver (the test driver, where every connection is a
 * private hypervisor): a new reference (virConnectPtr; release with
 * virConnectClose) to the live connection, or NULL while disconnected.
 * For any other driver always NULL: open a connection of your own.  Any
 * thread. */
void *vm_poller_conn_ref(struct vm_poller *p);

/* 1 when the driver runs in this process, 0 when not, -1 before the first
 * connection.  Any thread. */
int vm_poller_in_process(struct vm_poller *p);

/* The configured URI (NULL = libvirt's default); constant. */
const char *vm_poller_uri(const struct vm_poller *p);

/* Ask for a round as soon as the current one (if any) ends.  Any thread. */
void vm_poller_kick(struct vm_poller *p);

/* CLOCK_BOOTTIME (ms) when the poll under way began, or 0 when idle. */
int64_t vm_poller_busy_since(struct vm_poller *p);

/* Stop the worker.  Waits up to timeout_ms for a libvirt call to return; if
 * it does not, the worker is detached and the module pinned in memory so the
 * thread can finish safely after unload.  Returns true if joined. */
bool vm_poller_stop(struct vm_poller *p, int timeout_ms);

/* Keep this module mapped after dlclose (a detached thread still runs). */
void vm_poller_pin_module(void);

#endif
