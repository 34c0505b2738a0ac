/* build.c — placeholder until this stage is written. */
int aoti_build_placeholder_(void);
int aoti_build_placeholder_(void) { return 0; }
