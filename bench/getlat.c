/* getlat: SNMPv2c GET round trips over raw UDP, for `make bench`.
 *
 * The request is encoded once; only its request-id (four bytes at a known
 * place) is rewritten before each send, so the client's own cost per
 * request is a sendto, a poll and a recvfrom, far below what is measured.
 *
 *   getlat OID latency SECONDS INTERVAL_US PORT...
 *       Every INTERVAL_US, one GET to each agent (127.0.0.1:PORT) in turn,
 *       each going first in turn, for SECONDS: the agents are measured in the
 *       same moments, under the same load.  Prints for each port one line
 *       "port P sent N answered N lost N p50_us N p99_us N max_us N".
 *   getlat OID wait VALUE TIMEOUT_S PORT
 *       GET every 10 ms until the value (an integer) is VALUE; prints
 *       "reached_ms N" (from the start of this program), exits 1 on timeout.
 *
 * With GETLAT_SLOW_US=N in the environment, every answer slower than N µs
 * (or lost) is listed on stderr with its time, to see when stalls happen.
 *
 * The community is "public". */
#define _POSIX_C_SOURCE 200809L
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define TIMEOUT_MS 1000
#define MAX_SAMPLES (1 << 22)

static int64_t now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* BER length of n (< 65536) at p; returns the bytes written. */
static size_t put_len(unsigned char *p, size_t n)
{
    if (n < 128) {
        p[0] = (unsigned char)n;
        return 1;
    }
    p[0] = 0x82;
    p[1] = (unsigned char)(n >> 8);
    p[2] = (unsigned char)n;
    return 3;
}

/* Wrap body (len bytes at out + 4) in tag: the result starts at the returned pointer. */
static unsigned char *wrap(unsigned char tag, unsigned char *body, size_t *len)
{
    unsigned char hdr[4];
    size_t h = 1 + put_len(hdr + 1, *len);
    hdr[0] = tag;
    unsigned char *start = body - h;
    memcpy(start, hdr, h);
    *len += h;
    return start;
}

/* Encode "1.3.6..." as BER OID contents; returns its length or 0. */
static size_t encode_oid(const char *text, unsigned char *out, size_t cap)
{
    unsigned long sub[128];
    size_t n = 0, len = 0;
    for (const char *p = text; *p && n < 128;) {
        if (*p == '.')
            p++;
        char *end;
        sub[n++] = strtoul(p, &end, 10);
        if (end == p)
            return 0;
        p = end;
    }
    if (n < 2)
        return 0;
    unsigned long first = sub[0] * 40 + sub[1];
    for (size_t i = 1; i < n; i++) {
        unsigned long v = i == 1 ? first : sub[i];
        unsigned char tmp[10];
        size_t t = 0;
        do {
            tmp[t++] = (unsigned char)(v & 0x7f);
            v >>= 7;
        } while (v);
        if (len + t > cap)
            return 0;
        while (t--)
            out[len++] = tmp[t] | (t ? 0x80 : 0);
    }
    return len;
}

struct request {
    unsigned char buf[512];
    unsigned char *pdu;
    size_t len;
    size_t id_at; /* offset of the 4 request-id bytes */
};

static int build_request(struct request *r, const char *oid_text)
{
    unsigned char oid[256];
    size_t oid_len = encode_oid(oid_text, oid, sizeof(oid));
    if (!oid_len)
        return -1;
    /* Built back to front from the end of buf. */
    unsigned char *end = r->buf + sizeof(r->buf);
    unsigned char *p = end - 2;
    p[0] = 0x05; /* NULL value */
    p[1] = 0x00;
    p -= oid_len;
    memcpy(p, oid, oid_len);
    size_t len = oid_len;
    p = wrap(0x06, p, &len); /* OBJECT IDENTIFIER */
    len += 2;
    p = wrap(0x30, p, &len);                                                 /* VarBind */
    p = wrap(0x30, p, &len);                                                 /* VarBindList */
    static const unsigned char head[] = {0x02, 0x04, 0x01, 0x00, 0x00, 0x00, /* request-id */
                                         0x02, 0x01, 0x00, 0x02, 0x01, 0x00};
    p -= sizeof(head);
    memcpy(p, head, sizeof(head));
    len += sizeof(head);
    unsigned char *id = p + 2;
    p = wrap(0xa0, p, &len); /* GetRequest-PDU */
    static const unsigned char msg[] = {0x02, 0x01, 0x01, 0x04, 0x06, 'p', 'u', 'b', 'l', 'i', 'c'};
    p -= sizeof(msg);
    memcpy(p, msg, sizeof(msg));
    len += sizeof(msg);
    p = wrap(0x30, p, &len);
    r->pdu = p;
    r->len = len;
    r->id_at = (size_t)(id - p);
    return 0;
}

static void set_id(struct request *r, uint32_t id)
{
    unsigned char *p = r->pdu + r->id_at;
    p[0] = (unsigned char)(id >> 24);
    p[1] = (unsigned char)(id >> 16);
    p[2] = (unsigned char)(id >> 8);
    p[3] = (unsigned char)id;
}

/* One TLV at *p (within end): its tag, contents and the position after it. */
static int tlv(const unsigned char **p, const unsigned char *end, unsigned char *tag,
               const unsigned char **val, size_t *len)
{
    const unsigned char *q = *p;
    if (end - q < 2)
        return -1;
    *tag = *q++;
    size_t n = *q++;
    if (n & 0x80) {
        size_t k = n & 0x7f;
        if (k > 3 || (size_t)(end - q) < k)
            return -1;
        n = 0;
        while (k--)
            n = (n << 8) | *q++;
    }
    if ((size_t)(end - q) < n)
        return -1;
    *val = q;
    *len = n;
    *p = q + n;
    return 0;
}

static long long as_int(const unsigned char *v, size_t n)
{
    long long x = n && (v[0] & 0x80) ? -1 : 0;
    for (size_t i = 0; i < n; i++)
        x = (x << 8) | v[i];
    return x;
}

/* The request-id and the first value of a response; -1 if malformed. */
static int parse_response(const unsigned char *buf, size_t n, uint32_t *id, long long *value)
{
    const unsigned char *p = buf, *end = buf + n, *v;
    unsigned char tag;
    size_t len;
    if (tlv(&p, end, &tag, &v, &len) || tag != 0x30)
        return -1;
    p = v;
    end = v + len;
    if (tlv(&p, end, &tag, &v, &len) || tlv(&p, end, &tag, &v, &len)) /* version, community */
        return -1;
    if (tlv(&p, end, &tag, &v, &len) || tag != 0xa2)
        return -1;
    p = v;
    end = v + len;
    if (tlv(&p, end, &tag, &v, &len) || tag != 0x02)
        return -1;
    *id = (uint32_t)as_int(v, len);
    if (tlv(&p, end, &tag, &v, &len) || tlv(&p, end, &tag, &v, &len)) /* error status, index */
        return -1;
    if (tlv(&p, end, &tag, &v, &len) || tag != 0x30) /* VarBindList */
        return -1;
    p = v;
    end = v + len;
    if (tlv(&p, end, &tag, &v, &len) || tag != 0x30) /* VarBind */
        return -1;
    p = v;
    end = v + len;
    if (tlv(&p, end, &tag, &v, &len) || tlv(&p, end, &tag, &v, &len)) /* name, value */
        return -1;
    /* INTEGER, Counter32, Gauge32, TimeTicks */
    *value = (tag == 0x02 || tag == 0x41 || tag == 0x42 || tag == 0x43) ? as_int(v, len) : -1;
    return 0;
}

/* Send r with id and wait for its answer: the round trip in µs, or -1. */
static int64_t round_trip(int fd, struct request *r, uint32_t id, long long *value)
{
    unsigned char in[65536];
    set_id(r, id);
    int64_t t0 = now_us();
    if (send(fd, r->pdu, r->len, 0) != (ssize_t)r->len)
        return -1;
    for (;;) {
        int64_t left = TIMEOUT_MS - (now_us() - t0) / 1000;
        struct pollfd pfd = {.fd = fd, .events = POLLIN};
        if (left <= 0 || poll(&pfd, 1, (int)left) <= 0)
            return -1;
        ssize_t n = recv(fd, in, sizeof(in), 0);
        int64_t t1 = now_us();
        if (n < 0)
            return -1; /* nobody listens there (yet) */
        uint32_t got;
        if (n > 0 && parse_response(in, (size_t)n, &got, value) == 0 && got == id)
            return t1 - t0;
        /* An answer to an earlier request that timed out: keep waiting. */
    }
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

static void sleep_until(int64_t t)
{
    int64_t d = t - now_us();
    if (d > 0) {
        struct timespec ts = {d / 1000000, (d % 1000000) * 1000};
        nanosleep(&ts, NULL);
    }
}

struct target {
    int fd;
    int port;
    int64_t *rtt;
    size_t sent, got;
};

static void report(const struct target *t)
{
    int64_t *rtt = t->rtt;
    size_t got = t->got;
    qsort(rtt, got, sizeof(*rtt), cmp_i64);
    int64_t p50 = got ? rtt[got / 2] : -1;
    int64_t p99 = got ? rtt[(got * 99) / 100] : -1;
    int64_t max = got ? rtt[got - 1] : -1;
    printf("port %d sent %zu answered %zu lost %zu p50_us %lld p99_us %lld max_us %lld\n", t->port,
           t->sent, got, t->sent - got, (long long)p50, (long long)p99, (long long)max);
}

static int latency(struct target *tg, int n, struct request *r, double seconds, long interval_us)
{
    uint32_t id = 0x01000000;
    int64_t start = now_us(), stop = start + (int64_t)(seconds * 1e6);
    /* GETLAT_SLOW_US: list every answer slower than that on stderr. */
    const char *slow_env = getenv("GETLAT_SLOW_US");
    int64_t slow_us = slow_env ? atoll(slow_env) : 0;
    unsigned tick = 0;
    for (int64_t next = start; now_us() < stop; next += interval_us, tick++) {
        sleep_until(next);
        /* Each agent goes first in turn: neither profits from the order. */
        for (int k = 0; k < n; k++) {
            struct target *t = &tg[(tick + (unsigned)k) % (unsigned)n];
            long long v;
            if (t->sent == MAX_SAMPLES)
                return 2;
            int64_t sent_at = now_us();
            int64_t rt = round_trip(t->fd, r, ++id, &v);
            t->sent++;
            if (rt >= 0)
                t->rtt[t->got++] = rt;
            if (slow_us && (rt < 0 || rt >= slow_us))
                fprintf(stderr, "slow port %d at_ms %lld rtt_us %lld\n", t->port,
                        (long long)((sent_at - start) / 1000), (long long)rt);
        }
        if (now_us() > next + interval_us)
            next = now_us() - interval_us; /* late: never send in a burst to catch up */
    }
    int rc = 0;
    for (int i = 0; i < n; i++) {
        report(&tg[i]);
        rc |= tg[i].got ? 0 : 1;
    }
    return rc;
}

static int wait_value(int fd, struct request *r, long long want, double timeout_s, int64_t start)
{
    uint32_t id = 0x01000000;
    while (now_us() - start < (int64_t)(timeout_s * 1e6)) {
        long long v = -1;
        if (round_trip(fd, r, ++id, &v) >= 0 && v == want) {
            printf("reached_ms %lld\n", (long long)((now_us() - start) / 1000));
            return 0;
        }
        sleep_until(now_us() + 10000);
    }
    printf("timeout\n");
    return 1;
}

static int open_port(int port)
{
    struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    if (fd < 0 || connect(fd, (struct sockaddr *)&to, sizeof(to)) != 0) {
        perror("getlat: socket");
        exit(2);
    }
    return fd;
}

int main(int argc, char **argv)
{
    int64_t start = now_us();
    struct request r;
    if (argc < 6 || build_request(&r, argv[1]) != 0) {
        fprintf(stderr,
                "usage: %s OID latency SECONDS INTERVAL_US PORT...\n"
                "       %s OID wait VALUE TIMEOUT_S PORT\n",
                argv[0], argv[0]);
        return 2;
    }
    if (strcmp(argv[2], "wait") == 0)
        return wait_value(open_port(atoi(argv[5])), &r, atoll(argv[3]), atof(argv[4]), start);
    if (strcmp(argv[2], "latency") != 0)
        return 2;
    int n = argc - 5;
    struct target *tg = calloc((size_t)n, sizeof(*tg));
    for (int i = 0; tg && i < n; i++) {
        tg[i].port = atoi(argv[5 + i]);
        tg[i].fd = open_port(tg[i].port);
        tg[i].rtt = malloc(MAX_SAMPLES * sizeof(*tg[i].rtt));
        if (!tg[i].rtt)
            return 2;
    }
    return tg ? latency(tg, n, &r, atof(argv[3]), atol(argv[4])) : 2;
}
