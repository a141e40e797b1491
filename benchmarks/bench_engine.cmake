stz_add_benchmark(bench_engine SOURCES bench_engine.cpp DEPENDS stz::sim)
