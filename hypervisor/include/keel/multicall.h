/* SPDX-License-Identifier: MIT */
/*
 * The multicall hypercall (common/multicall.c) and the architecture hook it
 * runs each entry through. The hook belongs with the other arch_*() hooks in
 * keel/arch.h; it lives here until that header is opened for it.
 */
#ifndef KEEL_MULTICALL_H
#define KEEL_MULTICALL_H

#include <public/xen.h>

/* What the multicall does after an entry ran (Xen's enum mc_disposition). */
enum mc_disposition {
    MC_CONTINUE,        /* go on with the next entry */
    MC_PREEMPTED,       /* the entry continued itself: call->op and call->args
                         * now describe the rest of its work */
    MC_EXIT,            /* stop here and return call->result (iret) */
    MC_STOP,            /* the guest left kernel mode: stop, continue later */
};

/*
 * Run one multicall entry as hypercall call->op with call->args[0..4] on
 * the current vCPU and store its return value in call->result. If the
 * sub-call asked to be continued (hypercall_continue()), the guest's
 * registers are left as they were before the entry, the continuation is
 * folded into *call (op and args) and MC_PREEMPTED returned. The iret
 * hypercall runs (as in Xen) and ends the multicall (MC_EXIT).
 */
enum mc_disposition arch_multicall_call(struct multicall_entry *call);

#endif
