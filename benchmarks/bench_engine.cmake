stz_add_benchmark(bench_engine SOURCES bench_engine.cpp DEPENDS stz::sim)
stz_add_benchmark(engine_runs SOURCES engine_runs.cpp DEPENDS stz::sim)
stz_add_benchmark(far_field_study SOURCES far_field_study.cpp DEPENDS stz::sim)
