/* vmmib-agentx: the vmmib module as an AgentX subagent.
 *
 * The second entry to the same module (the first is module/vmmib.c's
 * init_vmmib/deinit_vmmib for snmpd's dlmod): this program is a Net-SNMP
 * agent in the subagent role that calls the module's init and deinit the
 * way snmpd does for a dlmod, and reads the module's vmMib* tokens from its
 * own configuration file.  Every request reaches it from the master snmpd
 * over AgentX (RFC 2741); its notifications go back to the master, which
 * sends them to its own sinks.  A crash here costs the master nothing but
 * the VM-MIB, and the program needs no privilege snmpd has.
 *
 * The module starts its libvirt threads from an snmp alarm, i.e. from the
 * main loop: after the configuration is read and after this program has
 * forked into the background. */
#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>
#include <net-snmp/agent/net-snmp-agent-includes.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "exclusive.h"
#include "link.h"

/* The module's entry points (module/vmmib.c). */
void init_vmmib(void);
void deinit_vmmib(void);

/* Net-SNMP's processor and filesystem enumerations (libnetsnmpmibs, no
 * installed header).  snmpd initialises them for HOST-RESOURCES-MIB; the
 * module follows them for vmCpuPhysIndex and vmStorageParent, so that the
 * subagent points to the same hrDeviceIndex and hrStorageIndex values the
 * master serves. */
void init_cpu_linux(void);
void init_hw_fsys(void);
/* Also without an installed header: systemd's readiness notification
 * (snmplib/sd-daemon.c) and the agent roles of agent/snmpd.h. */
int netsnmp_sd_notify(int unset_environment, const char *state);
enum { ROLE_SUB_AGENT = 1 };

#define APP "vmmib-agentx"
#ifndef VMMIB_AGENTX_STATEDIR
#define VMMIB_AGENTX_STATEDIR "/var/lib/vmmib"
#endif
#ifndef VMMIB_VERSION
#define VMMIB_VERSION "unknown"
#endif

/* The exit status when the master already serves VM-MIB from elsewhere
 * (the systemd unit does not restart the program for it). */
#define EXIT_TAKEN 3

static struct {
    bool foreground;
    bool log_set;
    const char *pid_file;
    const char *x_socket;
} opt;

static volatile sig_atomic_t stop_requested, reload_requested;
static int wake[2] = {-1, -1};

static void usage(FILE *to)
{
    fprintf(to,
            "Usage: " APP " [OPTIONS]\n"
            "The VM-MIB (RFC 7666) from libvirt, as an AgentX subagent of snmpd.\n\n"
            "  -c FILE     read the configuration from FILE only\n"
            "              (default: " APP ".conf on Net-SNMP's configuration path,\n"
            "              /etc/snmp/" APP ".conf)\n"
            "  -C          read no configuration file but the one given with -c\n"
            "  -D[TOKENS]  debug output for TOKENS (vmmib, vmmib/poll, agentx/subagent ...)\n"
            "  -f          stay in the foreground\n"
            "  -h          this help\n"
            "  -L[efos]... where to log, as snmpd's -L (-Lf FILE, -Ls daemon, -Lo, -LOn ...)\n"
            "  -p FILE     write the process id to FILE\n"
            "  -v          print the version\n"
            "  -x ADDRESS  the master's AgentX socket (overrides agentXSocket)\n\n"
            "SIGHUP re-reads the configuration; SIGTERM and SIGINT stop. See vmmib-agentx(8).\n");
}

/* -c FILE: that file, and only it (snmpd's -c adds a file to the default
 * ones; here the point is to choose the file). */
static int parse_options(int argc, char **argv)
{
    int c;
    while ((c = getopt(argc, argv, "c:CD::fhL:p:vx:")) != -1) {
        switch (c) {
        case 'c':
            netsnmp_ds_set_string(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_OPTIONALCONFIG, optarg);
            /* fall through */
        case 'C':
            netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DONT_READ_CONFIGS, 1);
            break;
        case 'D':
            if (optarg)
                debug_register_tokens(optarg);
            snmp_set_do_debugging(1);
            break;
        case 'f':
            opt.foreground = true;
            break;
        case 'h':
            usage(stdout);
            exit(0);
        case 'L':
            if (snmp_log_options(optarg, argc, argv) < 0) {
                usage(stderr);
                return -1;
            }
            opt.log_set = true;
            break;
        case 'p':
            opt.pid_file = optarg;
            break;
        case 'v':
            printf(APP " %s (Net-SNMP %s)\n", VMMIB_VERSION, netsnmp_get_version());
            exit(0);
        case 'x':
            opt.x_socket = optarg;
            break;
        default:
            usage(stderr);
            return -1;
        }
    }
    if (optind < argc) {
        fprintf(stderr, APP ": unexpected argument '%s'\n", argv[optind]);
        return -1;
    }
    return 0;
}

/* -x wins over agentXSocket in the file: a remembered line is applied
 * after the files, at every read. */
static void remember_socket(void)
{
    if (!opt.x_socket)
        return;
    size_t n = strlen(opt.x_socket) + sizeof("agentXSocket ");
    char *line = malloc(n);
    if (!line)
        return;
    snprintf(line, n, "agentXSocket %s", opt.x_socket);
    netsnmp_config_remember(line); /* keeps its own copy */
    free(line);
}

/* ---- signals: a byte on a pipe wakes the main loop ---- */

static void on_signal(int sig)
{
    int saved = errno;
    if (sig == SIGHUP)
        reload_requested = 1;
    else
        stop_requested = 1;
    char byte = 1;
    if (write(wake[1], &byte, 1) < 0) {
        /* full: a wake-up is pending anyway */
    }
    errno = saved;
}

static void on_wake(int fd, void *arg)
{
    (void)arg;
    char buf[16];
    while (read(fd, buf, sizeof(buf)) > 0)
        ;
}

static int signals_start(void)
{
    if (pipe2(wake, O_CLOEXEC | O_NONBLOCK) != 0)
        return -1;
    register_readfd(wake[0], on_wake, NULL);
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    /* A master that went away must not kill us on the next write. */
    signal(SIGPIPE, SIG_IGN);
    return 0;
}

/* ---- start, reload, stop ---- */

static void write_pid_file(void)
{
    if (!opt.pid_file)
        return;
    FILE *f = fopen(opt.pid_file, "w");
    if (!f) {
        snmp_log_perror(opt.pid_file);
        return;
    }
    fprintf(f, "%d\n", (int)getpid());
    fclose(f);
}

/* What snmpd's reload does for a dlmod (deinit, re-read, init), in the
 * order a program needs: the module's tokens are registered by its init,
 * so init comes before the read. */
static void reload(void)
{
    snmp_log(LOG_NOTICE, APP ": re-reading the configuration\n");
    netsnmp_logging_restart(); /* lets logrotate move a -Lf file */
    deinit_vmmib();
    init_vmmib();
    remember_socket();
    update_config();
}

static void log_taken(void)
{
    snmp_log(LOG_ERR,
             APP ": the master agent already serves the VM-MIB (duplicateRegistration): "
                 "snmpd has the vmmib module loaded (/etc/snmp/snmpd.conf.d/vmmib.conf), or "
                 "another " APP " is connected.  Serve it one way only: for AgentX, make snmpd "
                 "a master without the module (update-alternatives --set vmmib-snmpd.conf "
                 "/usr/share/vmmib/vmmib-agentx-master.conf; systemctl restart snmpd) and start "
                 "this program again; see vmmib(8).  Exiting.\n");
}

static void run(void)
{
    while (!stop_requested && !exclusive_conflict()) {
        agent_check_and_process(1);
        if (reload_requested && link_idle() && !stop_requested) {
            reload_requested = 0;
            reload();
        }
    }
}

/* Logging as snmpd: -L decides; by default syslog, or stderr with -f. */
static void start_logging(void)
{
    if (opt.log_set)
        return;
    if (opt.foreground)
        snmp_enable_stderrlog();
    else
        snmp_enable_syslog_ident(APP, LOG_DAEMON);
}

static int init(void)
{
    netsnmp_ds_set_boolean(NETSNMP_DS_APPLICATION_ID, NETSNMP_DS_AGENT_ROLE, ROLE_SUB_AGENT);
    netsnmp_ds_set_string(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_APPTYPE, APP);
    /* Its own persistent directory (vmIndex assignments, Net-SNMP's
     * engine data), not snmpd's, unless SNMP_PERSISTENT_DIR says. */
    if (!getenv("SNMP_PERSISTENT_DIR"))
        set_persistent_directory(VMMIB_AGENTX_STATEDIR);
    mkdirhier(get_persistent_directory(), NETSNMP_AGENT_DIRECTORY_MODE, 0); /* as snmpd */
    if (init_agent(APP) != 0) {
        snmp_log(LOG_ERR, APP ": cannot initialise the agent\n");
        return -1;
    }
    init_cpu_linux();
    init_hw_fsys();
    if (link_start() != 0 || exclusive_start() != 0) {
        snmp_log(LOG_ERR, APP ": cannot watch the AgentX connection\n");
        return -1;
    }
    init_vmmib();
    remember_socket();
    /* A subagent prints no OID by name: load no MIB module (Net-SNMP's
     * default list is not on Debian and would be reported missing, one
     * line each, whenever /etc/snmp/snmp.conf is not read).  MIBS, when
     * set, wins. */
    setenv("MIBS", "", 0);
    init_snmp(APP);
    link_started();
    return 0;
}

int main(int argc, char **argv)
{
    snmp_log_syslogname(APP);
    if (parse_options(argc, argv) != 0)
        return 1;
    start_logging();
    if (init() != 0)
        return 1;
    if (!exclusive_conflict()) {
        if (!opt.foreground && netsnmp_daemonize(1, snmp_stderrlog_status()) != 0)
            return 1;
        write_pid_file();
        if (signals_start() != 0) {
            snmp_log_perror(APP ": pipe");
            return 1;
        }
        snmp_log(LOG_INFO, APP " %s started (Net-SNMP %s)%s\n", VMMIB_VERSION,
                 netsnmp_get_version(), link_connected() ? "" : "; waiting for the master agent");
        netsnmp_sd_notify(0, "READY=1\n");
        run();
    }
    int status = exclusive_conflict() ? EXIT_TAKEN : 0;
    if (status)
        log_taken();
    deinit_vmmib();
    exclusive_stop();
    link_stop();
    snmp_shutdown(APP);
    shutdown_agent();
    if (opt.pid_file)
        unlink(opt.pid_file);
    return status;
}
