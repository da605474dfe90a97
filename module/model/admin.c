#include "admin.h"

#include <stdint.h>
#include <string.h>

#include "state.h"
#include "units.h"

static struct admin_plan act(enum admin_action a, enum admin_action undo, int shows)
{
    return (struct admin_plan){.verdict = ADMIN_ACT, .action = a, .undo = undo, .shows = shows};
}

static struct admin_plan verdict(enum admin_verdict v, const char *why)
{
    return (struct admin_plan){.verdict = v, .why = why};
}

static const char *const inconsistent_state = ADMIN_WHY_TRANSITION;
static const char *const crashed_held =
    "the VM crashed and libvirt keeps its process: destroy(5) releases it";

/* A crashed VM whose process libvirt preserved (on_crash preserve): to
 * libvirt it is active, so it cannot be started, and no guest answers a
 * shutdown request; only destroy(5) ends it. */
static bool crashed_held_by_libvirt(const struct snapshot_row *row)
{
    return row->oper == STATE_OPER_CRASHED && row->lv_active;
}

static struct admin_plan to_running(const struct snapshot_row *row)
{
    int oper = row->oper;
    if (oper == STATE_OPER_RUNNING)
        return verdict(ADMIN_NOOP, NULL);
    if (crashed_held_by_libvirt(row))
        return verdict(ADMIN_INCONSISTENT, crashed_held);
    if (oper == STATE_OPER_PAUSED)
        return act(ADMIN_RESUME, ADMIN_SUSPEND, STATE_ADMIN_RUNNING);
    if (oper == STATE_OPER_SHUTDOWN || oper == STATE_OPER_CRASHED ||
        (oper == STATE_OPER_SUSPENDED && row->lv_state == LV_SHUTOFF))
        /* virDomainCreate restores the managed save when there is one. */
        return act(ADMIN_CREATE, ADMIN_DESTROY, STATE_ADMIN_RUNNING);
    if (oper == STATE_OPER_SUSPENDED && row->lv_state == LV_PMSUSPENDED)
        return act(ADMIN_PMWAKEUP, ADMIN_NONE, STATE_ADMIN_RUNNING);
    return verdict(ADMIN_INCONSISTENT, inconsistent_state);
}

static struct admin_plan to_paused(const struct snapshot_row *row)
{
    if (row->oper == STATE_OPER_PAUSED)
        return verdict(ADMIN_NOOP, NULL);
    if (row->oper == STATE_OPER_RUNNING)
        return act(ADMIN_SUSPEND, ADMIN_RESUME, STATE_ADMIN_PAUSED);
    return verdict(ADMIN_INCONSISTENT, inconsistent_state);
}

static struct admin_plan to_suspended(const struct snapshot_row *row)
{
    if (row->oper == STATE_OPER_SUSPENDED || row->oper == STATE_OPER_SUSPENDING)
        return verdict(ADMIN_NOOP, NULL);
    if (row->oper == STATE_OPER_RUNNING || row->oper == STATE_OPER_PAUSED)
        return act(ADMIN_MANAGEDSAVE, ADMIN_NONE, STATE_ADMIN_SUSPENDED);
    return verdict(ADMIN_INCONSISTENT, inconsistent_state);
}

static struct admin_plan to_shutdown(const struct snapshot_row *row)
{
    int oper = row->oper;
    /* Never noError for nothing: a held crashed VM is not shut down. */
    if (crashed_held_by_libvirt(row))
        return verdict(ADMIN_INCONSISTENT, crashed_held);
    if (oper == STATE_OPER_SHUTDOWN || oper == STATE_OPER_SHUTTINGDOWN ||
        oper == STATE_OPER_CRASHED)
        return verdict(ADMIN_NOOP, NULL);
    if (oper == STATE_OPER_RUNNING || oper == STATE_OPER_PAUSED)
        return act(ADMIN_SHUTDOWN, ADMIN_NONE, STATE_ADMIN_SHUTDOWN);
    if (oper == STATE_OPER_SUSPENDED && row->lv_state == LV_SHUTOFF && row->has_managed_save)
        return act(ADMIN_MSAVE_REMOVE, ADMIN_NONE, STATE_ADMIN_SHUTDOWN);
    if (oper == STATE_OPER_SUSPENDED && row->lv_state == LV_PMSUSPENDED)
        return verdict(ADMIN_INCONSISTENT, "the guest sleeps (PM suspend) and cannot shut down: "
                                           "wake it with running(1), or destroy(5) it");
    return verdict(ADMIN_INCONSISTENT, inconsistent_state);
}

static struct admin_plan to_destroyed(const struct snapshot_row *row)
{
    /* The draft's destroy(5): afterwards vmAdminState reads shutdown(4).
     * Whatever libvirt holds a process for is destroyed: also a guest
     * asleep (PM suspend) and a crashed VM libvirt preserved. */
    if (state_is_active(row->oper) || row->lv_active)
        return act(ADMIN_DESTROY, ADMIN_NONE, STATE_ADMIN_SHUTDOWN);
    return verdict(ADMIN_NOOP, NULL);
}

const char *admin_wrong_value(enum admin_object obj, long v)
{
    switch (obj) {
    case ADMIN_OBJ_STATE:
        if (v < STATE_ADMIN_RUNNING || v > STATE_ADMIN_DESTROY)
            return "running(1), suspended(2), paused(3), shutdown(4) or destroy(5)";
        return NULL;
    case ADMIN_OBJ_VCPUS:
    case ADMIN_OBJ_MEMORY:
        /* Integer32 (0..2147483647); a longer INTEGER on the wire is
         * outside the syntax, not a state matter. */
        if (v < 0 || v > INT32_MAX)
            return obj == ADMIN_OBJ_VCPUS ? "a count of vCPUs, Integer32 (0..2147483647)"
                                          : "a size in vmMemUnit, Integer32 (0..2147483647)";
        return NULL;
    default:
        /* unknown(0) is what the agent says when it cannot tell. */
        return v == 1 || v == 2 ? NULL : "enable(1) or disable(2)";
    }
}

struct admin_plan admin_plan_state(const struct snapshot_row *row, long target)
{
    const char *wrong = admin_wrong_value(ADMIN_OBJ_STATE, target);
    if (wrong)
        return verdict(ADMIN_WRONG_VALUE, wrong);
    if (row->oper == STATE_OPER_UNKNOWN)
        return verdict(ADMIN_UNAVAILABLE, "the hypervisor is not answering");
    switch (target) {
    case STATE_ADMIN_RUNNING:
        return to_running(row);
    case STATE_ADMIN_PAUSED:
        return to_paused(row);
    case STATE_ADMIN_SUSPENDED:
        return to_suspended(row);
    case STATE_ADMIN_SHUTDOWN:
        return to_shutdown(row);
    default:
        return to_destroyed(row);
    }
}

struct admin_plan admin_plan_vcpus(const struct snapshot_row *row, long count)
{
    const char *wrong = admin_wrong_value(ADMIN_OBJ_VCPUS, count);
    if (wrong)
        return verdict(ADMIN_WRONG_VALUE, wrong);
    if (row->oper == STATE_OPER_UNKNOWN)
        return verdict(ADMIN_UNAVAILABLE, "the hypervisor is not answering");
    if (!state_is_active(row->oper))
        return verdict(ADMIN_INCONSISTENT, "the VM is not running: a live change is impossible");
    if (count < 1 || (row->max_cpu > 0 && count > row->max_cpu))
        return verdict(ADMIN_INCONSISTENT, "outside 1..vmMaxCpuNumber");
    if (count == row->cur_cpu)
        return verdict(ADMIN_NOOP, NULL);
    struct admin_plan p = act(ADMIN_VCPUS, ADMIN_VCPUS, 0);
    p.arg = (unsigned long long)count;
    p.undo_arg = (unsigned long long)row->cur_cpu;
    return p;
}

uint64_t admin_mem_unit(const struct snapshot_row *row)
{
    uint64_t mem[2] = {row->cur_mem_kib * 1024, row->max_mem_kib * 1024};
    return units_pick(mem, 2, 1024);
}

struct admin_plan admin_plan_memory(const struct snapshot_row *row, long value)
{
    const char *wrong = admin_wrong_value(ADMIN_OBJ_MEMORY, value);
    if (wrong)
        return verdict(ADMIN_WRONG_VALUE, wrong);
    if (row->oper == STATE_OPER_UNKNOWN)
        return verdict(ADMIN_UNAVAILABLE, "the hypervisor is not answering");
    if (!state_is_active(row->oper))
        return verdict(ADMIN_INCONSISTENT, "the VM is not running: a live change is impossible");
    uint64_t kib = (uint64_t)value * admin_mem_unit(row) / 1024;
    if (kib == 0 || kib > row->max_mem_kib)
        return verdict(ADMIN_INCONSISTENT, "outside 1 KiB..vmMaxMem (in vmMemUnit units)");
    if (kib == row->cur_mem_kib)
        return verdict(ADMIN_NOOP, NULL);
    struct admin_plan p = act(ADMIN_MEMORY, ADMIN_MEMORY, 0);
    p.arg = kib;
    p.undo_arg = row->cur_mem_kib;
    return p;
}

struct admin_plan admin_plan_pin(const struct snapshot_row *row, const struct snapshot_vcpu *vcpu,
                                 const unsigned char *map, size_t maplen, int host_cpus)
{
    if (row->oper == STATE_OPER_UNKNOWN || !vcpu->cpumap)
        return verdict(ADMIN_UNAVAILABLE, "the current pinning is not known");
    bool any = false;
    for (int c = 0; c < host_cpus; c++)
        any |= snapshot_cpumap_has(map, maplen, c);
    if (!any)
        return verdict(ADMIN_INCONSISTENT, "every vCPU must keep at least one enabled host CPU");
    if (memcmp(map, vcpu->cpumap, maplen) == 0)
        return verdict(ADMIN_NOOP, NULL);
    struct admin_plan p = act(ADMIN_PIN, ADMIN_PIN, 0);
    p.arg = p.undo_arg = (unsigned long long)vcpu->number;
    return p;
}

const char *admin_action_name(enum admin_action a)
{
    static const char *const names[] = {
        [ADMIN_NONE] = "nothing",
        [ADMIN_CREATE] = "start",
        [ADMIN_RESUME] = "resume",
        [ADMIN_SUSPEND] = "pause",
        [ADMIN_MANAGEDSAVE] = "managed save",
        [ADMIN_SHUTDOWN] = "shutdown",
        [ADMIN_DESTROY] = "destroy",
        [ADMIN_MSAVE_REMOVE] = "remove the managed save",
        [ADMIN_PMWAKEUP] = "wake up",
        [ADMIN_VCPUS] = "set live vCPUs",
        [ADMIN_MEMORY] = "set live memory",
        [ADMIN_PIN] = "pin vCPU",
    };
    return (unsigned)a < sizeof(names) / sizeof(names[0]) ? names[a] : "?";
}

const char *admin_target_name(long target)
{
    static const char *const names[] = {"running", "suspended", "paused", "shutdown", "destroy"};
    return target >= 1 && target <= 5 ? names[target - 1] : "?";
}
