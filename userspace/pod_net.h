/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pod_net: dormantd's connections to the other members of its pod, one
 * reliable-connected RDMA queue pair each (librdmacm), carrying the
 * messages of pod_wire.h with SEND and RECV.
 *
 * Set-up is synchronous, in the shape of rdma-core's rdma_client and
 * rdma_server examples: every member listens, connects to each member
 * listed before it (retrying until that one listens), then accepts one
 * connection from each member listed after it. The first message on a
 * connection is the connector's HELLO, answered by HELLO_ACK: both name
 * their member and their pod file's hash, and a peer whose pod file
 * differs, or who is not who it says, is refused. After set-up,
 * dormantd's event loop waits on each connection's receive completion
 * channel (pod_conn_fd()) and on its event channel (pod_conn_cm_fd(): a
 * peer that went away), and on the listener (pod_net_listen_fd()).
 *
 * A lost connection is made again the same way: the member listed later
 * calls (pod_net_reconnect(), dormantd tries every few seconds), the
 * earlier one accepts (pod_net_accept()). A member that restarted calls
 * or is called as at set-up; a member that connects again replaces its
 * old connection.
 */
#ifndef _POD_NET_H
#define _POD_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pod.h"
#include "pod_wire.h"

/* Receive buffers posted per connection, each POD_MSG_MAX bytes. */
#define POD_NET_RECV_SLOTS	8
/* Seconds a send may wait for its completion before the peer is dropped. */
#define POD_NET_SEND_TIMEOUT	10

/**
 * struct pod_conn_stats - what went over one connection
 * @msgs_out: messages sent
 * @msgs_in: messages received and accepted
 * @data_out: bytes of page data sent (in grants)
 * @data_in: bytes of page data received
 * @refused: messages pod_wire_check() refused (the connection is then
 *	dropped)
 */
struct pod_conn_stats {
	uint64_t msgs_out;
	uint64_t msgs_in;
	uint64_t data_out;
	uint64_t data_in;
	uint64_t refused;
};

struct pod_conn;
struct rdma_cm_id;

/**
 * struct pod_net - a member's connections
 * @pod: the pod
 * @me: this member's index
 * @conns: one per member, NULL for @me and for a member whose connection
 *	was dropped
 */
struct pod_net {
	const struct pod *pod;
	unsigned int me;
	struct pod_conn *conns[POD_MAX_MEMBERS];
	struct rdma_cm_id *listen_id;
};

int pod_net_start(struct pod_net *net, const struct pod *pod, unsigned int me,
		  unsigned int timeout_s);
int pod_net_listen_fd(const struct pod_net *net);
int pod_net_accept(struct pod_net *net);
int pod_net_reconnect(struct pod_net *net, unsigned int peer);
int pod_conn_cm_fd(const struct pod_conn *c);
int pod_conn_cm_event(struct pod_conn *c);
void pod_net_stop(struct pod_net *net);
int pod_conn_fd(const struct pod_conn *c);
const struct pod_conn_stats *pod_conn_stats(const struct pod_conn *c);
/* The feature bits (POD_FEAT_*) the peer announced in its HELLO. */
uint64_t pod_conn_features(const struct pod_conn *c);
void *pod_conn_send_buf(struct pod_conn *c, size_t *cap, uint64_t *seq);
int pod_conn_send(struct pod_conn *c, size_t len, uint64_t data_bytes);
int pod_conn_recv(struct pod_conn *c, struct pod_msg *msgs, void **bufs,
		  int max);
int pod_conn_repost(struct pod_conn *c, void *buf);
/*
 * Messages (or an error) that pod_conn_send() took off @c's receive queue
 * are waiting: call pod_conn_recv() though no completion event may come.
 */
bool pod_conn_pending(const struct pod_conn *c);
void pod_net_drop(struct pod_net *net, unsigned int peer, const char *why);

#endif /* _POD_NET_H */
