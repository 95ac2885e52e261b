// SPDX-License-Identifier: GPL-2.0
/*
 * dormant: the seat in KVM's EPT/NPT-violation handling.
 *
 * Both vendors' violation handlers (Intel handle_ept_violation, AMD
 * npf_interception) call the kvm_page_fault tracepoint in the vCPU's own
 * thread, with the vCPU and the faulting guest-physical address, before KVM
 * resolves the fault; kvm_entry fires when the vCPU next enters the guest.
 * We attach probes to both when kvm.ko comes (a tracepoint module notifier,
 * which also replays an already loaded kvm), and detach when it goes, so
 * that the module neither links to kvm.ko nor needs it. No kprobes, nothing
 * of KVM's code is touched. Before attaching, the two events' field lists
 * are checked against the prototypes the probes are written for (they are
 * generated from the same TRACE_EVENT): a kvm.ko whose events differ is
 * left alone, and /sys/kernel/dormant/kvm_hook says why.
 *
 * A violation whose GPA lies in a memslot backed by a mapping of one of our
 * objects is a *stall*: on a dormant page, or on a page we already back (its
 * host PTE was gone). It is counted for its VM and vCPU, and the time until
 * the vCPU's next guest entry goes into a log2 histogram. Violations on any
 * other memory, violations that are not L1 guest-physical addresses
 * (shadow paging, a nested guest's) and VMs with no memory of ours are
 * ignored.
 *
 * Deciding "ours" needs the vma behind the memslot, so mmap_lock; the
 * answer is cached per VM and memslot generation, so that memslots that
 * hold none of our memory are passed over without the lock after their
 * first violation. Where the lock is needed and taken by someone else,
 * the stall is counted as missed (never waited for: probes run with
 * preemption disabled).
 *
 * A VM record lives as long as the address space of the process that
 * created the VM: a reaper drops the records of processes that are gone,
 * with any stall they left waiting for an entry that never came. (KVM
 * offers no notice of a VM's end to a module that does not link to it; a
 * VM destroyed while its process goes on keeps its record until the
 * process exits, and a VM the same process creates later at the same
 * address continues it.)
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/hashtable.h>
#include <linux/kvm_host.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/rculist.h>
#include <linux/sched.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/trace_events.h>
#include <linux/tracepoint.h>
#include <linux/uaccess.h>
#include <linux/workqueue.h>
#include <linux/xarray.h>
#include <uapi/linux/dormant.h>

#include "dormant.h"

/**
 * struct dormant_vcpu - stall accounting for one vCPU
 * @vcpu_id:   KVM's vcpu_id
 * @pending:   a stall is waiting for the next guest entry
 * @stall_ns:  when it happened (ktime_get_ns)
 * @dormant_stalls: violations on dormant pages of our objects
 * @backed_stalls:  violations on pages of ours already backed
 * @missed_stalls:  violations in memory of ours not classified (mmap_lock
 *                  was taken)
 * @remote_stalls:  violations on pages owned by another pod host
 * @stall_ns_total: time from those to the next guest entry
 * @hist:      the same as a log2 histogram
 *
 * Only the vCPU's own thread (its probes) writes @pending and @stall_ns and
 * adds to the counters; readers use atomic64_read, reset atomic64_xchg.
 */
struct dormant_vcpu {
	u32 vcpu_id;
	bool pending;
	u64 stall_ns;
	atomic64_t dormant_stalls;
	atomic64_t backed_stalls;
	atomic64_t missed_stalls;
	atomic64_t remote_stalls;
	atomic64_t stall_ns_total;
	atomic64_t hist[DORMANT_HIST_BUCKETS];
};

/* Memslots a VM record remembers the verdict for (per generation). */
#define DORMANT_SLOT_CACHE	64

/**
 * struct dormant_vm - a VM the probe has seen a violation of
 * @kvm:     identity only: never dereferenced once found
 * @mm:      the address space that created it (mmgrab'ed): identity too,
 *           and the record's life (the reaper drops it when mm_users is 0)
 * @id:      our number for it, shown to users
 * @pid:     the process that created it
 * @slot_lock: protects @slot_gen, @nr_slots and @slot (probes of several
 *           vCPUs; a spinlock, since probes do not sleep)
 * @slot_gen: the memslot generation @slot was filled for
 * @nr_slots: entries in @slot
 * @slot:    memslot id -> whether it may hold our memory (false: none of
 *           its range is mapped from one of our objects)
 * @vcpus:   vcpu_id -> struct dormant_vcpu; entries are added by probes
 *           (GFP_ATOMIC) and freed only with the VM record. VMs with no
 *           stall on our memory have none and are not reported.
 * @node:    in dormant_vm_hash, under dormant_vms_lock; read under RCU
 */
struct dormant_vm {
	struct kvm *kvm;
	struct mm_struct *mm;
	u32 id;
	pid_t pid;
	spinlock_t slot_lock;	/* @slot_gen, @nr_slots, @slot */
	u64 slot_gen;
	unsigned int nr_slots;
	struct {
		u16 id;
		bool ours;
	} slot[DORMANT_SLOT_CACHE];
	struct xarray vcpus;
	struct hlist_node node;
};

/*
 * Every VM record, by struct kvm address. Writers (probes adding, the
 * reaper and unload removing) hold dormant_vms_lock; probes and
 * DORMANT_IOC_VCPU_STATS read under RCU. Records are freed after a grace
 * period, in process context only (dormant_vms_reap(), dormant_vms_clear()).
 */
static DEFINE_HASHTABLE(dormant_vm_hash, 8);
static DEFINE_SPINLOCK(dormant_vms_lock);
static u32 dormant_next_vm_id = 1;	/* under dormant_vms_lock */
static atomic_t dormant_nr_vcpus = ATOMIC_INIT(0);

/* vCPUs with a stall waiting for their next entry: kvm_entry's fast path. */
static atomic_t dormant_pending = ATOMIC_INIT(0);

static void dormant_vms_reap(struct work_struct *work);
static DECLARE_DELAYED_WORK(dormant_reap_work, dormant_vms_reap);
#define DORMANT_REAP_INTERVAL	(5 * HZ)

/*
 * The hook's state: which tracepoints we are attached to, or why we are
 * not. hook_lock serialises the tracepoint module notifier with module
 * unload and with readers of the state; nothing else takes it.
 */
static DEFINE_MUTEX(hook_lock);
static struct tracepoint *tp_page_fault, *tp_entry;
static struct module *hooked_kvm;
static char hook_refused[160];

static struct dormant_vm *dormant_vm_find(struct kvm *kvm, struct mm_struct *mm)
{
	struct dormant_vm *vm;

	hash_for_each_possible_rcu(dormant_vm_hash, vm, node, (unsigned long)kvm)
		if (vm->kvm == kvm && vm->mm == mm)
			return vm;
	return NULL;
}

static struct dormant_vm *dormant_vm_get(struct kvm *kvm)
{
	struct mm_struct *mm = kvm->mm;
	struct dormant_vm *vm = dormant_vm_find(kvm, mm), *other;

	if (vm)
		return vm;
	vm = kzalloc(sizeof(*vm), GFP_ATOMIC | __GFP_NOWARN);
	if (!vm)
		return NULL;
	vm->kvm = kvm;
	vm->mm = mm;
	vm->pid = task_tgid_nr(current);
	spin_lock_init(&vm->slot_lock);
	xa_init(&vm->vcpus);
	spin_lock(&dormant_vms_lock);
	other = dormant_vm_find(kvm, mm);
	if (other) {
		spin_unlock(&dormant_vms_lock);
		kfree(vm);
		return other;
	}
	mmgrab(mm);
	vm->id = dormant_next_vm_id++;
	hash_add_rcu(dormant_vm_hash, &vm->node, (unsigned long)kvm);
	spin_unlock(&dormant_vms_lock);
	schedule_delayed_work(&dormant_reap_work, DORMANT_REAP_INTERVAL);
	return vm;
}

static struct dormant_vcpu *dormant_vcpu_get(struct dormant_vm *vm, u32 id,
					     bool create)
{
	struct dormant_vcpu *vc = xa_load(&vm->vcpus, id), *old;

	if (vc || !create)
		return vc;
	vc = kzalloc(sizeof(*vc), GFP_ATOMIC | __GFP_NOWARN);
	if (!vc)
		return NULL;
	vc->vcpu_id = id;
	old = xa_cmpxchg(&vm->vcpus, id, NULL, vc, GFP_ATOMIC | __GFP_NOWARN);
	if (old) {
		kfree(vc);
		return xa_is_err(old) ? NULL : old;
	}
	atomic_inc(&dormant_nr_vcpus);
	return vc;
}

/*
 * Is this violation at an L1 guest-physical address? KVM's MMU for L1 must
 * be the direct (TDP) one, the vCPU not in guest mode (a nested guest's
 * violations carry L2 addresses) and, on AMD, the fault a nested page
 * fault (bit 32 or 33 of its error code): the same tracepoint reports #PF
 * intercepts, whose address is a guest-virtual one.
 */
static bool dormant_fault_is_l1_gpa(struct kvm_vcpu *vcpu, u64 error_code)
{
	struct kvm_mmu *mmu = vcpu->arch.mmu;

	if (vcpu->arch.hflags & HF_GUEST_MASK)
		return false;
	if (mmu != &vcpu->arch.root_mmu || !mmu->root_role.direct ||
	    mmu->root_role.guest_mode)
		return false;
	if ((boot_cpu_data.x86_vendor == X86_VENDOR_AMD ||
	     boot_cpu_data.x86_vendor == X86_VENDOR_HYGON) &&
	    !(error_code >> 32 & 3))
		return false;
	return true;
}

enum {
	SLOT_UNKNOWN,
	SLOT_FOREIGN,	/* none of it is ours */
	SLOT_OURS,	/* some of it may be ours: look */
};

static int dormant_slot_cached(struct dormant_vm *vm, u64 gen, u16 id)
{
	int verdict = SLOT_UNKNOWN;
	unsigned int i;

	spin_lock(&vm->slot_lock);
	if (vm->slot_gen == gen) {
		for (i = 0; i < vm->nr_slots; i++) {
			if (vm->slot[i].id == id) {
				verdict = vm->slot[i].ours ? SLOT_OURS : SLOT_FOREIGN;
				break;
			}
		}
	}
	spin_unlock(&vm->slot_lock);
	return verdict;
}

static void dormant_slot_remember(struct dormant_vm *vm, u64 gen, u16 id,
				  bool ours)
{
	unsigned int i;

	spin_lock(&vm->slot_lock);
	if (vm->slot_gen != gen) {
		vm->slot_gen = gen;
		vm->nr_slots = 0;
	}
	for (i = 0; i < vm->nr_slots; i++)
		if (vm->slot[i].id == id)
			goto out;
	if (vm->nr_slots < DORMANT_SLOT_CACHE) {
		vm->slot[vm->nr_slots].id = id;
		vm->slot[vm->nr_slots].ours = ours;
		vm->nr_slots++;
	}
out:
	spin_unlock(&vm->slot_lock);
}

/* Does any mapping of ours lie in [start, end) of @mm? (mmap_lock held) */
static bool dormant_range_has_ours(struct mm_struct *mm, unsigned long start,
				   unsigned long end)
{
	VMA_ITERATOR(vmi, mm, start);
	struct vm_area_struct *vma;

	for_each_vma_range(vmi, vma, end)
		if (dormant_vma_is_ours(vma))
			return true;
	return false;
}

enum {
	GPA_FOREIGN = -1,	/* not ours, or not knowable */
	GPA_BACKED = 0,
	GPA_DORMANT = 1,
	GPA_MISSED = 2,		/* in a slot of ours, mmap_lock taken */
	GPA_REMOTE = 3,		/* owned by another pod host */
};

/* What is at @gpa for @vcpu's VM (record @vm)? */
static int dormant_gpa_state(struct dormant_vm *vm, struct kvm_vcpu *vcpu,
			     u64 gpa)
{
	struct kvm_memslots *slots = kvm_vcpu_memslots(vcpu);
	struct kvm_memory_slot *slot;
	struct vm_area_struct *vma;
	struct mm_struct *mm = current->mm;
	unsigned long hva, start, end;
	bool cacheable;
	int verdict, state = GPA_FOREIGN;

	if (!mm || mm != vm->mm)
		return GPA_FOREIGN;
	/* KVM holds kvm->srcu across the exit handler that calls us */
	slot = __gfn_to_memslot(slots, gpa >> PAGE_SHIFT);
	if (!slot || (slot->flags & KVM_MEMSLOT_INVALID))
		return GPA_FOREIGN;
	/* SMM's address space numbers its slots apart: no cache there */
	cacheable = !(slots->generation & KVM_MEMSLOT_GEN_UPDATE_IN_PROGRESS) &&
		    !(vcpu->arch.hflags & HF_SMM_MASK);
	verdict = cacheable ? dormant_slot_cached(vm, slots->generation, slot->id) :
		  SLOT_UNKNOWN;
	if (verdict == SLOT_FOREIGN)
		return GPA_FOREIGN;
	start = slot->userspace_addr;
	end = start + (slot->npages << PAGE_SHIFT);
	hva = start + (((gpa >> PAGE_SHIFT) - slot->base_gfn) << PAGE_SHIFT);
	if (!mmap_read_trylock(mm))
		return verdict == SLOT_OURS ? GPA_MISSED : GPA_FOREIGN;
	if (verdict == SLOT_UNKNOWN) {
		verdict = dormant_range_has_ours(mm, start, end) ? SLOT_OURS :
			  SLOT_FOREIGN;
		if (cacheable)
			dormant_slot_remember(vm, slots->generation, slot->id,
					      verdict == SLOT_OURS);
	}
	if (verdict == SLOT_OURS) {
		vma = vma_lookup(mm, hva);
		if (vma && dormant_vma_is_ours(vma)) {
			switch (dormant_vma_page_state(vma, hva)) {
			case DORMANT_PAGE_PRESENT:
				state = GPA_BACKED;
				break;
			case DORMANT_PAGE_DORMANT:
				state = GPA_DORMANT;
				break;
			case DORMANT_PAGE_REMOTE:
				state = GPA_REMOTE;
				break;
			}
		}
	}
	mmap_read_unlock(mm);
	return state;
}

static void dormant_probe_page_fault(void *data, struct kvm_vcpu *vcpu,
				     u64 gpa, u64 error_code)
{
	struct dormant_vcpu *vc;
	struct dormant_vm *vm;
	int state;

	if (!dormant_fault_is_l1_gpa(vcpu, error_code))
		return;
	rcu_read_lock();
	vm = dormant_vm_get(vcpu->kvm);
	if (!vm)
		goto out;
	state = dormant_gpa_state(vm, vcpu, gpa);
	if (state == GPA_FOREIGN)
		goto out;
	vc = dormant_vcpu_get(vm, vcpu->vcpu_id, true);
	if (!vc)
		goto out;
	if (state == GPA_MISSED) {
		atomic64_inc(&vc->missed_stalls);
		goto out;
	}
	atomic64_inc(state == GPA_DORMANT ? &vc->dormant_stalls :
		     state == GPA_REMOTE ? &vc->remote_stalls :
					   &vc->backed_stalls);
	if (!vc->pending) {
		vc->pending = true;
		atomic_inc(&dormant_pending);
	}
	vc->stall_ns = ktime_get_ns();
out:
	rcu_read_unlock();
}

static void dormant_probe_entry(void *data, struct kvm_vcpu *vcpu,
				bool force_immediate_exit)
{
	struct dormant_vcpu *vc;
	struct dormant_vm *vm;
	u64 ns;

	if (!atomic_read(&dormant_pending))
		return;
	rcu_read_lock();
	vm = dormant_vm_find(vcpu->kvm, vcpu->kvm->mm);
	vc = vm ? dormant_vcpu_get(vm, vcpu->vcpu_id, false) : NULL;
	if (vc && vc->pending) {
		ns = ktime_get_ns() - vc->stall_ns;
		atomic64_add(ns, &vc->stall_ns_total);
		atomic64_inc(&vc->hist[min_t(int, ns ? ilog2(ns) : 0,
					     DORMANT_HIST_BUCKETS - 1)]);
		vc->pending = false;
		atomic_dec(&dormant_pending);
	}
	rcu_read_unlock();
}

/* Free a record that is unlinked and out of every reader's sight. */
static void dormant_vm_free(struct dormant_vm *vm)
{
	struct dormant_vcpu *vc;
	unsigned long id;

	xa_for_each(&vm->vcpus, id, vc) {
		if (vc->pending)
			atomic_dec(&dormant_pending);
		atomic_dec(&dormant_nr_vcpus);
		kfree(vc);
	}
	xa_destroy(&vm->vcpus);
	mmdrop(vm->mm);
	kfree(vm);
}

/* Unlink the records @gone says to (all if NULL), wait out readers, free. */
static void dormant_vms_drop(bool (*gone)(struct dormant_vm *vm))
{
	struct dormant_vm *vm;
	struct hlist_node *tmp;
	HLIST_HEAD(dead);
	int bkt;

	spin_lock(&dormant_vms_lock);
	hash_for_each_safe(dormant_vm_hash, bkt, tmp, vm, node) {
		if (gone && !gone(vm))
			continue;
		hash_del_rcu(&vm->node);
		hlist_add_head(&vm->node, &dead);
	}
	spin_unlock(&dormant_vms_lock);
	if (hlist_empty(&dead))
		return;
	synchronize_rcu();
	hlist_for_each_entry_safe(vm, tmp, &dead, node)
		dormant_vm_free(vm);
}

static bool dormant_vm_process_gone(struct dormant_vm *vm)
{
	return !atomic_read(&vm->mm->mm_users);
}

static void dormant_vms_reap(struct work_struct *work)
{
	bool empty;

	dormant_vms_drop(dormant_vm_process_gone);
	rcu_read_lock();
	empty = hash_empty(dormant_vm_hash);
	rcu_read_unlock();
	if (!empty)
		schedule_delayed_work(&dormant_reap_work, DORMANT_REAP_INTERVAL);
}

/* Drop every VM record; the probes are detached. */
static void dormant_vms_clear(void)
{
	cancel_delayed_work_sync(&dormant_reap_work);
	dormant_vms_drop(NULL);
}

static void dormant_hook_detach(void)
	__must_hold(&hook_lock)
{
	if (!hooked_kvm)
		return;
	tracepoint_probe_unregister(tp_page_fault, dormant_probe_page_fault, NULL);
	tracepoint_probe_unregister(tp_entry, dormant_probe_entry, NULL);
	tracepoint_synchronize_unregister();
	pr_info("detached from %s's kvm_page_fault and kvm_entry tracepoints\n",
		hooked_kvm->name);
	tp_page_fault = NULL;
	tp_entry = NULL;
	hooked_kvm = NULL;
	dormant_vms_clear();
}

/* A trace event field as TRACE_EVENT's __field() names it. */
struct dormant_tp_field {
	const char *type;
	const char *name;
};

/*
 * The fields of the events the probes are written for: kvm_page_fault
 * with TP_PROTO(struct kvm_vcpu *vcpu, u64 fault_address, u64 error_code),
 * kvm_entry with TP_PROTO(struct kvm_vcpu *vcpu, bool force_immediate_exit)
 * (6.1.0-57 and 6.12 both). Kernels before those prototypes had other
 * fields (kvm_page_fault: an unsigned long address and an unsigned int
 * error code; kvm_entry: no immediate_exit).
 */
static const struct dormant_tp_field dormant_pf_fields[] = {
	{ "unsigned int", "vcpu_id" },
	{ "unsigned long", "guest_rip" },
	{ "u64", "fault_address" },
	{ "u64", "error_code" },
	{ }
};

static const struct dormant_tp_field dormant_entry_fields[] = {
	{ "unsigned int", "vcpu_id" },
	{ "unsigned long", "rip" },
	{ "bool", "immediate_exit" },
	{ }
};

/*
 * Check that @mod's trace event for @tp has exactly the fields @want;
 * otherwise say what differs in @why.
 */
static bool dormant_tp_format_ok(struct module *mod, struct tracepoint *tp,
				 const struct dormant_tp_field *want,
				 char *why, size_t len)
{
	const struct trace_event_fields *f = NULL;
	unsigned int i;

	for (i = 0; i < mod->num_trace_events; i++) {
		struct trace_event_call *call = mod->trace_events[i];

		if ((call->flags & TRACE_EVENT_FL_TRACEPOINT) && call->tp == tp) {
			f = call->class->fields_array;
			break;
		}
	}
	if (!f) {
		snprintf(why, len, "%s has no field list", tp->name);
		return false;
	}
	for (i = 0; want[i].name; i++, f++) {
		if (!f->type || !f->name || strcmp(f->type, want[i].type) ||
		    strcmp(f->name, want[i].name)) {
			snprintf(why, len, "%s field %u is '%s %s', not '%s %s'",
				 tp->name, i, f->type ?: "(none)",
				 f->type && f->name ? f->name : "",
				 want[i].type, want[i].name);
			return false;
		}
	}
	if (f->type) {
		snprintf(why, len, "%s has a field '%s' more", tp->name,
			 f->name ?: "?");
		return false;
	}
	return true;
}

static void dormant_hook_attach(struct module *mod)
	__must_hold(&hook_lock)
{
	struct tracepoint *pf = NULL, *entry = NULL;
	unsigned int i;
	int ret;

	hook_refused[0] = '\0';
	for (i = 0; i < mod->num_tracepoints; i++) {
		struct tracepoint *tp = tracepoint_ptr_deref(&mod->tracepoints_ptrs[i]);

		if (!strcmp(tp->name, "kvm_page_fault"))
			pf = tp;
		else if (!strcmp(tp->name, "kvm_entry"))
			entry = tp;
	}
	if (!pf || !entry) {
		snprintf(hook_refused, sizeof(hook_refused),
			 "%s has no kvm_page_fault/kvm_entry tracepoints",
			 mod->name);
		goto out_refuse;
	}
	if (!dormant_tp_format_ok(mod, pf, dormant_pf_fields, hook_refused,
				  sizeof(hook_refused)) ||
	    !dormant_tp_format_ok(mod, entry, dormant_entry_fields,
				  hook_refused, sizeof(hook_refused)))
		goto out_refuse;
	ret = tracepoint_probe_register(entry, dormant_probe_entry, NULL);
	if (ret)
		goto out_fail;
	ret = tracepoint_probe_register(pf, dormant_probe_page_fault, NULL);
	if (ret)
		goto out_unregister_entry;
	tp_page_fault = pf;
	tp_entry = entry;
	hooked_kvm = mod;
	pr_info("attached to %s's kvm_page_fault and kvm_entry tracepoints (their formats checked)\n",
		mod->name);
	return;

out_unregister_entry:
	tracepoint_probe_unregister(entry, dormant_probe_entry, NULL);
	tracepoint_synchronize_unregister();
out_fail:
	snprintf(hook_refused, sizeof(hook_refused),
		 "cannot attach to %s's tracepoints (%d)", mod->name, ret);
out_refuse:
	pr_warn("not attached to KVM: %s: stalls are not seen\n", hook_refused);
}

static int dormant_tp_module_notify(struct notifier_block *nb,
				    unsigned long val, void *data)
{
	struct tp_module *tp_mod = data;

	if (strcmp(tp_mod->mod->name, "kvm"))
		return NOTIFY_OK;
	mutex_lock(&hook_lock);
	if (val == MODULE_STATE_COMING && !hooked_kvm)
		dormant_hook_attach(tp_mod->mod);
	else if (val == MODULE_STATE_GOING && hooked_kvm == tp_mod->mod)
		dormant_hook_detach();
	else if (val == MODULE_STATE_GOING)
		hook_refused[0] = '\0';
	mutex_unlock(&hook_lock);
	return NOTIFY_OK;
}

static struct notifier_block dormant_tp_module_nb = {
	.notifier_call = dormant_tp_module_notify,
};

bool dormant_kvm_hooked(void)
{
	return READ_ONCE(hooked_kvm);
}

/* /sys/kernel/dormant/kvm_hook: attached, detached, or refused: why. */
ssize_t dormant_kvm_hook_show(char *buf)
{
	ssize_t ret;

	mutex_lock(&hook_lock);
	if (hooked_kvm)
		ret = sysfs_emit(buf, "attached\n");
	else if (hook_refused[0])
		ret = sysfs_emit(buf, "refused: %s\n", hook_refused);
	else
		ret = sysfs_emit(buf, "detached\n");
	mutex_unlock(&hook_lock);
	return ret;
}

static int dormant_vcpu_stats_cmp(const void *a, const void *b)
{
	const struct dormant_vcpu_stats *x = a, *y = b;

	if (x->vm_id != y->vm_id)
		return x->vm_id < y->vm_id ? -1 : 1;
	return x->vcpu_id < y->vcpu_id ? -1 : x->vcpu_id > y->vcpu_id;
}

static u64 dormant_stat_take(atomic64_t *v, bool reset)
{
	return reset ? atomic64_xchg(v, 0) : atomic64_read(v);
}

/*
 * Snapshot up to @room vCPUs into @out (taking their counts with @reset);
 * returns how many vCPUs there are.
 */
static u32 dormant_vcpu_snapshot(struct dormant_vcpu_stats *out, u32 room,
				 bool reset)
{
	struct dormant_vcpu *vc;
	struct dormant_vm *vm;
	unsigned long id;
	u32 n = 0;
	int bkt, i;

	rcu_read_lock();
	hash_for_each_rcu(dormant_vm_hash, bkt, vm, node) {
		xa_for_each(&vm->vcpus, id, vc) {
			struct dormant_vcpu_stats *s;

			if (n++ >= room)
				continue;
			s = &out[n - 1];
			memset(s, 0, sizeof(*s));
			s->vm_id = vm->id;
			s->vcpu_id = vc->vcpu_id;
			s->pid = vm->pid;
			s->dormant_stalls = dormant_stat_take(&vc->dormant_stalls, reset);
			s->backed_stalls = dormant_stat_take(&vc->backed_stalls, reset);
			s->missed_stalls = dormant_stat_take(&vc->missed_stalls, reset);
			s->remote_stalls = dormant_stat_take(&vc->remote_stalls, reset);
			s->stall_ns_total = dormant_stat_take(&vc->stall_ns_total, reset);
			for (i = 0; i < DORMANT_HIST_BUCKETS; i++)
				s->hist[i] = dormant_stat_take(&vc->hist[i], reset);
		}
	}
	rcu_read_unlock();
	return n;
}

/*
 * DORMANT_IOC_VCPU_STATS: copy out one entry per vCPU we have seen stall,
 * optionally resetting the counters of those copied. The entries are
 * taken under RCU into a buffer and copied out with no lock held.
 */
int dormant_ioctl_vcpu_stats(struct dormant_vcpu_stats_req __user *ureq)
{
	struct dormant_vcpu_stats_req req;
	struct dormant_vcpu_stats *buf = NULL;
	u8 __user *uent;
	u32 esz, room, n = 0, i;
	int ret = 0;

	if (copy_from_user(&req, ureq, sizeof(req)))
		return -EFAULT;
	if (req.flags & ~DORMANT_VCPU_STATS_RESET) {
		pr_warn_ratelimited("VCPU_STATS: unknown flags 0x%x (pid %d)\n",
				    req.flags, task_pid_nr(current));
		return -EINVAL;
	}
	if (req.reserved0) {
		pr_warn_ratelimited("VCPU_STATS: reserved0 is not zero (pid %d)\n",
				    task_pid_nr(current));
		return -EINVAL;
	}
	if (!dormant_reserved_zero("VCPU_STATS", req.reserved,
				   ARRAY_SIZE(req.reserved)))
		return -EINVAL;
	if (!req.entry_size)
		req.entry_size = DORMANT_VCPU_STATS_SIZE_V1;
	if (req.entry_size % 8 || req.entry_size < DORMANT_VCPU_STATS_SIZE_V1 ||
	    req.entry_size > PAGE_SIZE) {
		pr_warn_ratelimited("VCPU_STATS: entry_size %u is not a multiple of 8 from %u to %lu (pid %d)\n",
				    req.entry_size, DORMANT_VCPU_STATS_SIZE_V1,
				    PAGE_SIZE, task_pid_nr(current));
		return -EINVAL;
	}
	esz = min_t(u32, req.entry_size, sizeof(*buf));
	uent = u64_to_user_ptr(req.entries);

	/* room for what there is now, and some that may come meanwhile */
	room = min_t(u32, req.count, atomic_read(&dormant_nr_vcpus) + 16);
	if (room) {
		buf = kvmalloc_array(room, sizeof(*buf), GFP_KERNEL_ACCOUNT);
		if (!buf)
			return -ENOMEM;
	}
	n = dormant_vcpu_snapshot(buf, room, req.flags & DORMANT_VCPU_STATS_RESET);
	room = min(room, n);
	sort(buf, room, sizeof(*buf), dormant_vcpu_stats_cmp, NULL);
	for (i = 0; i < room; i++) {
		u8 __user *dst = uent + (size_t)i * req.entry_size;

		if (copy_to_user(dst, &buf[i], esz) ||
		    (req.entry_size > esz &&
		     clear_user(dst + esz, req.entry_size - esz))) {
			ret = -EFAULT;
			break;
		}
	}
	kvfree(buf);
	if (ret)
		return ret;
	/* How many there are; -ENOSPC if they did not all fit. */
	if (put_user(n, &ureq->count) || put_user(esz, &ureq->entry_size))
		return -EFAULT;
	return n > room ? -ENOSPC : 0;
}

int dormant_kvm_init(void)
{
	return register_tracepoint_module_notifier(&dormant_tp_module_nb);
}

void dormant_kvm_exit(void)
{
	unregister_tracepoint_module_notifier(&dormant_tp_module_nb);
	mutex_lock(&hook_lock);
	dormant_hook_detach();
	mutex_unlock(&hook_lock);
	dormant_vms_clear();
}
