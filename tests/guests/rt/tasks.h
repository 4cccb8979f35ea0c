/* The periodic tasks the tick releases. */
#ifndef RT_TASKS_H
#define RT_TASKS_H

/* Called once per tick, from the tick handler: runs every task whose period has
 * elapsed, highest priority first, each to completion. */
void tasks_run(void);

#endif
