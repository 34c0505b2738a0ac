/* main.c — placeholder until the aotic driver is written. */
int main(void) { return 1; }
