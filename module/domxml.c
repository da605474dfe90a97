#include "domxml.h"

#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

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

int vm_domxml_parse(const char *xml, size_t len, struct vm_def *def)
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
    xmlFreeDoc(doc);
    return 0;
}
