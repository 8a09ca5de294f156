/* The cheapest process there is (static, no dynamic loader): the burst test measures the
 * tracer, not ld.so. */
int main(void) { return 0; }
