/* See hostres.h.  Net-SNMP exports the functions its hrProcessorTable and
 * hrStorageTable use to enumerate their rows (host/hr_proc.c,
 * host/hrh_storage.c) but installs no header for them; they are looked up
 * with dlsym so that a snmpd built without HOST-RESOURCES-MIB still loads
 * vmmib (the pointers then read as the MIB says for "not represented"). */
#define _GNU_SOURCE
#include "hostres.h"

#include <dlfcn.h>
#include <stdlib.h>
#include <string.h>

typedef void (*init_fn)(void);
typedef int (*next_proc_fn)(void);
typedef int (*next_store_fn)(const void **entry);
typedef void *(*fsys_by_path_fn)(char *path, int create_type);
#define FSYS_FIND_EXIST 0 /* NETSNMP_FS_FIND_EXIST in Net-SNMP's hardware/fsys.h */

static int32_t *proc_index; /* sorted hrDeviceIndex values of the processors */
static size_t n_proc;

void hostres_clear(void)
{
    free(proc_index);
    proc_index = NULL;
    n_proc = 0;
}

static int cmp_i32(const void *a, const void *b)
{
    int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
    return (x > y) - (x < y);
}

void hostres_refresh(void)
{
    init_fn init = (init_fn)dlsym(RTLD_DEFAULT, "Init_HR_Proc");
    next_proc_fn next = (next_proc_fn)dlsym(RTLD_DEFAULT, "Get_Next_HR_Proc");
    hostres_clear();
    if (!init || !next)
        return;
    size_t cap = 0;
    init();
    for (int idx; (idx = next()) != -1;) {
        if (n_proc == cap) {
            size_t ncap = cap ? cap * 2 : 16;
            int32_t *n = realloc(proc_index, ncap * sizeof(*n));
            if (!n)
                break;
            proc_index = n;
            cap = ncap;
        }
        proc_index[n_proc++] = idx;
        if (n_proc > 65536)
            break; /* a broken enumeration must not loop forever */
    }
    qsort(proc_index, n_proc, sizeof(*proc_index), cmp_i32);
}

/* Processors are numbered from the first one's hrDeviceIndex (the device
 * type sits in the high bits: 3 << 16 on Net-SNMP 5.9, 3 << 8 before). */
static bool has_processor(int cpu)
{
    if (n_proc == 0 || cpu < 0 || (int64_t)proc_index[0] + cpu > INT32_MAX)
        return false;
    int32_t want = proc_index[0] + cpu;
    return bsearch(&want, proc_index, n_proc, sizeof(*proc_index), cmp_i32) != NULL;
}

bool hostres_processors_match(int ncpu)
{
    if (ncpu <= 0 || (size_t)ncpu != n_proc)
        return false;
    for (int c = 0; c < ncpu; c++)
        if (!has_processor(c))
            return false;
    return true;
}

int32_t hostres_processor_index(int cpu, bool use_hr)
{
    if (use_hr && has_processor(cpu))
        return proc_index[0] + cpu;
    return cpu + 1;
}

int32_t hostres_storage_index(const char *mount)
{
    if (!mount)
        return 0;
    init_fn init = (init_fn)dlsym(RTLD_DEFAULT, "Init_HR_Store");
    next_store_fn next = (next_store_fn)dlsym(RTLD_DEFAULT, "Get_Next_HR_Store");
    fsys_by_path_fn by_path = (fsys_by_path_fn)dlsym(RTLD_DEFAULT, "netsnmp_fsys_by_path");
    if (!init || !next || !by_path)
        return 0;
    init(); /* loads the filesystem list if its cache expired */
    char *path = strdup(mount);
    if (!path)
        return 0;
    void *want = by_path(path, FSYS_FIND_EXIST);
    free(path);
    if (!want)
        return 0;
    const void *entry = NULL;
    for (int idx; (idx = next(&entry)) != -1;)
        if (entry == want)
            return idx;
    return 0;
}
