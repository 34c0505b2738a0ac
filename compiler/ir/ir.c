/* ir.c — placeholder until this stage is written. */
int aoti_ir_placeholder_(void);
int aoti_ir_placeholder_(void) { return 0; }
