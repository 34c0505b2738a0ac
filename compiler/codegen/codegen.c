/* codegen.c — placeholder until this stage is written. */
int aoti_codegen_placeholder_(void);
int aoti_codegen_placeholder_(void) { return 0; }
