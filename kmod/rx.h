/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The reflector's receive hook (rx.c), which reflector.c sets on its
 * sockets.
 */
#ifndef _TWAMP_RX_H
#define _TWAMP_RX_H

struct sk_buff;
struct sock;

int twamp_reflector_rcv(struct sock *sk, struct sk_buff *skb);

#endif /* _TWAMP_RX_H */
