/* The control thread (vmMibWriteAccess yes): it performs the libvirt
 * actions that SETs ask for, one at a time, off snmpd's main thread.  The
 * agent's SET code hands it orders (control_run) and waits a bounded time;
 * what finishes later is reported through control_take_outcomes.  Every
 * vmAdminState an order asks for is recorded as a request for the round
 * (control_take_requests), which shows it until reached.  No Net-SNMP and
 * no libvirt type in this interface. */
#ifndef VMMIB_POLL_CONTROL_H
#define VMMIB_POLL_CONTROL_H

#include <stdbool.h>
#include <stddef.h>

#include "../model/admin.h"
#include "../model/carry.h"
#include "poller.h"

struct control_order {
    unsigned char uuid[16];
    enum admin_action action;
    unsigned long long arg;   /* vCPUs, KiB, or the vCPU number to pin */
    const unsigned char *map; /* ADMIN_PIN: the new pinning (copied) */
    size_t maplen;
    int shows;        /* vmAdminState requested, 0 = none */
    const char *what; /* for the log (copied) */
};

enum control_result {
    CONTROL_DONE,    /* libvirt did it */
    CONTROL_FAILED,  /* libvirt refused or failed; *error says why */
    CONTROL_PENDING, /* still running: the outcome comes later */
    CONTROL_NOMEM,
};

/* An order that outlived its SET's wait, finished. */
struct control_outcome {
    char *what;
    bool failed;
    char *error;
};

/* Start or stop the thread.  control_stop never waits on libvirt: a thread
 * in an action is parked (the module is pinned) and the next control_start
 * for the same URI takes it over, so reloads during a hang never pile up
 * threads; one not taken over ends after its action. */
int control_start(struct poller *p);
void control_stop(void);

/* Does the poller know the hypervisor is not answering (poller.h,
 * poller_not_answering)?  Then a SET is refused at once rather than
 * waiting for an action that cannot start; why says so. */
bool control_not_answering(char *why, size_t len);

/* Queue an order and wait up to wait_ms for it.  On CONTROL_FAILED, *error
 * is set (free it). */
enum control_result control_run(const struct control_order *o, int wait_ms, char **error);

/* The vmAdminState request of this VM is void (its order was undone). */
void control_cancel(const unsigned char uuid[16]);

/* Requests and cancellations since the last call, in order (free *out). */
size_t control_take_requests(struct carry_request **out);

/* Outcomes since the last call, in completion order. */
size_t control_take_outcomes(struct control_outcome **out);
void control_outcomes_free(struct control_outcome *o, size_t n);

#endif
