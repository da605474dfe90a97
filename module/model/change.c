#include "change.h"

#include <stdlib.h>
#include <string.h>

/* Working state of one detection: per row of `next`, the state last
 * reported for it and which notifications it already counts in. */
struct detect {
    const struct snapshot *next;
    int *known;        /* last reported vmOperState, 0 = none */
    bool *unsure;      /* an event of this VM was sent while the round read it */
    uint16_t *reached; /* bit n: counted in bulk notification n */
    struct change_list *out;
    size_t cap_vm;
};

static bool same_rows(const struct snapshot *a, const struct snapshot *b)
{
    if (a->count != b->count)
        return false;
    for (size_t i = 0; i < a->count; i++)
        if (a->rows[i].index != b->rows[i].index)
            return false;
    return true;
}

static int add_vm(struct detect *d, int number, const struct snapshot_row *row, int prev_oper)
{
    struct change_list *l = d->out;
    if (l->n_vm == d->cap_vm) {
        size_t ncap = d->cap_vm ? d->cap_vm * 2 : 16;
        struct change_vm *n = realloc(l->vm, ncap * sizeof(*n));
        if (!n)
            return -1;
        l->vm = n;
        d->cap_vm = ncap;
    }
    struct change_vm *c = &l->vm[l->n_vm];
    c->name = strdup(row->name ? row->name : "");
    if (!c->name)
        return -1;
    c->notification = number;
    c->index = row->index;
    c->prev_oper = prev_oper;
    memcpy(c->uuid, row->uuid, 16);
    c->persistent = row->persistent;
    l->n_vm++;
    return 0;
}

/* Row i of next reached `oper` from what was known of it. */
static int reach(struct detect *d, size_t i, int oper)
{
    int number = state_notification_for(oper);
    int prev = d->known[i];
    d->known[i] = oper;
    if (!number)
        return 0;
    if (add_vm(d, number, &d->next->rows[i], prev) != 0)
        return -1;
    if (!(d->reached[i] & (1u << number))) {
        d->reached[i] |= (uint16_t)(1u << number);
        d->out->bulk[number][d->out->n_bulk[number]++] = d->next->rows[i].index;
    }
    return 0;
}

/* Rows of next by UUID, to find the row an event is about. */
struct by_uuid {
    unsigned char uuid[16];
    size_t pos;
};

static int cmp_by_uuid(const void *a, const void *b)
{
    return memcmp(((const struct by_uuid *)a)->uuid, ((const struct by_uuid *)b)->uuid, 16);
}

static size_t find_uuid(const struct by_uuid *order, size_t n, const unsigned char *uuid)
{
    struct by_uuid key;
    memcpy(key.uuid, uuid, 16);
    const struct by_uuid *hit = bsearch(&key, order, n, sizeof(*order), cmp_by_uuid);
    return hit ? hit->pos : SIZE_MAX;
}

/* First the states libvirt announced by events since the last round, in
 * the order sent: this is how short-lived states (suspending,
 * shuttingdown, resuming, migrating) are seen.  An event sent while the
 * round was reading makes that VM's read unsure. */
static int apply_events(struct detect *d)
{
    const struct snapshot *next = d->next;
    struct by_uuid *order = malloc((next->count + 1) * sizeof(*order));
    if (!order)
        return -1;
    for (size_t i = 0; i < next->count; i++) {
        memcpy(order[i].uuid, next->rows[i].uuid, 16);
        order[i].pos = i;
    }
    qsort(order, next->count, sizeof(*order), cmp_by_uuid);
    int rc = 0;
    for (size_t e = 0; e < next->n_events && rc == 0; e++) {
        const struct snapshot_event *ev = &next->events[e];
        size_t i = find_uuid(order, next->count, ev->uuid);
        if (i == SIZE_MAX)
            continue; /* gone by now: the deletion is found below */
        if (ev->seq > next->seq_lo)
            d->unsure[i] = true;
        if (!d->known[i] || d->known[i] == ev->oper || !ev->oper)
            continue; /* a VM new this round, or nothing new */
        rc = reach(d, i, ev->oper);
    }
    free(order);
    return rc;
}

/* Then the state the round read, unless an event may be newer. */
static int apply_reads(struct detect *d, bool quiet)
{
    for (size_t i = 0; i < d->next->count; i++) {
        int oper = d->next->rows[i].oper;
        if (oper == STATE_OPER_UNKNOWN || d->unsure[i] || d->known[i] == oper)
            continue; /* this VM alone did not answer, an event may be newer, or no change */
        if (quiet || !d->known[i]) {
            d->known[i] = oper; /* the first state known of it: not a change */
            continue;
        }
        if (reach(d, i, oper) != 0)
            return -1;
    }
    return 0;
}

/* VMs libvirt no longer lists: deleted. */
static int apply_deletions(struct detect *d, const struct snapshot *prev)
{
    struct change_list *l = d->out;
    for (size_t i = 0; i < prev->count; i++) {
        const struct snapshot_row *gone = &prev->rows[i];
        if (!gone->reported_oper || snapshot_find(d->next, gone->index))
            continue;
        if (add_vm(d, STATE_NOTIFY_DELETED, gone, gone->reported_oper) != 0)
            return -1;
        l->bulk[STATE_NOTIFY_DELETED][l->n_bulk[STATE_NOTIFY_DELETED]++] = gone->index;
    }
    return 0;
}

static int detect_alloc(struct detect *d, const struct snapshot *prev)
{
    size_t n = d->next->count + 1, cap = d->next->count + (prev ? prev->count : 0) + 1;
    d->known = calloc(n, sizeof(*d->known));
    d->unsure = calloc(n, sizeof(*d->unsure));
    d->reached = calloc(n, sizeof(*d->reached));
    if (!d->known || !d->unsure || !d->reached)
        return -1;
    for (int k = 1; k <= STATE_NOTIFY_DELETED; k++)
        if (!(d->out->bulk[k] = malloc(cap * sizeof(int32_t))))
            return -1;
    return 0;
}

/* The last reported state of each VM of next, as of prev. */
static void known_from(struct detect *d, const struct snapshot *prev)
{
    for (size_t i = 0; i < d->next->count; i++) {
        const struct snapshot_row *was = prev ? snapshot_find(prev, d->next->rows[i].index) : NULL;
        d->known[i] = was ? was->reported_oper : 0;
    }
}

/* Out of memory: the states read become the reported ones. */
static void record_reads(const struct snapshot *prev, struct snapshot *next)
{
    for (size_t i = 0; i < next->count; i++) {
        struct snapshot_row *row = &next->rows[i];
        const struct snapshot_row *was = prev ? snapshot_find(prev, row->index) : NULL;
        if (row->oper != STATE_OPER_UNKNOWN)
            row->reported_oper = row->oper;
        else
            row->reported_oper = was ? was->reported_oper : 0;
    }
}

int change_detect(const struct snapshot *prev, struct snapshot *next, struct change_list *out)
{
    memset(out, 0, sizeof(*out));
    out->table_changed = prev && !same_rows(prev, next);
    /* Losing libvirt is not a change (its rows keep what was reported),
     * nor is the first round ever read. */
    if (!next->connected)
        return 0;
    bool quiet = !prev || !prev->reported_valid;
    struct detect d = {.next = next, .out = out};
    int rc = detect_alloc(&d, prev);
    if (rc == 0) {
        known_from(&d, quiet ? NULL : prev);
        if (!quiet && next->n_events)
            rc = apply_events(&d);
    }
    if (rc == 0)
        rc = apply_reads(&d, quiet);
    if (rc == 0 && !quiet)
        rc = apply_deletions(&d, prev);
    if (rc == 0)
        for (size_t i = 0; i < next->count; i++)
            next->rows[i].reported_oper = d.known[i];
    free(d.known);
    free(d.unsure);
    free(d.reached);
    if (rc != 0) {
        bool changed = out->table_changed;
        change_clear(out);
        out->table_changed = changed;
        record_reads(quiet ? NULL : prev, next);
    }
    return rc;
}

void change_clear(struct change_list *l)
{
    for (size_t i = 0; i < l->n_vm; i++)
        free(l->vm[i].name);
    free(l->vm);
    for (int k = 0; k <= STATE_NOTIFY_DELETED; k++)
        free(l->bulk[k]);
    memset(l, 0, sizeof(*l));
}

size_t change_bitmap(const int32_t *indexes, size_t n, unsigned char *out, size_t cap)
{
    size_t len = 0;
    for (size_t i = 0; i < n; i++)
        if (indexes[i] >= 1 && (size_t)(indexes[i] - 1) / 8 + 1 > len)
            len = (size_t)(indexes[i] - 1) / 8 + 1;
    if (len > cap)
        len = cap;
    memset(out, 0, len);
    for (size_t i = 0; i < n; i++) {
        if (indexes[i] < 1)
            continue;
        size_t byte = (size_t)(indexes[i] - 1) / 8;
        if (byte < len)
            out[byte] |= (unsigned char)(0x80 >> ((indexes[i] - 1) % 8));
    }
    return len;
}
