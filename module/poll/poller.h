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

/* uri NULL = libvirt's default.  Takes over the worker a previous load
 * parked (same URI and access mode) if there is one.  Returns NULL with a
 * message in err. */
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

/* Is the hypervisor known not to answer: the last round was not connected,
 * or the round under way has taken over 4 times the slowest recent round
 * (at least 2 s)?  *for_ms: for how long.  Any thread. */
bool poller_not_answering(struct poller *p, int64_t *for_ms);

/* At unload (main thread).  An idle worker is stopped and joined (within
 * 200 ms; one that is still closing its connection to a daemon that does
 * not answer is left to end on its own: POLLER_LEFT).  A worker in a
 * libvirt call is parked (POLLER_PARKED, *busy_ms: for how long): the
 * module is pinned and the next poller_start with the same URI and access
 * mode takes it over, so reloads during a hang never pile up threads;
 * otherwise it ends when its call returns.  Never waits on libvirt.  p is
 * not the caller's any more. */
enum poller_release { POLLER_JOINED, POLLER_PARKED, POLLER_LEFT };
enum poller_release poller_release(struct poller *p, int64_t *busy_ms);

/* References for another thread that uses p (the control thread). */
void poller_ref(struct poller *p);
void poller_unref(struct poller *p);

/* Name the calling thread (top -H, ps -T show it: "vmmib-poll" ...) and,
 * when background, lower its priority 10 steps below snmpd's main thread,
 * which answers every request (IF-MIB, HOST-RESOURCES-MIB, VM-MIB): bulk
 * work of ours never competes with it on equal terms.  Threads a SET
 * waits for stay at the main thread's priority. */
void poller_thread_role(const char *name, bool background);

/* Keep this module mapped after dlclose (a detached thread still runs). */
void poller_pin_module(void);

#endif
