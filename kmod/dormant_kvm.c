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
 * of KVM's code is touched.
 *
 * A violation whose GPA lies in a memslot backed by a mapping of one of our
 * objects is a *stall*: on a dormant page, or on a page we already back (its
 * host PTE was gone). It is counted for its VM and vCPU, and the time until
 * the vCPU's next guest entry goes into a log2 histogram. Violations on any
 * other memory (and VMs with no memory of ours) are ignored.
 *
 * Probes run with preemption disabled: they count, timestamp and look up,
 * never sleep. See Documentation/design.rst for the cost.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kvm_host.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/rculist.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/tracepoint.h>
#include <linux/uaccess.h>
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
 * @stall_ns_total: time from those to the next guest entry
 * @hist:      the same as a log2 histogram
 *
 * Only the vCPU's own thread (its probes) writes @pending and @stall_ns and
 * adds to the counters; readers and reset use atomic64 ops.
 */
struct dormant_vcpu {
	u32 vcpu_id;
	bool pending;
	u64 stall_ns;
	atomic64_t dormant_stalls;
	atomic64_t backed_stalls;
	atomic64_t stall_ns_total;
	atomic64_t hist[DORMANT_HIST_BUCKETS];
};

/**
 * struct dormant_vm - a VM that stalled on our memory
 * @kvm:     identity only: never dereferenced once found (see
 *           Documentation/design.rst on reuse)
 * @id:      our number for it, shown to users
 * @pid:     the process that created it
 * @vcpus:   vcpu_id -> struct dormant_vcpu; entries are added by probes
 *           (GFP_ATOMIC) and freed only with the VM record
 * @node:    on dormant_vms, under dormant_vms_lock; read under RCU
 * @rcu:     freeing after readers are done
 */
struct dormant_vm {
	struct kvm *kvm;
	u32 id;
	pid_t pid;
	struct xarray vcpus;
	struct list_head node;
	struct rcu_head rcu;
};

/* Registered VMs; writers hold dormant_vms_lock, readers rcu_read_lock(). */
static LIST_HEAD(dormant_vms);
static DEFINE_SPINLOCK(dormant_vms_lock);
static u32 dormant_next_vm_id = 1;

/* vCPUs with a stall waiting for their next entry: kvm_entry's fast path. */
static atomic_t dormant_pending = ATOMIC_INIT(0);

/*
 * The hook's state: which tracepoints we are attached to. hook_lock
 * serialises the tracepoint module notifier with module unload.
 */
static DEFINE_MUTEX(hook_lock);
static struct tracepoint *tp_page_fault, *tp_entry;
static struct module *hooked_kvm;

static struct dormant_vm *dormant_vm_find(struct kvm *kvm)
{
	struct dormant_vm *vm;

	list_for_each_entry_rcu(vm, &dormant_vms, node)
		if (vm->kvm == kvm)
			return vm;
	return NULL;
}

static struct dormant_vm *dormant_vm_get(struct kvm *kvm)
{
	struct dormant_vm *vm = dormant_vm_find(kvm), *other;

	if (vm)
		return vm;
	vm = kzalloc(sizeof(*vm), GFP_ATOMIC | __GFP_NOWARN);
	if (!vm)
		return NULL;
	vm->kvm = kvm;
	vm->pid = task_tgid_nr(current);
	xa_init(&vm->vcpus);
	spin_lock(&dormant_vms_lock);
	other = dormant_vm_find(kvm);
	if (other) {
		spin_unlock(&dormant_vms_lock);
		kfree(vm);
		return other;
	}
	vm->id = dormant_next_vm_id++;
	list_add_tail_rcu(&vm->node, &dormant_vms);
	spin_unlock(&dormant_vms_lock);
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
	return vc;
}

/*
 * Is @gpa one of our pages for @vcpu's VM, and is it dormant? Returns
 * 1 dormant, 0 backed, -1 not ours (or not knowable without sleeping).
 */
static int dormant_gpa_state(struct kvm_vcpu *vcpu, u64 gpa)
{
	struct kvm_memory_slot *slot;
	struct vm_area_struct *vma;
	struct mm_struct *mm = current->mm;
	unsigned long hva;
	int state = -1;

	if (!mm)
		return -1;
	/* KVM holds kvm->srcu across the exit handler that calls us */
	slot = __gfn_to_memslot(kvm_vcpu_memslots(vcpu), gpa >> PAGE_SHIFT);
	if (!slot || (slot->flags & KVM_MEMSLOT_INVALID))
		return -1;
	hva = slot->userspace_addr +
	      (((gpa >> PAGE_SHIFT) - slot->base_gfn) << PAGE_SHIFT);
	if (!mmap_read_trylock(mm))
		return -1;
	vma = vma_lookup(mm, hva);
	if (vma && dormant_vma_is_ours(vma))
		state = dormant_vma_page_dormant(vma, hva);
	mmap_read_unlock(mm);
	return state;
}

static void dormant_probe_page_fault(void *data, struct kvm_vcpu *vcpu,
				     u64 gpa, u64 error_code)
{
	struct dormant_vcpu *vc;
	struct dormant_vm *vm;
	int state;

	state = dormant_gpa_state(vcpu, gpa);
	if (state < 0)
		return;
	rcu_read_lock();
	vm = dormant_vm_get(vcpu->kvm);
	vc = vm ? dormant_vcpu_get(vm, vcpu->vcpu_id, true) : NULL;
	if (vc) {
		atomic64_inc(state ? &vc->dormant_stalls : &vc->backed_stalls);
		if (!vc->pending) {
			vc->pending = true;
			atomic_inc(&dormant_pending);
		}
		vc->stall_ns = ktime_get_ns();
	}
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
	vm = dormant_vm_find(vcpu->kvm);
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

static void dormant_vm_free(struct dormant_vm *vm)
{
	struct dormant_vcpu *vc;
	unsigned long id;

	xa_for_each(&vm->vcpus, id, vc) {
		if (vc->pending)
			atomic_dec(&dormant_pending);
		kfree(vc);
	}
	xa_destroy(&vm->vcpus);
	kfree(vm);
}

/* Drop every VM record; the probes are detached or quiescent. */
static void dormant_vms_clear(void)
{
	struct dormant_vm *vm, *tmp;
	LIST_HEAD(gone);

	spin_lock(&dormant_vms_lock);
	list_splice_init(&dormant_vms, &gone);
	spin_unlock(&dormant_vms_lock);
	synchronize_rcu();
	list_for_each_entry_safe(vm, tmp, &gone, node)
		dormant_vm_free(vm);
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

static void dormant_hook_attach(struct module *mod)
	__must_hold(&hook_lock)
{
	struct tracepoint *pf = NULL, *entry = NULL;
	unsigned int i;
	int ret;

	for (i = 0; i < mod->num_tracepoints; i++) {
		struct tracepoint *tp = tracepoint_ptr_deref(&mod->tracepoints_ptrs[i]);

		if (!strcmp(tp->name, "kvm_page_fault"))
			pf = tp;
		else if (!strcmp(tp->name, "kvm_entry"))
			entry = tp;
	}
	if (!pf || !entry) {
		pr_warn("%s has no kvm_page_fault/kvm_entry tracepoints: stalls are not seen\n",
			mod->name);
		return;
	}
	ret = tracepoint_probe_register(entry, dormant_probe_entry, NULL);
	if (ret)
		goto out_fail;
	ret = tracepoint_probe_register(pf, dormant_probe_page_fault, NULL);
	if (ret)
		goto out_unregister_entry;
	tp_page_fault = pf;
	tp_entry = entry;
	hooked_kvm = mod;
	pr_info("attached to %s's kvm_page_fault and kvm_entry tracepoints\n",
		mod->name);
	return;

out_unregister_entry:
	tracepoint_probe_unregister(entry, dormant_probe_entry, NULL);
	tracepoint_synchronize_unregister();
out_fail:
	pr_warn("cannot attach to %s's tracepoints (%d): stalls are not seen\n",
		mod->name, ret);
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

/*
 * DORMANT_IOC_VCPU_STATS: copy out one entry per vCPU we have seen stall,
 * optionally resetting the counters.
 */
int dormant_ioctl_vcpu_stats(struct dormant_vcpu_stats_req __user *ureq)
{
	struct dormant_vcpu_stats_req req;
	struct dormant_vcpu_stats out;
	struct dormant_vcpu_stats __user *uent;
	struct dormant_vcpu *vc;
	struct dormant_vm *vm;
	unsigned long id;
	u32 n = 0;
	int i, ret = 0;

	if (copy_from_user(&req, ureq, sizeof(req)))
		return -EFAULT;
	if (req.flags & ~DORMANT_VCPU_STATS_RESET) {
		pr_warn_ratelimited("VCPU_STATS: unknown flags 0x%x (pid %d)\n",
				    req.flags, task_pid_nr(current));
		return -EINVAL;
	}
	if (!dormant_reserved_zero("VCPU_STATS", req.reserved,
				   ARRAY_SIZE(req.reserved)))
		return -EINVAL;
	uent = u64_to_user_ptr(req.entries);

	/*
	 * copy_to_user() may fault, so no RCU here: records are only freed
	 * under hook_lock, and probes only append.
	 */
	mutex_lock(&hook_lock);
	list_for_each_entry_rcu(vm, &dormant_vms, node,
				lockdep_is_held(&hook_lock)) {
		xa_for_each(&vm->vcpus, id, vc) {
			if (n < req.count) {
				memset(&out, 0, sizeof(out));
				out.vm_id = vm->id;
				out.vcpu_id = vc->vcpu_id;
				out.pid = vm->pid;
				out.dormant_stalls = atomic64_read(&vc->dormant_stalls);
				out.backed_stalls = atomic64_read(&vc->backed_stalls);
				out.stall_ns_total = atomic64_read(&vc->stall_ns_total);
				for (i = 0; i < DORMANT_HIST_BUCKETS; i++)
					out.hist[i] = atomic64_read(&vc->hist[i]);
				if (copy_to_user(&uent[n], &out, sizeof(out))) {
					ret = -EFAULT;
					goto out_unlock;
				}
			}
			if (req.flags & DORMANT_VCPU_STATS_RESET) {
				atomic64_set(&vc->dormant_stalls, 0);
				atomic64_set(&vc->backed_stalls, 0);
				atomic64_set(&vc->stall_ns_total, 0);
				for (i = 0; i < DORMANT_HIST_BUCKETS; i++)
					atomic64_set(&vc->hist[i], 0);
			}
			n++;
		}
	}
out_unlock:
	mutex_unlock(&hook_lock);
	if (ret)
		return ret;
	/* How many there are; -ENOSPC if they did not all fit. */
	if (put_user(n, &ureq->count))
		return -EFAULT;
	return n > req.count ? -ENOSPC : 0;
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
