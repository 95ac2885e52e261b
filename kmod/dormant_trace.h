/* SPDX-License-Identifier: GPL-2.0 */
/*
 * dormant's own tracepoints, for perf trace and bpftrace:
 *   dormant:dormant_fault    a dormant page made present (object, offset,
 *                            size, node that served it, path)
 *   dormant:dormant_zero     a page or 2 MiB block zeroed (node, order, in
 *                            the background or inline)
 *   dormant:dormant_discard  pages made dormant again (object, first page, count)
 *   dormant:dormant_pod_request  a fault asked the pod daemon for a remote
 *                            page (object, offset, owner)
 *   dormant:dormant_pod_release  pages given up to another host (object,
 *                            offset, pages, pages with data, new owner)
 *   dormant:dormant_pod_grant    remote pages granted here (object, offset,
 *                            pages, pages with data)
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM dormant

#if !defined(_DORMANT_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define _DORMANT_TRACE_H

#include <linux/tracepoint.h>

TRACE_EVENT(dormant_fault,
	    TP_PROTO(unsigned long ino, u64 offset, unsigned int order, int nid,
		     int path),
	    TP_ARGS(ino, offset, order, nid, path),
	    TP_STRUCT__entry(__field(unsigned long, ino)
			     __field(u64, offset)
			     __field(unsigned int, order)
			     __field(int, nid)
			     __field(int, path)),
	    TP_fast_assign(__entry->ino = ino;
			   __entry->offset = offset;
			   __entry->order = order;
			   __entry->nid = nid;
			   __entry->path = path;),
	    TP_printk("object=%lu offset=0x%llx size=%lu node=%d path=%s",
		      __entry->ino, __entry->offset,
		      PAGE_SIZE << __entry->order, __entry->nid,
		      __print_symbolic(__entry->path,
				       { DN_FAULT_ZEROED, "zeroed" },
				       { DN_FAULT_ZEROED_2M, "zeroed_2m" },
				       { DN_FAULT_ALLOC, "alloc" },
				       { DN_FAULT_OTHER_NODE, "other_node" }))
);

TRACE_EVENT(dormant_zero,
	    TP_PROTO(int nid, unsigned int order, bool background),
	    TP_ARGS(nid, order, background),
	    TP_STRUCT__entry(__field(int, nid)
			     __field(unsigned int, order)
			     __field(bool, background)),
	    TP_fast_assign(__entry->nid = nid;
			   __entry->order = order;
			   __entry->background = background;),
	    TP_printk("node=%d size=%lu %s", __entry->nid,
		      PAGE_SIZE << __entry->order,
		      __entry->background ? "background" : "inline")
);

TRACE_EVENT(dormant_discard,
	    TP_PROTO(unsigned long ino, u64 first, u64 nr),
	    TP_ARGS(ino, first, nr),
	    TP_STRUCT__entry(__field(unsigned long, ino)
			     __field(u64, first)
			     __field(u64, nr)),
	    TP_fast_assign(__entry->ino = ino;
			   __entry->first = first;
			   __entry->nr = nr;),
	    TP_printk("object=%lu first_page=%llu pages=%llu", __entry->ino,
		      __entry->first, __entry->nr)
);

TRACE_EVENT(dormant_pod_request,
	    TP_PROTO(unsigned long ino, u64 offset, unsigned long owner),
	    TP_ARGS(ino, offset, owner),
	    TP_STRUCT__entry(__field(unsigned long, ino)
			     __field(u64, offset)
			     __field(unsigned long, owner)),
	    TP_fast_assign(__entry->ino = ino;
			   __entry->offset = offset;
			   __entry->owner = owner;),
	    TP_printk("object=%lu offset=0x%llx owner=%lu", __entry->ino,
		      __entry->offset, __entry->owner)
);

TRACE_EVENT(dormant_pod_release,
	    TP_PROTO(unsigned long ino, u64 offset, u64 pages, u32 data,
		     u32 owner),
	    TP_ARGS(ino, offset, pages, data, owner),
	    TP_STRUCT__entry(__field(unsigned long, ino)
			     __field(u64, offset)
			     __field(u64, pages)
			     __field(u32, data)
			     __field(u32, owner)),
	    TP_fast_assign(__entry->ino = ino;
			   __entry->offset = offset;
			   __entry->pages = pages;
			   __entry->data = data;
			   __entry->owner = owner;),
	    TP_printk("object=%lu offset=0x%llx pages=%llu data=%u owner=%u",
		      __entry->ino, __entry->offset, __entry->pages,
		      __entry->data, __entry->owner)
);

TRACE_EVENT(dormant_pod_grant,
	    TP_PROTO(unsigned long ino, u64 offset, u32 pages, u32 data),
	    TP_ARGS(ino, offset, pages, data),
	    TP_STRUCT__entry(__field(unsigned long, ino)
			     __field(u64, offset)
			     __field(u32, pages)
			     __field(u32, data)),
	    TP_fast_assign(__entry->ino = ino;
			   __entry->offset = offset;
			   __entry->pages = pages;
			   __entry->data = data;),
	    TP_printk("object=%lu offset=0x%llx pages=%u data=%u",
		      __entry->ino, __entry->offset, __entry->pages,
		      __entry->data)
);

/* DORMANT_POD_GRANT_FAIL: @failed waiting pages of the range fail. */
TRACE_EVENT(dormant_pod_fail,
	    TP_PROTO(unsigned long ino, u64 offset, u32 pages, u32 failed),
	    TP_ARGS(ino, offset, pages, failed),
	    TP_STRUCT__entry(__field(unsigned long, ino)
			     __field(u64, offset)
			     __field(u32, pages)
			     __field(u32, failed)),
	    TP_fast_assign(__entry->ino = ino;
			   __entry->offset = offset;
			   __entry->pages = pages;
			   __entry->failed = failed;),
	    TP_printk("object=%lu offset=0x%llx pages=%u failed=%u",
		      __entry->ino, __entry->offset, __entry->pages,
		      __entry->failed)
);

#endif /* _DORMANT_TRACE_H */

#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE dormant_trace
#include <trace/define_trace.h>
