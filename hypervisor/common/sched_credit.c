/* SPDX-License-Identifier: MIT */
/*
 * The credit scheduler: proportional-share vCPU scheduling on per-CPU run
 * queues (the policy; schedule.c is the core that calls it). Portable: no
 * struct vcpu, no timers, no softirqs, so the host unit tests drive it on a
 * simulated clock. Interface and per-field lock legend: sched_credit.h.
 *
 * Algorithm
 *   Credit is CPU time in ns. Every accounting period (CSCHED_PERIOD) the
 *   machine's capacity, CPUs x period, is divided among the domains with
 *   an active vCPU (one that wants a CPU now or ran during the period) in
 *   proportion to their weights, by water-filling: a domain never gets
 *   more than its active vCPUs can use (one CPU each) nor more than its
 *   cap, and what it cannot take is shared among the others by weight. A
 *   domain's grant is split equally among its active vCPUs and added to
 *   their credit; running debits the credit by the time actually run
 *   (measured with the caller's now, at every decision and at every
 *   accounting). Credit stays within [CSCHED_CREDIT_MIN, CSCHED_CREDIT_MAX]
 *   so neither an idle vCPU's savings nor a lone vCPU's debt outlive a
 *   period.
 *
 *   Priority follows credit: UNDER while credit > 0, else OVER. A vCPU
 *   woken from blocked while UNDER is BOOSTed until it has run once, so an
 *   I/O-bound vCPU preempts CPU-bound ones (at its own CPU, or it goes to
 *   an idle CPU); as boosting spends the same credit, it cannot take more
 *   than its share. Each run queue is ordered by priority, FIFO within a
 *   priority (round robin). A CPU runs the first eligible vCPU of its
 *   queue; the running vCPU keeps the CPU until a better one waits, or its
 *   slice ends and an equal one waits. The slice is CSCHED_SLICE, or
 *   CSCHED_SLICE_SHARED while an eligible vCPU of at least the same
 *   priority waits (a wake-up re-evaluates a CPU running a longer slice).
 *
 *   Caps: a capped domain may run cap% of one CPU per period
 *   (cap_budget). Its run time is counted in cap_used; while used >=
 *   budget its vCPUs are not eligible anywhere ("parked", left on their
 *   queues as runnable), and a slice never extends past the remaining
 *   budget. Each accounting subtracts one budget from cap_used (never
 *   below 0), so an overrun (several vCPUs at once, timer latency) is paid
 *   back in the next period and the long-run share stays <= cap.
 *
 *   Balance: a CPU whose best local choice is idle or OVER steals the
 *   first waiting vCPU of a better priority from another CPU's queue
 *   (trylock, so never waiting with its own lock held). A CPU going idle
 *   marks itself in idlers; a vCPU left waiting (woken behind a running
 *   one, or preempted) tickles one idler its affinity allows, which then
 *   steals it. A vCPU still being saved (below) cannot be stolen yet: the
 *   stealer tickles its CPU and leaves its own bit in that CPU's
 *   steal_wait, and that CPU tickles it back once the save is proven.
 *   Accounting re-tickles every period, so no hint lost to a race leaves
 *   work waiting beside an idle CPU for more than a period.
 *
 * Invariants
 *   - A vCPU runs only on a CPU of its hard affinity: every choice (local
 *     pick, steal) checks the mask, and a vCPU outside its mask is moved
 *     (move_vcpu()) as soon as it is neither running nor being saved.
 *   - A vCPU is on at most one CPU: pcpu.curr of at most one CPU, and on
 *     that CPU's queue only while runnable and not curr.
 *   - A vCPU switched out by CPU c keeps saving set until c's next
 *     csched_pick_next() (the core raises one right after every switch),
 *     and no other CPU takes it meanwhile: c may still be writing its
 *     registers out.
 *   - No runnable vCPU starves: every active vCPU's credit grows by a
 *     positive grant each period and is bounded below, so it is UNDER
 *     again within a bounded number of periods; UNDER vCPUs of a queue run
 *     round robin with bounded slices; idle CPUs are tickled every period.
 *     The bound is proportional share's own: a vCPU owed a fraction f of
 *     a CPU may wait about (CREDIT_MAX - CREDIT_MIN) / (f x period)
 *     periods for its next slice when the others keep it OVER, so
 *     extreme weight ratios (1 : 65535) mean long waits by design.
 *   - Run time accounted (credit debits, runstate) never exceeds wall time
 *     per CPU: each debit covers [run_start, now) and moves run_start to now.
 *
 * Locks
 *   csched_private.lock (global): the domain list, weights and caps, and
 *     the accounting pass. Taken first: code holding a run-queue lock
 *     never takes it.
 *   csched_pcpu.lock (one per CPU): that CPU's queue, curr, saving and
 *     slice, and the (q) fields of every vCPU assigned to the CPU
 *     (sv->cpu). A vCPU's lock is found with vcpu_lock() (read cpu, lock,
 *     recheck). Two of them are held only to move a vCPU: blocking in
 *     ascending CPU order (lock_two()), or, by a stealer holding its own,
 *     with spin_trylock() on the other.
 *   idlers, cap_budget, cap_used: atomics, read as hints or summed.
 *   All locks are taken with interrupts off: accounting runs from a timer
 *   interrupt and wake-ups come from any context.
 */
#include <keel/errno.h>
#include <keel/lib.h>
#include <keel/spinlock.h>
#include <public/vcpu.h>

#include "sched_credit.h"

/* One per CPU. Every field is guarded by lock unless noted (legend: sched_credit.h). */
struct csched_pcpu {
    spinlock_t lock;
    struct csched_vcpu *rq_head, *rq_tail; /* runnable, not running; by priority */
    unsigned int nr_queued;     /* also read without the lock, as a load hint */
    struct csched_vcpu *curr;   /* running here, NULL: idle; racy reads are hints */
    struct csched_vcpu *saving; /* switched out by the last switch, maybe still saving */
    uint64_t steal_wait;        /* CPUs that passed over saving: tickle them once it is saved */
    s_time_t slice_start;       /* when curr's current slice began */
    s_time_t slice_end;         /* when it ends; 0 while idle */
};

/* The global state (csched_private in the legend). */
static struct {
    spinlock_t lock;
    unsigned int nr_cpus;       /* (c) after csched_init() */
    uint64_t all_cpus;          /* (c) */
    struct csched_dom *doms;    /* (p) domains with vCPUs */
    s_time_t next_acct;         /* (p) start of the next accounting period */
    uint64_t idlers;            /* (a) CPUs idle and not yet tickled */
} prv;

static struct csched_pcpu pcpus[CSCHED_MAX_CPUS];

#define CPU_BIT(cpu) (1ULL << (cpu))

/* ---- small helpers ------------------------------------------------------ */

static unsigned int vcpu_cpu(const struct csched_vcpu *sv)
{
    return __atomic_load_n(&sv->cpu, __ATOMIC_RELAXED);
}

/* Lock sv's run queue; *cpu is the CPU whose lock is held. */
static unsigned long vcpu_lock(struct csched_vcpu *sv, unsigned int *cpu)
{
    for (;;) {
        unsigned int c = vcpu_cpu(sv);
        unsigned long flags = spin_lock_irqsave(&pcpus[c].lock);

        /* sv->cpu changes only under this lock too: stable once rechecked. */
        if (vcpu_cpu(sv) == c) {
            *cpu = c;
            return flags;
        }
        spin_unlock_irqrestore(&pcpus[c].lock, flags);
    }
}

static unsigned long lock_two(unsigned int a, unsigned int b)
{
    unsigned long flags = local_irq_save();

    spin_lock(&pcpus[min(a, b)].lock);
    if (a != b)
        spin_lock(&pcpus[max(a, b)].lock);
    return flags;
}

static void unlock_two(unsigned int a, unsigned int b, unsigned long flags)
{
    if (a != b)
        spin_unlock(&pcpus[max(a, b)].lock);
    spin_unlock(&pcpus[min(a, b)].lock);
    local_irq_restore(flags);
}

static bool over_cap(const struct csched_dom *sd)
{
    uint64_t budget = __atomic_load_n(&sd->cap_budget, __ATOMIC_RELAXED);

    return budget && __atomic_load_n(&sd->cap_used, __ATOMIC_RELAXED) >= budget;
}

static enum csched_pri credit_pri(const struct csched_vcpu *sv)
{
    return sv->credit > 0 ? CSCHED_PRI_UNDER : CSCHED_PRI_OVER;
}

/* Whether sv may run on cpu now, but for its registers being saved. sv's lock held. */
static bool eligible_but_saving(const struct csched_vcpu *sv, unsigned int cpu)
{
    return (sv->affinity & CPU_BIT(cpu)) && !over_cap(sv->dom);
}

/* Whether sv may run on cpu now. sv's lock held. */
static bool eligible(const struct csched_vcpu *sv, unsigned int cpu)
{
    return !sv->saving && eligible_but_saving(sv, cpu);
}

static void runstate_set(struct csched_vcpu *sv, int state, s_time_t now)
{
    now = max(now, sv->rs.seen);
    if (now > sv->rs.entry)
        sv->rs.time[sv->rs.state] += now - sv->rs.entry;
    sv->rs.state = state;
    sv->rs.entry = max(now, sv->rs.entry);
}

/* Debit sv (running) for [run_start, now). sv's lock held. */
static void burn(struct csched_vcpu *sv, s_time_t now)
{
    uint64_t delta;

    if (now <= sv->run_start)
        return;
    delta = now - sv->run_start;
    sv->run_start = now;
    sv->credit = max(sv->credit - (int64_t)delta, CSCHED_CREDIT_MIN);
    sv->ran = true;
    if (__atomic_load_n(&sv->dom->cap_budget, __ATOMIC_RELAXED))
        __atomic_add_fetch(&sv->dom->cap_used, delta, __ATOMIC_RELAXED);
}

/* ---- run queues (lock of pc held) -------------------------------------- */

/* Behind every vCPU of at least sv's priority: FIFO within a priority. */
static void runq_insert(struct csched_pcpu *pc, struct csched_vcpu *sv)
{
    struct csched_vcpu *after = pc->rq_tail;

    BUG_ON(sv->queued);
    while (after && after->pri < sv->pri)
        after = after->rq_prev;
    sv->rq_prev = after;
    sv->rq_next = after ? after->rq_next : pc->rq_head;
    if (sv->rq_next)
        sv->rq_next->rq_prev = sv;
    else
        pc->rq_tail = sv;
    if (after)
        after->rq_next = sv;
    else
        pc->rq_head = sv;
    sv->queued = true;
    pc->nr_queued++;
}

static void runq_remove(struct csched_pcpu *pc, struct csched_vcpu *sv)
{
    BUG_ON(!sv->queued);
    if (sv->rq_prev)
        sv->rq_prev->rq_next = sv->rq_next;
    else
        pc->rq_head = sv->rq_next;
    if (sv->rq_next)
        sv->rq_next->rq_prev = sv->rq_prev;
    else
        pc->rq_tail = sv->rq_prev;
    sv->rq_prev = sv->rq_next = NULL;
    sv->queued = false;
    pc->nr_queued--;
}

/* A queued vCPU's priority changed: keep the queue ordered. */
static void runq_set_pri(struct csched_pcpu *pc, struct csched_vcpu *sv, enum csched_pri pri)
{
    if (sv->pri == pri)
        return;
    if (sv->queued) {
        runq_remove(pc, sv);
        sv->pri = pri;
        runq_insert(pc, sv);
    } else {
        sv->pri = pri;
    }
}

static struct csched_vcpu *first_eligible(const struct csched_pcpu *pc, unsigned int cpu)
{
    for (struct csched_vcpu *sv = pc->rq_head; sv; sv = sv->rq_next)
        if (eligible(sv, cpu))
            return sv;
    return NULL;
}

/* ---- tickling ------------------------------------------------------------ */

/* Take one CPU out of candidates (a subset of idlers) to tickle. */
static uint64_t claim_idler(uint64_t candidates)
{
    uint64_t bit = candidates & -candidates;

    __atomic_and_fetch(&prv.idlers, ~bit, __ATOMIC_RELAXED);
    return bit;
}

/*
 * sv has just been queued on cpu (lock held): which CPU should look at it?
 * cpu if idle; else an idle CPU that may steal it; else cpu if sv should
 * preempt, or to cut a long slice short now that someone waits.
 */
static uint64_t tickle_for(const struct csched_vcpu *sv, unsigned int cpu, s_time_t now)
{
    const struct csched_pcpu *pc = &pcpus[cpu];
    bool here = sv->affinity & CPU_BIT(cpu);
    uint64_t idle;

    if (over_cap(sv->dom))
        return 0; /* parked: the accounting that unparks it tickles */
    if (here && !pc->curr)
        return CPU_BIT(cpu);
    idle = __atomic_load_n(&prv.idlers, __ATOMIC_RELAXED) & sv->affinity & ~CPU_BIT(cpu);
    if (idle && !sv->saving)
        return claim_idler(idle);
    if (here && (sv->pri > pc->curr->pri || pc->slice_end > now + CSCHED_SLICE_SHARED))
        return CPU_BIT(cpu);
    return 0;
}

/* One idler for each vCPU waiting on cpu's queue that one could take. */
static uint64_t tickle_idlers_for_queue(const struct csched_pcpu *pc, unsigned int cpu)
{
    uint64_t idle = __atomic_load_n(&prv.idlers, __ATOMIC_RELAXED) & ~CPU_BIT(cpu);
    uint64_t mask = 0;

    for (const struct csched_vcpu *sv = pc->rq_head; sv && idle; sv = sv->rq_next) {
        uint64_t can = idle & sv->affinity;

        if (!can || sv->saving || over_cap(sv->dom))
            continue;
        can &= -can;
        mask |= can;
        idle &= ~can;
    }
    if (mask)
        __atomic_and_fetch(&prv.idlers, ~mask, __ATOMIC_RELAXED);
    return mask;
}

/* ---- moving vCPUs between CPUs ----------------------------------------- */

/* Where a vCPU allowed on aff should go: an idle CPU, else the shortest queue. */
static unsigned int choose_cpu(uint64_t aff)
{
    uint64_t idle = __atomic_load_n(&prv.idlers, __ATOMIC_RELAXED) & aff;
    unsigned int best = CSCHED_MAX_CPUS, best_load = ~0U;

    if (idle)
        return (unsigned int)__builtin_ctzll(idle);
    for (uint64_t m = aff; m; m &= m - 1) {
        unsigned int c = (unsigned int)__builtin_ctzll(m);
        unsigned int load = __atomic_load_n(&pcpus[c].nr_queued, __ATOMIC_RELAXED) +
                            (pcpus[c].curr != NULL);

        if (load < best_load) {
            best = c;
            best_load = load;
        }
    }
    BUG_ON(best >= prv.nr_cpus);
    return best;
}

/*
 * Move sv to a CPU of its affinity if it sits outside it, unless it is
 * running or being saved (then its CPU moves it later). No lock held.
 * Returns CPUs to tickle.
 */
static uint64_t move_vcpu(struct csched_vcpu *sv, s_time_t now)
{
    for (;;) {
        unsigned int from, to;
        uint64_t tickle = 0;
        unsigned long flags = vcpu_lock(sv, &from);
        bool stay = (sv->affinity & CPU_BIT(from)) || sv->saving || pcpus[from].curr == sv;
        uint64_t aff = sv->affinity;

        spin_unlock_irqrestore(&pcpus[from].lock, flags);
        if (stay)
            return 0;
        to = choose_cpu(aff);
        flags = lock_two(from, to);
        if (vcpu_cpu(sv) != from || sv->affinity != aff || sv->saving ||
            pcpus[from].curr == sv) {
            unlock_two(from, to, flags);
            continue; /* it changed meanwhile: look again */
        }
        if (sv->queued) {
            runq_remove(&pcpus[from], sv);
            __atomic_store_n(&sv->cpu, to, __ATOMIC_RELAXED);
            runq_insert(&pcpus[to], sv);
            tickle = tickle_for(sv, to, now);
        } else {
            __atomic_store_n(&sv->cpu, to, __ATOMIC_RELAXED);
        }
        unlock_two(from, to, flags);
        return tickle;
    }
}

/*
 * Take a vCPU better than pri (-1: anything) waiting on another CPU and
 * allowed on cpu, whose lock the caller holds. The vCPU comes back
 * assigned to cpu, not queued. A peer whose only candidate is still being
 * saved is asked (*tickle) to run its scheduler, which completes the save
 * and then tickles cpu back (steal_wait), so the steal is retried then
 * rather than at cpu's next slice.
 */
static struct csched_vcpu *steal(unsigned int cpu, int pri, uint64_t *tickle)
{
    for (unsigned int i = 1; i < prv.nr_cpus; i++) {
        unsigned int peer = (cpu + i) % prv.nr_cpus;
        struct csched_pcpu *pp = &pcpus[peer];

        if (!__atomic_load_n(&pp->nr_queued, __ATOMIC_RELAXED) || !spin_trylock(&pp->lock))
            continue;
        for (struct csched_vcpu *sv = pp->rq_head; sv && (int)sv->pri > pri; sv = sv->rq_next) {
            if (sv->saving && eligible_but_saving(sv, cpu)) {
                pp->steal_wait |= CPU_BIT(cpu);
                *tickle |= CPU_BIT(peer);
            }
            if (!eligible(sv, cpu))
                continue;
            runq_remove(pp, sv);
            __atomic_store_n(&sv->cpu, cpu, __ATOMIC_RELAXED);
            spin_unlock(&pp->lock);
            return sv;
        }
        spin_unlock(&pp->lock);
    }
    return NULL;
}

/* ---- set-up ---------------------------------------------------------------- */

void csched_init(unsigned int nr_cpus, s_time_t now)
{
    BUG_ON(nr_cpus == 0 || nr_cpus > CSCHED_MAX_CPUS);
    memset(pcpus, 0, sizeof(pcpus));
    memset(&prv, 0, sizeof(prv));
    prv.nr_cpus = nr_cpus;
    prv.all_cpus = nr_cpus == 64 ? ~0ULL : CPU_BIT(nr_cpus) - 1;
    prv.next_acct = now + CSCHED_PERIOD;
    prv.idlers = prv.all_cpus;
}

unsigned int csched_nr_cpus(void)
{
    return prv.nr_cpus;
}

uint64_t csched_all_cpus(void)
{
    return prv.all_cpus;
}

s_time_t csched_next_account(void)
{
    unsigned long flags = spin_lock_irqsave(&prv.lock);
    s_time_t t = prv.next_acct;

    spin_unlock_irqrestore(&prv.lock, flags);
    return t;
}

struct csched_vcpu *csched_curr(unsigned int cpu)
{
    return pcpus[cpu].curr;
}

void csched_dom_init(struct csched_dom *sd)
{
    memset(sd, 0, sizeof(*sd));
    sd->weight = CSCHED_DEFAULT_WEIGHT;
}

void csched_vcpu_insert(struct csched_vcpu *sv, struct csched_dom *sd, void *owner,
                        const bool *up, unsigned int cpu, s_time_t now)
{
    unsigned long flags;

    BUG_ON(cpu >= prv.nr_cpus || !up);
    memset(sv, 0, sizeof(*sv));
    sv->dom = sd;
    sv->owner = owner;
    sv->up = up;
    sv->cpu = cpu;
    sv->affinity = prv.all_cpus;
    sv->credit = CSCHED_CREDIT_INIT;
    sv->pri = credit_pri(sv);
    sv->rs.state = RUNSTATE_offline;
    sv->rs.entry = now;

    flags = spin_lock_irqsave(&prv.lock);
    if (!sd->inserted) {
        sd->next = prv.doms;
        prv.doms = sd;
        sd->inserted = true;
    }
    sv->dom_next = sd->vcpus;
    sd->vcpus = sv;
    sd->nr_vcpus++;
    spin_unlock_irqrestore(&prv.lock, flags);
}

bool csched_vcpu_quiesced(struct csched_vcpu *sv, unsigned int this_cpu)
{
    unsigned int cpu;
    unsigned long flags = vcpu_lock(sv, &cpu);
    struct csched_pcpu *pc = &pcpus[cpu];
    bool quiet;

    /* Code running on the CPU that switched sv out runs after that switch. */
    if (sv->saving && cpu == this_cpu) {
        BUG_ON(pc->saving != sv);
        sv->saving = false;
        pc->saving = NULL;
    }
    quiet = pc->curr != sv && !sv->saving;
    spin_unlock_irqrestore(&pc->lock, flags);
    return quiet;
}

bool csched_vcpu_remove(struct csched_vcpu *sv)
{
    struct csched_dom *sd = sv->dom;
    unsigned long flags = spin_lock_irqsave(&prv.lock);
    struct csched_vcpu **pp;
    bool last;
    unsigned int cpu;
    unsigned long qflags = vcpu_lock(sv, &cpu);

    BUG_ON(sv->rs.state != RUNSTATE_offline || sv->queued || sv->saving ||
           pcpus[cpu].curr == sv);
    spin_unlock_irqrestore(&pcpus[cpu].lock, qflags);

    for (pp = &sd->vcpus; *pp != sv; pp = &(*pp)->dom_next)
        BUG_ON(!*pp);
    *pp = sv->dom_next;
    last = --sd->nr_vcpus == 0;
    if (last) {
        struct csched_dom **dp;

        for (dp = &prv.doms; *dp != sd; dp = &(*dp)->next)
            BUG_ON(!*dp);
        *dp = sd->next;
        sd->inserted = false;
    }
    spin_unlock_irqrestore(&prv.lock, flags);
    return last;
}

/* ---- state changes ---------------------------------------------------------- */

uint64_t csched_wake(struct csched_vcpu *sv, s_time_t now)
{
    unsigned int cpu;
    unsigned long flags = vcpu_lock(sv, &cpu);
    struct csched_pcpu *pc = &pcpus[cpu];
    int old = sv->rs.state;
    uint64_t tickle;

    /* A vCPU taken down stays down until its owner says it is up again. */
    if (old == RUNSTATE_running || old == RUNSTATE_runnable ||
        (old == RUNSTATE_offline && !__atomic_load_n(sv->up, __ATOMIC_ACQUIRE))) {
        spin_unlock_irqrestore(&pc->lock, flags);
        return 0;
    }
    if (pc->curr == sv) {
        /* Blocked but not yet switched out: it simply keeps running. */
        runstate_set(sv, RUNSTATE_running, now);
        spin_unlock_irqrestore(&pc->lock, flags);
        return 0;
    }
    sv->pri = credit_pri(sv);
    if (old == RUNSTATE_blocked && sv->pri == CSCHED_PRI_UNDER)
        sv->pri = CSCHED_PRI_BOOST;
    runstate_set(sv, RUNSTATE_runnable, now);
    runq_insert(pc, sv);
    if (sv->affinity & CPU_BIT(cpu)) {
        tickle = tickle_for(sv, cpu, now);
        spin_unlock_irqrestore(&pc->lock, flags);
        return tickle;
    }
    spin_unlock_irqrestore(&pc->lock, flags);
    return move_vcpu(sv, now);
}

uint64_t csched_sleep(struct csched_vcpu *sv, int state, s_time_t now)
{
    unsigned int cpu;
    unsigned long flags = vcpu_lock(sv, &cpu);
    struct csched_pcpu *pc = &pcpus[cpu];
    uint64_t tickle = 0;

    BUG_ON(state != RUNSTATE_blocked && state != RUNSTATE_offline);
    if (sv->rs.state != state && !(state == RUNSTATE_blocked && sv->rs.state == RUNSTATE_offline)) {
        if (sv->queued)
            runq_remove(pc, sv);
        if (pc->curr == sv)
            tickle = CPU_BIT(cpu);
        runstate_set(sv, state, now);
    }
    spin_unlock_irqrestore(&pc->lock, flags);
    return tickle;
}

uint64_t csched_yield(struct csched_vcpu *sv)
{
    unsigned int cpu;
    unsigned long flags = vcpu_lock(sv, &cpu);
    uint64_t tickle = 0;

    if (pcpus[cpu].curr == sv && sv->rs.state == RUNSTATE_running) {
        sv->yield = true;
        tickle = CPU_BIT(cpu);
    }
    spin_unlock_irqrestore(&pcpus[cpu].lock, flags);
    return tickle;
}

int csched_set_params(struct csched_dom *sd, unsigned int weight, unsigned int cap)
{
    unsigned long flags;

    if (weight == 0 || weight > CSCHED_MAX_WEIGHT || cap > 100 * prv.nr_cpus)
        return -EINVAL;
    flags = spin_lock_irqsave(&prv.lock);
    sd->weight = weight;
    sd->cap = cap;
    __atomic_store_n(&sd->cap_budget, (uint64_t)cap * CSCHED_PERIOD / 100, __ATOMIC_RELAXED);
    spin_unlock_irqrestore(&prv.lock, flags);
    return 0;
}

int csched_set_affinity(struct csched_vcpu *sv, uint64_t mask, uint64_t *tickle, s_time_t now)
{
    unsigned int cpu;
    unsigned long flags;
    bool move = false;

    mask &= prv.all_cpus;
    *tickle = 0;
    if (!mask)
        return -EINVAL;
    flags = vcpu_lock(sv, &cpu);
    sv->affinity = mask;
    if (!(mask & CPU_BIT(cpu))) {
        if (pcpus[cpu].curr == sv)
            *tickle = CPU_BIT(cpu); /* its CPU moves it when it switches it out */
        else
            move = true;
    }
    spin_unlock_irqrestore(&pcpus[cpu].lock, flags);
    if (move)
        *tickle |= move_vcpu(sv, now);
    return 0;
}

void csched_runstate(struct csched_vcpu *sv, s_time_t now, uint64_t times[4], int *state,
                     s_time_t *state_entry)
{
    unsigned int cpu;
    unsigned long flags = vcpu_lock(sv, &cpu);

    for (unsigned int i = 0; i < 4; i++)
        times[i] = sv->rs.time[i];
    now = max(now, sv->rs.seen);
    if (now > sv->rs.entry)
        times[sv->rs.state] += now - sv->rs.entry;
    sv->rs.seen = now;
    *state = sv->rs.state;
    *state_entry = sv->rs.entry;
    spin_unlock_irqrestore(&pcpus[cpu].lock, flags);
}

/* ---- the decision ------------------------------------------------------------ */

/* Whether an eligible vCPU of at least priority pri waits on cpu. */
static bool waiter_at_least(const struct csched_pcpu *pc, unsigned int cpu, enum csched_pri pri)
{
    for (const struct csched_vcpu *sv = pc->rq_head; sv && sv->pri >= pri; sv = sv->rq_next)
        if (eligible(sv, cpu))
            return true;
    return false;
}

struct csched_decision csched_pick_next(unsigned int cpu, s_time_t now)
{
    struct csched_pcpu *pc = &pcpus[cpu];
    struct csched_decision d = { 0 };
    struct csched_vcpu *prev, *next, *cand, *migrate = NULL;
    bool keep = false, new_slice;
    unsigned long flags;

    BUG_ON(cpu >= prv.nr_cpus);
    flags = spin_lock_irqsave(&pc->lock);

    /* We run after our last switch: the vCPU it switched out is saved. */
    if (pc->saving) {
        struct csched_vcpu *sv = pc->saving;

        BUG_ON(sv == pc->curr || vcpu_cpu(sv) != cpu);
        sv->saving = false;
        pc->saving = NULL;
        if (!(sv->affinity & CPU_BIT(cpu)))
            migrate = sv;
    }
    d.tickle = pc->steal_wait;
    pc->steal_wait = 0;

    prev = pc->curr;
    d.prev = prev;
    if (prev) {
        burn(prev, now);
        prev->pri = credit_pri(prev); /* a boost lasts one run */
        keep = prev->rs.state == RUNSTATE_running && (prev->affinity & CPU_BIT(cpu)) &&
               !over_cap(prev->dom);
    }
    cand = first_eligible(pc, cpu);
    if (keep && cand) {
        s_time_t end = pc->slice_end;
        bool expired;

        if (cand->pri == prev->pri)
            end = min(end, pc->slice_start + CSCHED_SLICE_SHARED);
        expired = prev->yield || now >= end;
        if (cand->pri > prev->pri || (expired && cand->pri == prev->pri))
            keep = false;
    }
    next = keep ? prev : cand;

    /* Nothing with credit here: take better work from another CPU. */
    if (!next || next->pri == CSCHED_PRI_OVER) {
        struct csched_vcpu *stolen = steal(cpu, next ? (int)next->pri : -1, &d.tickle);

        if (stolen)
            next = stolen;
    }
    if (next && next->queued)
        runq_remove(pc, next);

    if (prev && prev != next) {
        if (prev->rs.state == RUNSTATE_running) {
            runstate_set(prev, RUNSTATE_runnable, now);
            runq_insert(pc, prev);
        }
        prev->saving = true;
        pc->saving = prev;
        d.resched_self = true;
    }
    if (prev)
        prev->yield = false;

    new_slice = next != prev || now >= pc->slice_end;
    pc->curr = next;
    if (next) {
        s_time_t len = waiter_at_least(pc, cpu, next->pri) ? CSCHED_SLICE_SHARED : CSCHED_SLICE;
        uint64_t budget = __atomic_load_n(&next->dom->cap_budget, __ATOMIC_RELAXED);

        if (next != prev) {
            runstate_set(next, RUNSTATE_running, now);
            next->run_start = now;
        }
        if (new_slice)
            pc->slice_start = now;
        pc->slice_end = max(pc->slice_start + len, now + 1);
        if (budget) {
            uint64_t used = __atomic_load_n(&next->dom->cap_used, __ATOMIC_RELAXED);

            /* Eligible, so used < budget; stop when the budget runs out. */
            pc->slice_end = min(pc->slice_end, now + (budget > used ? budget - used : 1));
        }
        __atomic_and_fetch(&prv.idlers, ~CPU_BIT(cpu), __ATOMIC_RELAXED);
    } else {
        pc->slice_end = 0;
        __atomic_or_fetch(&prv.idlers, CPU_BIT(cpu), __ATOMIC_RELAXED);
    }
    d.next = next;
    d.slice_end = pc->slice_end;
    d.tickle |= tickle_idlers_for_queue(pc, cpu);
    d.tickle &= ~CPU_BIT(cpu);
    spin_unlock_irqrestore(&pc->lock, flags);

    if (migrate)
        d.tickle |= move_vcpu(migrate, now);
    return d;
}

/* ---- accounting ---------------------------------------------------------------- */

/*
 * Each active domain's grant for one period (sd->acct_grant): capacity
 * shared by weight, no domain above its limit (sd->acct_limit), what a
 * limited domain leaves shared by the rest. Each round fixes every domain
 * whose share reaches its limit; shares only grow as domains drop out, so
 * at most one round per domain.
 */
static void water_fill(uint64_t capacity)
{
    for (;;) {
        uint64_t weights = 0;
        bool fixed = false;

        for (struct csched_dom *sd = prv.doms; sd; sd = sd->next)
            if (sd->nr_active && !sd->acct_fixed)
                weights += sd->weight;
        if (!weights)
            return;
        for (struct csched_dom *sd = prv.doms; sd; sd = sd->next) {
            if (!sd->nr_active || sd->acct_fixed)
                continue;
            if (capacity * sd->weight / weights >= sd->acct_limit) {
                sd->acct_grant = sd->acct_limit;
                sd->acct_fixed = true;
                fixed = true;
            }
        }
        if (!fixed) {
            for (struct csched_dom *sd = prv.doms; sd; sd = sd->next)
                if (sd->nr_active && !sd->acct_fixed)
                    sd->acct_grant = capacity * sd->weight / weights;
            return;
        }
        for (struct csched_dom *sd = prv.doms; sd; sd = sd->next)
            if (sd->acct_fixed && !sd->acct_counted) {
                capacity -= sd->acct_grant;
                sd->acct_counted = true;
            }
    }
}

uint64_t csched_account(s_time_t now)
{
    unsigned long flags = spin_lock_irqsave(&prv.lock);
    uint64_t tickle = 0;

    if (now < prv.next_acct) {
        spin_unlock_irqrestore(&prv.lock, flags);
        return 0;
    }
    prv.next_acct += CSCHED_PERIOD;
    if (prv.next_acct <= now)
        prv.next_acct = now + CSCHED_PERIOD; /* fell behind: do not replay periods */

    /* Who was active, with running vCPUs debited up to now. */
    for (struct csched_dom *sd = prv.doms; sd; sd = sd->next) {
        sd->nr_active = 0;
        for (struct csched_vcpu *sv = sd->vcpus; sv; sv = sv->dom_next) {
            unsigned int cpu;
            unsigned long qflags = vcpu_lock(sv, &cpu);

            if (pcpus[cpu].curr == sv)
                burn(sv, now);
            sv->acct_active = sv->ran || sv->rs.state == RUNSTATE_running ||
                              sv->rs.state == RUNSTATE_runnable;
            sv->ran = false;
            spin_unlock_irqrestore(&pcpus[cpu].lock, qflags);
            sd->nr_active += sv->acct_active;
        }
        sd->acct_limit = (uint64_t)sd->nr_active * CSCHED_PERIOD;
        if (sd->cap_budget)
            sd->acct_limit = min(sd->acct_limit, sd->cap_budget);
        sd->acct_grant = 0;
        sd->acct_fixed = sd->acct_counted = false;
    }
    water_fill((uint64_t)prv.nr_cpus * CSCHED_PERIOD);

    for (struct csched_dom *sd = prv.doms; sd; sd = sd->next) {
        int64_t share = sd->nr_active ? (int64_t)(sd->acct_grant / sd->nr_active) : 0;
        uint64_t budget = __atomic_load_n(&sd->cap_budget, __ATOMIC_RELAXED);

        for (struct csched_vcpu *sv = sd->vcpus; sv; sv = sv->dom_next) {
            unsigned int cpu;
            unsigned long qflags;

            if (!sv->acct_active)
                continue;
            qflags = vcpu_lock(sv, &cpu);
            sv->credit = min(sv->credit + share, CSCHED_CREDIT_MAX);
            if (sv->pri != CSCHED_PRI_BOOST)
                runq_set_pri(&pcpus[cpu], sv, credit_pri(sv));
            spin_unlock_irqrestore(&pcpus[cpu].lock, qflags);
        }
        if (budget) {
            uint64_t used = __atomic_load_n(&sd->cap_used, __ATOMIC_RELAXED);

            __atomic_store_n(&sd->cap_used, used > budget ? used - budget : 0, __ATOMIC_RELAXED);
        }
    }

    /* Unparked vCPUs, changed priorities, work beside idle CPUs: look again. */
    for (unsigned int cpu = 0; cpu < prv.nr_cpus; cpu++) {
        struct csched_pcpu *pc = &pcpus[cpu];
        unsigned long qflags = spin_lock_irqsave(&pc->lock);
        struct csched_vcpu *best = first_eligible(pc, cpu);

        if (best && (!pc->curr || best->pri > pc->curr->pri))
            tickle |= CPU_BIT(cpu);
        tickle |= tickle_idlers_for_queue(pc, cpu);
        spin_unlock_irqrestore(&pc->lock, qflags);
    }
    spin_unlock_irqrestore(&prv.lock, flags);
    return tickle;
}
