/* What the host's kernel says about a VM's devices: the filesystem an image
 * file lives on, and the ifindex of a host-side network device and of the
 * bridge or link it hangs off.  Poll thread; no libvirt, no Net-SNMP.
 *
 * One round looks up thousands of devices: the interfaces are listed once
 * per round (one netlink dump, not a socket per name), and the mount point
 * of the last image directory is remembered (images share directories). */
#ifndef VMMIB_POLL_HOSTDEV_H
#define VMMIB_POLL_HOSTDEV_H

#include <stdint.h>

/* What one round has learned about the host. */
struct hostdev;

/* Start a round: lists the host's interfaces.  NULL when memory runs out
 * (every lookup then asks the kernel itself). */
struct hostdev *hostdev_begin(void);
void hostdev_end(struct hostdev *h);

/* The mount point of the filesystem holding path (malloc'd), or NULL when
 * the file cannot be reached. */
char *hostdev_mount_of(struct hostdev *h, const char *path);

/* Kernel ifindex of a network device (= IF-MIB ifIndex on Linux), 0 = none. */
int32_t hostdev_ifindex(const struct hostdev *h, const char *dev);

/* The parent of an existing device: the bridge it is enslaved to, else the
 * link it sits on (macvtap), else 0. */
int32_t hostdev_parent(const struct hostdev *h, const char *dev, int32_t self);

#endif
