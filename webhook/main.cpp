#include <cstdio>
int main() { std::puts("jobtrail-webhook: not built yet"); return 1; }
