/* wrapper.c — placeholder until this stage is written. */
int aoti_wrapper_placeholder_(void);
int aoti_wrapper_placeholder_(void) { return 0; }
