/* SPDX-License-Identifier: MIT */
/* Internal to launcher/: the audit of one sandbox (audit.c), made only when
 * cr_options_set_audit() asked for it. */
#ifndef CR_LAUNCHER_AUDIT_H
#define CR_LAUNCHER_AUDIT_H

#include "cleanroom/cleanroom.h"
#include "cr/config.h"
#include "plan.h"
#include "protocol.h"

struct cr_audit;
struct cr_job;

/* First thing in create: the process's fd table, before the plan opens
 * fds of its own. */
int cr_audit_begin(struct cr_audit **out, cr_error **err);
/* Once the plan is made, before anything of the sandbox changes the
 * creating thread (signals blocked for forwarding): its state, and what
 * the config gives the sandbox. */
int cr_audit_take_state(struct cr_audit *a, const struct cr_config *cfg, const struct cr_plan *plan,
                        cr_error **err);
/* At the start: a job's env, cwd and fds replace the config's. */
int cr_audit_take_job(struct cr_audit *a, const struct cr_job *job, cr_error **err);
/* The result's withheld and carried sections; `carried` is what the init
 * reported, NULL when the payload never ended. */
int cr_audit_conclude(const struct cr_audit *a, const struct cr_carried *carried, struct cr_result *res);
void cr_audit_free(struct cr_audit *a);

#endif
