#include <cstdio>
int main() { std::puts("jobtrail-sidecar: not built yet"); return 1; }
