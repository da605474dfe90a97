#include "domxml.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "state.h"

#define LIBOSINFO_NS "http://libosinfo.org/xmlns/libvirt/domain/1.0"

static xmlNode *child(xmlNode *parent, const char *name)
{
    for (xmlNode *n = parent ? parent->children : NULL; n; n = n->next)
        if (n->type == XML_ELEMENT_NODE && strcmp((const char *)n->name, name) == 0)
            return n;
    return NULL;
}

static char *attr_of(xmlNode *n, const char *name)
{
    if (!n)
        return NULL;
    xmlChar *c = xmlGetProp(n, (const xmlChar *)name);
    if (!c)
        return NULL;
    char *s = strdup((const char *)c);
    xmlFree(c);
    return s;
}

/* <metadata><libosinfo:libosinfo><libosinfo:os id="..."/>: the OS the
 * management tool (virt-install, virt-manager) declared for the guest. */
static char *libosinfo_id(xmlNode *domain)
{
    xmlNode *md = child(domain, "metadata");
    for (xmlNode *n = md ? md->children : NULL; n; n = n->next) {
        if (n->type != XML_ELEMENT_NODE || !n->ns || !n->ns->href ||
            strcmp((const char *)n->ns->href, LIBOSINFO_NS) != 0)
            continue;
        for (xmlNode *os = n->children; os; os = os->next)
            if (os->type == XML_ELEMENT_NODE && strcmp((const char *)os->name, "os") == 0)
                return attr_of(os, "id");
    }
    return NULL;
}

static char *text_dup(const char *s)
{
    return s ? strdup(s) : NULL;
}

/* libvirt disk@type + driver@type -> VirtualMachineStorageSourceType. */
static int source_type_of(const char *disk_type, const char *format)
{
    if (!disk_type)
        return STATE_SRC_UNKNOWN;
    if (strcmp(disk_type, "block") == 0)
        return STATE_SRC_BLOCK;
    if (strcmp(disk_type, "network") == 0)
        return STATE_SRC_NETWORK;
    if (strcmp(disk_type, "file") == 0) {
        /* libvirt treats a file without a driver type as raw (no probing). */
        if (!format || strcmp(format, "raw") == 0)
            return STATE_SRC_RAW;
        return STATE_SRC_SPARSE; /* qcow2, qed, vmdk, vdi, vpc, vhdx ... grow on demand */
    }
    /* A storage-pool volume in a growing format is sparse wherever it
     * lies; a raw one may be a file or a block device: the pool decides. */
    if (strcmp(disk_type, "volume") == 0 && format && strcmp(format, "raw") != 0)
        return STATE_SRC_SPARSE;
    return STATE_SRC_OTHER; /* dir, raw volume, nvme, vhostuser */
}

static int media_of(const char *device)
{
    if (!device || strcmp(device, "disk") == 0)
        return STATE_MEDIA_HARDDISK; /* libvirt's default device is disk */
    if (strcmp(device, "cdrom") == 0)
        return STATE_MEDIA_OPTICAL;
    if (strcmp(device, "floppy") == 0)
        return STATE_MEDIA_FLOPPY;
    return STATE_MEDIA_OTHER; /* lun: a passed-through SCSI device */
}

/* "protocol://host[:port]/name" for a network disk, or just the name. */
static char *network_resource(xmlNode *source)
{
    char *protocol = attr_of(source, "protocol");
    char *name = attr_of(source, "name");
    xmlNode *host = child(source, "host");
    char *hname = attr_of(host, "name");
    char *port = attr_of(host, "port");
    char *out = NULL;
    size_t n = (protocol ? strlen(protocol) : 0) + (name ? strlen(name) : 0) +
               (hname ? strlen(hname) : 0) + (port ? strlen(port) : 0) + 8;
    out = malloc(n);
    if (out) {
        if (protocol && hname)
            snprintf(out, n, "%s://%s%s%s/%s", protocol, hname, port ? ":" : "", port ? port : "",
                     name ? name : "");
        else if (protocol)
            snprintf(out, n, "%s:%s", protocol, name ? name : "");
        else
            snprintf(out, n, "%s", name ? name : "");
    }
    free(protocol);
    free(name);
    free(hname);
    free(port);
    return out;
}

static int parse_disk(xmlNode *disk, struct domxml_disk *d)
{
    char *type = attr_of(disk, "type");
    char *device = attr_of(disk, "device");
    xmlNode *driver = child(disk, "driver");
    xmlNode *source = child(disk, "source");
    xmlNode *target = child(disk, "target");

    d->target = attr_of(target, "dev");
    d->bus = attr_of(target, "bus");
    char *format = attr_of(driver, "type");
    d->source_type = source_type_of(type, format);
    d->media = media_of(device);
    d->access = child(disk, "readonly") ? STATE_ACCESS_READONLY : STATE_ACCESS_READWRITE;

    if (type && strcmp(type, "file") == 0) {
        d->file = attr_of(source, "file");
        d->resource = text_dup(d->file);
    } else if (type && strcmp(type, "block") == 0) {
        d->resource = attr_of(source, "dev");
    } else if (type && strcmp(type, "network") == 0) {
        d->resource = source ? network_resource(source) : NULL;
    } else if (type && strcmp(type, "volume") == 0) {
        char *pool = attr_of(source, "pool"), *vol = attr_of(source, "volume");
        size_t n = (pool ? strlen(pool) : 0) + (vol ? strlen(vol) : 0) + 2;
        d->resource = malloc(n);
        if (d->resource)
            snprintf(d->resource, n, "%s/%s", pool ? pool : "", vol ? vol : "");
        free(pool);
        free(vol);
    } else if (type && strcmp(type, "dir") == 0) {
        d->resource = attr_of(source, "dir");
    }
    /* The detailed source type: the image format, else the network
     * protocol, else libvirt's disk type. */
    if (format)
        d->format = format;
    else if (type && strcmp(type, "network") == 0)
        d->format = attr_of(source, "protocol");
    else if (d->source_type == STATE_SRC_RAW)
        d->format = strdup("raw");
    if (!d->format)
        d->format = text_dup(type ? type : "");
    else if (format != d->format)
        free(format);
    d->empty = !d->resource || !*d->resource;
    if (!d->resource)
        d->resource = strdup(""); /* e.g. an empty CD-ROM drive */
    if (!d->bus)
        d->bus = strdup("");
    free(type);
    free(device);
    return d->target && d->format && d->resource && d->bus ? 0 : -1;
}

static int parse_mac(const char *s, unsigned char mac[6])
{
    unsigned v[6];
    if (!s || sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5]) != 6)
        return -1;
    for (int i = 0; i < 6; i++)
        mac[i] = (unsigned char)v[i];
    return 0;
}

static int parse_nic(xmlNode *iface, struct domxml_nic *n)
{
    n->type = attr_of(iface, "type");
    char *mac = attr_of(child(iface, "mac"), "address");
    n->has_mac = parse_mac(mac, n->mac) == 0;
    free(mac);
    n->model = attr_of(child(iface, "model"), "type");
    if (!n->model)
        n->model = strdup("");
    n->target = attr_of(child(iface, "target"), "dev");
    xmlNode *source = child(iface, "source");
    if (n->type && strcmp(n->type, "bridge") == 0)
        n->source = attr_of(source, "bridge");
    else if (n->type && strcmp(n->type, "network") == 0)
        n->source = attr_of(source, "network");
    else if (n->type && strcmp(n->type, "direct") == 0)
        n->source = attr_of(source, "dev");
    return n->model ? 0 : -1;
}

static size_t count_children(xmlNode *parent, const char *name)
{
    size_t n = 0;
    for (xmlNode *c = parent ? parent->children : NULL; c; c = c->next)
        if (c->type == XML_ELEMENT_NODE && strcmp((const char *)c->name, name) == 0)
            n++;
    return n;
}

static int parse_devices(xmlNode *devices, struct domxml_def *def)
{
    size_t nd = count_children(devices, "disk"), nn = count_children(devices, "interface");
    if (nd && !(def->disks = calloc(nd, sizeof(*def->disks))))
        return -1;
    if (nn && !(def->nics = calloc(nn, sizeof(*def->nics))))
        return -1;
    for (xmlNode *c = devices ? devices->children : NULL; c; c = c->next) {
        if (c->type != XML_ELEMENT_NODE)
            continue;
        if (strcmp((const char *)c->name, "disk") == 0) {
            if (parse_disk(c, &def->disks[def->n_disks++]) != 0)
                return -1;
        } else if (strcmp((const char *)c->name, "interface") == 0) {
            if (parse_nic(c, &def->nics[def->n_nics++]) != 0)
                return -1;
        }
    }
    return 0;
}

int domxml_parse(const char *xml, size_t len, struct domxml_def *def)
{
    memset(def, 0, sizeof(*def));
    xmlDoc *doc = xmlReadMemory(xml, (int)len, "domain.xml", NULL,
                                XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    if (!doc)
        return -1;
    xmlNode *root = xmlDocGetRootElement(doc);
    if (!root || strcmp((const char *)root->name, "domain") != 0) {
        xmlFreeDoc(doc);
        return -1;
    }
    /* Without it the poller falls back to virDomainGetOSType ("hvm", "exe"). */
    def->os_type = libosinfo_id(root);
    int rc = parse_devices(child(root, "devices"), def);
    xmlFreeDoc(doc);
    if (rc != 0)
        domxml_clear(def);
    return rc;
}

/* strdup that keeps NULL and reports failure through *ok. */
static char *dup_or_null(const char *s, bool *ok)
{
    if (!s)
        return NULL;
    char *d = strdup(s);
    if (!d)
        *ok = false;
    return d;
}

void domxml_clear(struct domxml_def *d)
{
    free(d->os_type);
    for (size_t i = 0; i < d->n_disks; i++) {
        struct domxml_disk *k = &d->disks[i];
        free(k->target);
        free(k->format);
        free(k->resource);
        free(k->file);
        free(k->bus);
    }
    free(d->disks);
    for (size_t i = 0; i < d->n_nics; i++) {
        free(d->nics[i].model);
        free(d->nics[i].target);
        free(d->nics[i].type);
        free(d->nics[i].source);
    }
    free(d->nics);
    memset(d, 0, sizeof(*d));
}

int domxml_copy(struct domxml_def *dst, const struct domxml_def *src)
{
    bool ok = true;
    memset(dst, 0, sizeof(*dst));
    dst->os_type = dup_or_null(src->os_type, &ok);
    if (src->n_disks) {
        dst->disks = calloc(src->n_disks, sizeof(*dst->disks));
        if (!dst->disks)
            goto fail;
        dst->n_disks = src->n_disks;
        for (size_t i = 0; i < src->n_disks; i++) {
            const struct domxml_disk *s = &src->disks[i];
            struct domxml_disk *d = &dst->disks[i];
            *d = *s;
            d->target = dup_or_null(s->target, &ok);
            d->format = dup_or_null(s->format, &ok);
            d->resource = dup_or_null(s->resource, &ok);
            d->file = dup_or_null(s->file, &ok);
            d->bus = dup_or_null(s->bus, &ok);
        }
    }
    if (src->n_nics) {
        dst->nics = calloc(src->n_nics, sizeof(*dst->nics));
        if (!dst->nics)
            goto fail;
        dst->n_nics = src->n_nics;
        for (size_t i = 0; i < src->n_nics; i++) {
            const struct domxml_nic *s = &src->nics[i];
            struct domxml_nic *d = &dst->nics[i];
            *d = *s;
            d->model = dup_or_null(s->model, &ok);
            d->target = dup_or_null(s->target, &ok);
            d->type = dup_or_null(s->type, &ok);
            d->source = dup_or_null(s->source, &ok);
        }
    }
    if (ok)
        return 0;
fail:
    domxml_clear(dst);
    return -1;
}
