/* A libvirt domain definition (its XML description), reduced to what the
 * VM-MIB shows: the OS, the disks and the NICs.  libxml2 only, so the
 * parser is unit-tested with fixtures and no libvirt. */
#ifndef VMMIB_MODEL_DOMXML_H
#define VMMIB_MODEL_DOMXML_H

#include <stdbool.h>
#include <stddef.h>

/* A <disk>. */
struct domxml_disk {
    char *target;    /* target dev (vda): libvirt's name for the disk in stats calls */
    int source_type; /* enum state_source */
    char *format;    /* vmStorageSourceTypeString: image format, protocol or disk type */
    char *resource;  /* vmStorageResourceID: path, device, or protocol://host/name */
    char *file;      /* the host file holding the image (file disks), else NULL */
    int access;      /* enum state_access */
    int media;       /* enum state_media */
    char *bus;       /* vmStorageMediaTypeString: the emulated bus (virtio, sata, ide...) */
    bool empty;      /* no source: a CD-ROM or floppy drive without a medium */
};

/* An <interface>. */
struct domxml_nic {
    unsigned char mac[6];
    bool has_mac;
    char *model;  /* virtio, e1000 ... ("" when the definition names none) */
    char *target; /* host-side device (vnet0), only in a running VM's live XML */
    char *type;   /* bridge, network, direct, user ... */
    char *source; /* bridge name, network name, or lower device for direct */
};

struct domxml_def {
    char *os_type; /* libosinfo id when the definition has one, else NULL */
    struct domxml_disk *disks;
    size_t n_disks;
    struct domxml_nic *nics;
    size_t n_nics;
};

/* 0 on success (def filled; fields it cannot find stay NULL), -1 when the
 * text is not a domain description. */
int domxml_parse(const char *xml, size_t len, struct domxml_def *def);

/* Deep copy (dst is overwritten, not freed): 0 or -1 (dst left empty). */
int domxml_copy(struct domxml_def *dst, const struct domxml_def *src);
void domxml_clear(struct domxml_def *d);

#endif
