/* passes.c — placeholder until this stage is written. */
int aoti_passes_placeholder_(void);
int aoti_passes_placeholder_(void) { return 0; }
