/* ops.c — placeholder until this stage is written. */
int aoti_ops_placeholder_(void);
int aoti_ops_placeholder_(void) { return 0; }
