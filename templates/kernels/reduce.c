/* reduce.c — kernels generated models carry (templates/kernels, embedded into aotic); filled as ops land. */
