/* package.c — placeholder until this stage is written. */
int aoti_package_placeholder_(void);
int aoti_package_placeholder_(void) { return 0; }
