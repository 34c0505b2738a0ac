/* frontend.c — placeholder until this stage is written. */
int aoti_frontend_placeholder_(void);
int aoti_frontend_placeholder_(void) { return 0; }
