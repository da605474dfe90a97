/* SETs of the draft's control objects (vmMibWriteAccess yes): vmAdminState,
 * vmCurCpuNumber and vmCurMem in vmTable, vmCpuAffinity in
 * vmCpuAffinityTable.  Net-SNMP's SET phases are followed: RESERVE1 and
 * RESERVE2 check type, value, row and the admin plan against the published
 * view (nothing is done before every varbind of the PDU has passed),
 * ACTION hands the libvirt call to the control thread and waits for it
 * within the PDU's budget, UNDO asks for the inverse of what was done.
 * Every attempt is logged with who asked, what, and the result. */
#ifndef VMMIB_AGENT_SET_H
#define VMMIB_AGENT_SET_H

#include <stdbool.h>

#include "../model/view.h"
#include "table.h"

/* With write access off, everything answers notWritable. */
void set_enable(bool write_access);
void set_publish(const struct view *v);

/* table_set_fn for vmTable and vmCpuAffinityTable. */
void set_vm(const struct table_row *row, unsigned column, netsnmp_request_info *r,
            netsnmp_agent_request_info *reqinfo, netsnmp_request_info *all);
void set_affinity(const struct table_row *row, unsigned column, netsnmp_request_info *r,
                  netsnmp_agent_request_info *reqinfo, netsnmp_request_info *all);

/* Who sent the request being handled: "'name' (SNMPvN) from address". */
void set_requester(netsnmp_agent_request_info *reqinfo, char *buf, size_t len);

/* Log how the actions that outlived their SET ended. */
void set_report_outcomes(void);

#endif
