/* SPDX-License-Identifier: GPL-2.0 */
/*
 * twampd's start-up from its settings: the listening sockets, the backend
 * (kernel, user, or auto: the kernel's if twamp.ko is there) and the modes
 * to advertise, with the key file when a mode needs one. Each returns 0,
 * or -1 after logging why.
 */
#ifndef TWAMPD_SETUP_H
#define TWAMPD_SETUP_H

#include "config.h"

int setup_listeners(void);
int setup_backend(void);
int setup_modes(void);
/* Read @c's key file, checking its owner and mode; NULL after logging. */
struct twc_keyring *setup_load_keys(const struct twampd_cfg *c);

#endif /* TWAMPD_SETUP_H */
